package io.segments.step;

import io.segments.config.PipelineConfig;
import io.segments.io.SourceReader;
import io.segments.io.Warehouse;
import java.time.LocalDate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * What the steps of one run share: the config, the warehouse, the run id, and {@code source.users}, read and
 * checked for duplicate ids once per run.
 */
public final class StepContext {
  private final PipelineConfig config;
  private final Warehouse warehouse;
  private final String runId;
  private Dataset<Row> users;

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

  /** source.users, checked once per run for duplicate user ids; null when none is configured. */
  public Dataset<Row> users() {
    if (config.source().users() != null && users == null) {
      users = SourceReader.users(spark(), config.source().users());
    }
    return users;
  }

  /** user_id and signup_at of source.users; null when none is configured. */
  public Dataset<Row> signups() {
    return users() == null ? null : users().select("user_id", "signup_at");
  }

  /** The users with features on D: the base that shares and sizes are measured against. */
  public Dataset<Row> knownUsers(LocalDate asOf) {
    return warehouse.read("user_features").where(Warehouse.on("as_of_date", asOf)).select("user_id");
  }
}
