package io.segments.jobs;

import java.net.URI;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * A Hadoop filesystem of another scheme over the local disk ({@code segtest:///tmp/x} is {@code /tmp/x}), standing
 * in for s3a:, abfss: or hdfs: in tests of what reads through Hadoop's FileSystem. Registered with
 * {@code spark.hadoop.fs.segtest.impl}.
 */
public class AliasFileSystem extends RawLocalFileSystem {
  static final String SCHEME = "segtest";

  @Override
  public String getScheme() {
    return SCHEME;
  }

  @Override
  public URI getUri() {
    return URI.create(SCHEME + ":///");
  }
}
