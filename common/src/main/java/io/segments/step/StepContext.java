package io.segments.step;

import io.segments.config.PipelineConfig;
import io.segments.io.SourceReader;
import io.segments.io.Warehouse;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * What the steps of one run share: the config, the warehouse, the run id, {@code source.users}, read and checked for
 * duplicate ids once per run, and what a step computed that a later step reads (the day's features as written, kept
 * in memory until {@link #close}; figures such as segment sizes): a later step does not read back a table version
 * just written, which costs Delta a snapshot and a scan planning each.
 */
public final class StepContext implements AutoCloseable {
  private final PipelineConfig config;
  private final Warehouse warehouse;
  private final String runId;
  private Dataset<Row> users;
  private Map<java.sql.Date, long[]> fingerprints;
  private final Map<LocalDate, Long> knownUserCounts = new java.util.HashMap<>();
  private final Map<LocalDate, Map<String, Long>> segmentSizes = new java.util.HashMap<>();
  private LocalDate featureDay;
  private Dataset<Row> featureRows;

  public StepContext(PipelineConfig config, Warehouse warehouse, String runId) {
    this.config = config;
    this.warehouse = warehouse;
    this.runId = runId;
  }

  public PipelineConfig config() {
    return config;
  }

  public Warehouse warehouse() {
    return warehouse;
  }

  public SparkSession spark() {
    return warehouse.spark();
  }

  public String runId() {
    return runId;
  }

  /**
   * The columns of source.users a run reads (user_id, signup_at, the audiences' attributes and identifiers), checked
   * once per run for duplicate user ids and planned once; null when none is configured.
   */
  public Dataset<Row> users() {
    if (config.source().users() != null && users == null) {
      List<String> used = new java.util.ArrayList<>(List.of("user_id", "signup_at"));
      config.audiences().forEach(a -> {
        used.addAll(a.attributes());
        used.addAll(a.hashedIdentifiers());
      });
      users = SourceReader.users(spark(), config.source().users(), used);
    }
    return users;
  }

  /** user_id and signup_at of source.users; null when none is configured. */
  public Dataset<Row> signups() {
    return users() == null ? null : users().select("user_id", "signup_at");
  }

  /** The users with features on D: the base that shares and sizes are measured against. */
  public Dataset<Row> knownUsers(LocalDate asOf) {
    return features(List.of(asOf)).select("user_id");
  }

  /**
   * user_features of these days: for the one day the features step wrote this run, the rows it wrote (kept in memory,
   * no read of the table's new version); else read from the table.
   */
  public Dataset<Row> features(List<LocalDate> days) {
    return days.size() == 1 && days.get(0).equals(featureDay) ? featureRows
        : warehouse.read("user_features").where(Warehouse.between("as_of_date", days));
  }

  /** The features step wrote {@code written} (persisted) as user_features of D. */
  public void featuresWritten(LocalDate asOf, Dataset<Row> written) {
    close();
    featureDay = asOf;
    featureRows = written;
  }

  /** Frees what the steps kept in memory for the steps after them. */
  @Override
  public void close() {
    if (featureRows != null) {
      featureRows.unpersist();
      featureRows = null;
      featureDay = null;
    }
  }

  /** How many users have features on D: counted once per run, or told by the step that wrote them. */
  public long knownUserCount(LocalDate asOf) {
    return knownUserCounts.computeIfAbsent(asOf, day -> knownUsers(day).count());
  }

  /** The features step wrote {@code count} users' features for D. */
  public void knownUserCount(LocalDate asOf, long count) {
    knownUserCounts.put(asOf, count);
  }

  /** Members per segment on D, as the segments step computed them this run; null when it did not. */
  public Map<String, Long> segmentSizes(LocalDate asOf) {
    return segmentSizes.get(asOf);
  }

  /** The segments step computed these sizes for D. */
  public void segmentSizes(LocalDate asOf, Map<String, Long> sizes) {
    segmentSizes.put(asOf, java.util.Map.copyOf(sizes));
  }

  /**
   * The rollup's fingerprint of each day ({@code rollup_fingerprints}: events, checksum), read once per run; the
   * rollup step hands over what it wrote ({@link #fingerprints(java.util.Map)}).
   */
  public Map<java.sql.Date, long[]> fingerprints() {
    if (fingerprints == null) {
      fingerprints = io.segments.rollup.DailyRollup.storedFingerprints(warehouse);
    }
    return fingerprints;
  }

  /** The fingerprints as text, "events:checksum" per day, which carried states note. */
  public Map<LocalDate, String> fingerprintTexts() {
    return io.segments.rollup.DailyRollup.texts(fingerprints());
  }

  /** The rollup step wrote these fingerprints: the table now holds exactly them. */
  public void fingerprints(Map<java.sql.Date, long[]> stored) {
    fingerprints = stored;
  }
}
