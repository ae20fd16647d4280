package io.segments.stream;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;

import io.delta.tables.DeltaTable;
import io.segments.io.Warehouse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The Delta source version a new stream starts from: the first version committed after the last daily run began
 * staging (the daily run has read what came before; a version it may have read too is evaluated again, which changes
 * nothing), or the next version when none has been committed since. Chosen once and kept in the checkpoint
 * ({@code segments-starting-version}): until its first batch a stream has no offset of its own, and a start with
 * {@code --once} when nothing has arrived must not move the start past events that arrive before the next one.
 */
final class StartingVersion {
  private static final String FILE = "segments-starting-version";

  private StartingVersion() {}

  static long of(Warehouse warehouse, String events, String checkpoint) throws IOException {
    SparkSession spark = warehouse.spark();
    Path kept = new Path(checkpoint, FILE);
    FileSystem fs = kept.getFileSystem(spark.sessionState().newHadoopConf());
    if (fs.exists(kept)) {
      return Long.parseLong(new String(fs.open(kept).readAllBytes(), StandardCharsets.UTF_8).strip());
    }
    String format = io.segments.config.SourceConfig.pathFormat(events);
    DeltaTable source = format == null ? DeltaTable.forName(spark, events)
        : DeltaTable.forPath(spark, events.substring(format.length() + 1));
    java.sql.Timestamp since = lastDailyStaging(warehouse);
    Row versions = source.history().agg(max("version"), min(since == null ? lit(null)
        : org.apache.spark.sql.functions.when(col("timestamp").geq(lit(since)), col("version")))).first();
    long first = versions.isNullAt(1) ? versions.getLong(0) + 1 : versions.getLong(1);
    try (FSDataOutputStream out = fs.create(kept, false)) {
      out.write(String.valueOf(first).getBytes(StandardCharsets.UTF_8));
    }
    return first;
  }

  /** When the last successful stage step of a daily run began, or null when none is recorded. */
  private static java.sql.Timestamp lastDailyStaging(Warehouse warehouse) {
    if (!warehouse.exists("pipeline_runs")) {
      return null;
    }
    Row last = warehouse.read("pipeline_runs").where(col("step").equalTo("stage")
        .and(col("status").equalTo("succeeded"))).agg(max("started_at")).first();
    return last.isNullAt(0) ? null : last.getTimestamp(0);
  }
}
