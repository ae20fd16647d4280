package io.segments.stream;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * When a batch's newest events arrived in a Delta source: the commit time of the last source version the batch
 * reads (its end offset in the checkpoint's offset log, written before the batch runs), read from the commit file on
 * the driver. Other sources have no commit to read: their latency is not measured (null).
 */
final class Arrivals {
  private static final Pattern OFFSET =
      Pattern.compile("\"reservoirVersion\"\\s*:\\s*(\\d+).*?\"index\"\\s*:\\s*(-?\\d+)");

  private final SparkSession spark;
  private final String log;
  private final String checkpoint;

  private Arrivals(SparkSession spark, String log, String checkpoint) {
    this.spark = spark;
    this.log = log;
    this.checkpoint = checkpoint;
  }

  /** The arrivals of a source ({@code source.events}); one that tells none when it is not Delta. */
  static Arrivals of(SparkSession spark, String events, String checkpoint) {
    String format = io.segments.config.SourceConfig.pathFormat(events);
    String location = null;
    try {
      if (format == null) {
        location = spark.sql("describe detail " + events).select("location").first().getString(0);
      } else if (format.equals("delta")) {
        location = events.substring(format.length() + 1);
      }
    } catch (RuntimeException e) {
      location = null; // not a Delta table: no commit times
    }
    return new Arrivals(spark, location == null ? null : location.replaceAll("/$", "") + "/_delta_log", checkpoint);
  }

  /** The commit time of the newest source version in the batch, or null when not known. */
  Instant newest(long batchId) {
    if (log == null) {
      return null;
    }
    try {
      Path offsets = new Path(checkpoint + "/offsets/" + batchId);
      FileSystem fs = offsets.getFileSystem(spark.sessionState().newHadoopConf());
      String text;
      try (BufferedReader in = new BufferedReader(new InputStreamReader(fs.open(offsets), StandardCharsets.UTF_8))) {
        text = in.lines().reduce("", (a, b) -> a + "\n" + b);
      }
      Matcher m = OFFSET.matcher(text);
      if (!m.find()) {
        return null;
      }
      long version = Long.parseLong(m.group(1)) - (m.group(2).equals("-1") ? 1 : 0);
      Path commit = new Path(log + String.format("/%020d.json", version));
      return version < 0 ? null : Instant.ofEpochMilli(commit.getFileSystem(spark.sessionState().newHadoopConf())
          .getFileStatus(commit).getModificationTime());
    } catch (java.io.IOException | RuntimeException e) {
      return null;
    }
  }
}
