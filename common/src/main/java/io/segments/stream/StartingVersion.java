package io.segments.stream;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.when;

import io.delta.tables.DeltaTable;
import io.segments.config.PipelineConfig;
import io.segments.io.Warehouse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The Delta source version a new stream starts from: the first version committed after the last daily run began
 * staging (the daily run read what came before; a version it read too is evaluated again, which changes nothing), or
 * the next version when none has been committed since. Events of the days after the daily run's that were committed
 * before it are the first batch's too ({@link EventStream}). Chosen once and kept in the checkpoint
 * ({@code segments-starting-version}): until its first batch a stream has no offset of its own, and a start with
 * {@code --once} when nothing has arrived must not move the start past what arrives before the next one.
 */
final class StartingVersion {
  private static final String FILE = "segments-starting-version";

  private StartingVersion() {}

  static long of(Warehouse warehouse, PipelineConfig config, String checkpoint) {
    SparkSession spark = warehouse.spark();
    Path kept = new Path(checkpoint, FILE);
    try {
      FileSystem fs = kept.getFileSystem(spark.sessionState().newHadoopConf());
      if (fs.exists(kept)) {
        try (InputStream in = fs.open(kept)) {
          return Long.parseLong(new String(in.readAllBytes(), StandardCharsets.UTF_8).strip());
        }
      }
      String events = config.source().events();
      String format = io.segments.config.SourceConfig.pathFormat(events);
      DeltaTable source = format == null ? DeltaTable.forName(spark, events)
          : DeltaTable.forPath(spark, events.substring(format.length() + 1));
      Timestamp since = lastDailyStaging(warehouse);
      Row versions = source.history().agg(max("version"), min(since == null ? lit(null)
          : when(col("timestamp").geq(lit(since)), col("version")))).first();
      long first = versions.isNullAt(1) ? versions.getLong(0) + 1 : versions.getLong(1);
      // written whole or not at all: a crash between create and write must not leave an empty file behind
      Path written = new Path(checkpoint, FILE + ".tmp");
      fs.mkdirs(kept.getParent());
      try (OutputStream out = fs.create(written, true)) {
        out.write(String.valueOf(first).getBytes(StandardCharsets.UTF_8));
      }
      if (!fs.rename(written, kept)) {
        throw new IOException("could not rename " + written + " to " + kept);
      }
      return first;
    } catch (IOException | NumberFormatException e) {
      throw new IllegalStateException("could not read or write the stream's starting version in " + kept + ": "
          + e.getMessage() + "\n  fix: check that the checkpoint directory is writable; delete the file to choose"
          + " the starting version again", e);
    }
  }

  /** When the last successful stage step of a daily run began, or null when none is recorded. */
  private static Timestamp lastDailyStaging(Warehouse warehouse) {
    if (!warehouse.exists("pipeline_runs")) {
      return null;
    }
    Row last = warehouse.read("pipeline_runs").where(col("step").equalTo("stage")
        .and(col("status").equalTo("succeeded"))).agg(max("started_at")).first();
    return last.isNullAt(0) ? null : last.getTimestamp(0);
  }
}
