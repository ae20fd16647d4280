package io.segments.stream;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * What the stream's offset log (in its checkpoint, written before each batch runs) says of a batch: when it was
 * triggered, and when its newest events arrived in a Delta source (the commit time of the last source version of
 * its end offset, read from the commit file on the driver). Other sources have no commit to read: their latency is
 * not measured (null).
 */
final class Arrivals {
  private static final Pattern OFFSET =
      Pattern.compile("\"reservoirVersion\"\\s*:\\s*(\\d+).*?\"index\"\\s*:\\s*(-?\\d+)");

  private static final Pattern TRIGGERED = Pattern.compile("\"batchTimestampMs\"\\s*:\\s*(\\d+)");

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

  /** When the batch was triggered (the offset log's batchTimestampMs), or null when not known. */
  Instant triggeredAt(long batchId) {
    String text = offsets(batchId);
    Matcher m = text == null ? null : TRIGGERED.matcher(text);
    return m != null && m.find() ? Instant.ofEpochMilli(Long.parseLong(m.group(1))) : null;
  }

  /** The batch's entry of the checkpoint's offset log (written before the batch runs), or null. */
  private String offsets(long batchId) {
    Path offsets = new Path(checkpoint + "/offsets/" + batchId);
    try (BufferedReader in = new BufferedReader(new InputStreamReader(
        offsets.getFileSystem(spark.sessionState().newHadoopConf()).open(offsets), StandardCharsets.UTF_8))) {
      return in.lines().reduce("", (a, b) -> a + "\n" + b);
    } catch (java.io.IOException e) {
      return null;
    }
  }

  /** The commit time of the newest source version in the batch, or null when not known. */
  Instant newest(long batchId) {
    String text = log == null ? null : offsets(batchId);
    if (text == null) {
      return null;
    }
    try {
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
