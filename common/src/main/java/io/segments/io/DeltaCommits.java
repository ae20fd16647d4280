package io.segments.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;

/**
 * A Delta table's commits as the driver reads them: its version, and what a commit recorded (its operation, the
 * note a write left in its user metadata, the rows it wrote), read from the commit's own JSON file in
 * {@code _delta_log}. No Spark job: {@code DESCRIBE HISTORY} and a read of the table both start some.
 */
final class DeltaCommits {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Commits that keep the rows: a note is looked for before them. */
  private static final Set<String> KEEPS_ROWS = Set.of("OPTIMIZE", "VACUUM START", "VACUUM END",
      "SET TBLPROPERTIES", "UNSET TBLPROPERTIES");

  /** How far back a note is looked for past maintenance commits. */
  private static final int LOOK_BACK = 20;

  private final SparkSession spark;
  private final DeltaLog log;

  DeltaCommits(SparkSession spark, String location) {
    this.spark = spark;
    this.log = DeltaLog.forTable(spark, location);
  }

  /**
   * The version this process last saw, which its own commits move: counting them needs no listing. A version
   * another process committed since is not seen (use {@link #latest} for that).
   */
  long seen() {
    return log.unsafeVolatileSnapshot().version();
  }

  /** The table's latest version (a listing of its log; no Spark job). */
  long latest() {
    return log.update(false, scala.Option.empty(), scala.Option.empty()).version();
  }

  /**
   * The data files of the latest version, from its checksum file ({@code N.crc}, the protocol's "version checksum
   * file"); null when the version has none or it cannot be read.
   */
  Long fileCount() {
    Path file = new Path(log.logPath(), String.format("%020d.crc", latest()));
    try {
      FileSystem fs = file.getFileSystem(spark.sessionState().newHadoopConf());
      try (var in = fs.open(file)) {
        JsonNode files = JSON.readTree(in).get("numFiles");
        return files == null || !files.isIntegralNumber() ? null : files.asLong();
      }
    } catch (IOException | RuntimeException e) {
      return null; // missing, unreadable or half-written: the caller reads the table instead
    }
  }

  /** The commitInfo action of {@code version}, or null when the commit has none (or is gone). */
  JsonNode commitInfo(long version) {
    Path file = new Path(log.logPath(), String.format("%020d.json", version));
    try {
      FileSystem fs = file.getFileSystem(spark.sessionState().newHadoopConf());
      try (BufferedReader reader = new BufferedReader(new InputStreamReader(fs.open(file), StandardCharsets.UTF_8))) {
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
          if (line.startsWith("{\"commitInfo\"")) {
            return JSON.readTree(line).get("commitInfo");
          }
        }
      }
      return null;
    } catch (java.io.FileNotFoundException e) {
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException("could not read the commit " + file, e);
    }
  }

  /**
   * The note (user metadata) of the table's last write, looking past maintenance that keeps the rows; null when
   * that write had none.
   */
  String note() {
    long latest = latest();
    for (long version = latest; version >= Math.max(0, latest - LOOK_BACK); version--) {
      JsonNode commit = commitInfo(version);
      String operation = commit == null || !commit.hasNonNull("operation") ? "" : commit.get("operation").asText();
      if (!KEEPS_ROWS.contains(operation)) {
        return commit == null || !commit.hasNonNull("userMetadata") ? null : commit.get("userMetadata").asText();
      }
    }
    return null;
  }

  /** A figure of the commit's operationMetrics (e.g. numOutputRows), or null when it did not record it. */
  Long metric(long version, String name) {
    JsonNode commit = commitInfo(version);
    JsonNode metrics = commit == null ? null : commit.get("operationMetrics");
    JsonNode value = metrics == null ? null : metrics.get(name);
    return value == null ? null : Long.parseLong(value.asText());
  }
}
