package io.segments.jobs;

import io.segments.config.ConfigException;
import io.segments.config.YamlNode;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.SparkConf;

/**
 * A config named by a Hadoop path ({@code s3a://bucket/conf/segments.yaml}, {@code abfss://}, {@code hdfs://},
 * {@code dbfs:/}): on YARN or Kubernetes in cluster mode the driver has no copy of it on its disk. The file and its
 * {@code include:} files are read through Hadoop's FileSystem, with the Hadoop settings Spark would use
 * ({@code spark.hadoop.*}), into a local directory that mirrors the path (so errors still name it), and loaded
 * from there. A plain path or {@code file:} is used as it is.
 */
final class ConfigFetch {
  /** A scheme of two or more letters and a slash: s3a://b/x, dbfs:/x (not C:\\x, nor a file named a:b.yaml). */
  private static final java.util.regex.Pattern REMOTE = java.util.regex.Pattern.compile("[A-Za-z][A-Za-z0-9+.-]+:/.*");

  private ConfigFetch() {}

  /** The local file to load for {@code location}. */
  static Path local(String location) {
    if (location.startsWith("file:")) {
      return Path.of(new org.apache.hadoop.fs.Path(location).toUri().getPath());
    }
    if (!REMOTE.matcher(location).matches()) {
      return Path.of(location);
    }
    org.apache.hadoop.fs.Path remote = new org.apache.hadoop.fs.Path(location);
    Configuration hadoop = new Configuration();
    for (scala.Tuple2<String, String> setting : new SparkConf().getAll()) { // spark-submit --conf spark.hadoop.*
      if (setting._1().startsWith("spark.hadoop.")) {
        hadoop.set(setting._1().substring("spark.hadoop.".length()), setting._2());
      }
    }
    try {
      Path mirror = Files.createTempDirectory("segments-config");
      Path root = copy(remote, mirror, hadoop, location);
      YamlNode node = YamlNode.load(root);
      if (node.has("embedded")) {
        throw new ConfigException(location, "an embedded: block, which is for local runs, in a config read from "
            + remote.toUri().getScheme() + ":", "leave it out: the cluster's Spark and catalog are used");
      }
      for (YamlNode include : node.items("include")) {
        if (include.text().startsWith("/") || REMOTE.matcher(include.text()).matches()) {
          throw new ConfigException(include.where(), "include '" + include.text() + "' is not relative to the"
              + " config, which is read from " + location, "write it relative to the config's directory, e.g."
              + " segments/features.yaml");
        }
        copy(new org.apache.hadoop.fs.Path(remote.getParent(), include.text()), mirror, hadoop, include.where());
      }
      return root;
    } catch (ConfigException e) {
      throw e;
    } catch (IOException | RuntimeException e) { // a missing connector is a RuntimeException (ClassNotFound)
      throw new ConfigException(location, "cannot read the config: " + e.getMessage(), "check the path; a cloud"
          + " store needs its Hadoop connector on the classpath and its credentials (spark.hadoop.* settings)");
    }
  }

  /** Copies one file to {@code mirror/<scheme>/<authority>/<path>} and returns the copy. */
  private static Path copy(org.apache.hadoop.fs.Path remote, Path mirror, Configuration hadoop, String where)
      throws IOException {
    java.net.URI uri = remote.toUri();
    Path local = mirror.resolve(uri.getScheme()).resolve(uri.getAuthority() == null ? "_" : uri.getAuthority())
        .resolve(uri.getPath().replaceFirst("^/+", ""));
    Files.createDirectories(local.getParent());
    try (FileSystem fs = FileSystem.newInstance(uri, hadoop); InputStream in = fs.open(remote)) {
      Files.copy(in, local, StandardCopyOption.REPLACE_EXISTING);
    } catch (FileNotFoundException e) {
      throw new ConfigException(where, "config file not found: " + remote, "pass an existing file with --config");
    }
    return local;
  }
}
