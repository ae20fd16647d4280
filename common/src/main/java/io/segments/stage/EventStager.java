package io.segments.stage;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.segments.config.SourceConfig;
import io.segments.io.SourceReader;
import io.segments.io.SqlFiles;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The stage step: reads the source events as of a day, sets refused rows aside with a reason and drops
 * duplicate events. Pure apart from reading the source: writing the quarantine is the pipeline's job.
 */
public final class EventStager {
  private EventStager() {}

  /** The staged events, and the refused rows with their reasons (both lazy). */
  public record Staged(Dataset<Row> events, Dataset<Row> quarantined) {}

  public static Staged stage(SparkSession spark, SourceConfig source, LocalDate asOf, Instant now) {
    Dataset<Row> raw = SourceReader.open(spark, source.events(), "source.events");
    SourceReader.requireColumns(raw, source, source.events());
    return stage(spark, raw, source, asOf, now);
  }

  /** Stages an already opened source; exposed so tests can pass fixture frames. */
  public static Staged stage(SparkSession spark, Dataset<Row> raw, SourceConfig source, LocalDate asOf, Instant now) {
    Column known = source.vocabulary().isEmpty()
        ? lit(true)
        : col(source.column("event_name")).isin(source.vocabulary().toArray());
    raw.select(
            col(source.column("event_id")).as("event_id"),
            col(source.column("user_id")).as("user_id"),
            col(source.column("event_name")).as("event_name"),
            col(source.column("event_at")).as("event_at_raw"),
            col(source.column("revenue")).as("revenue_raw"),
            known.as("is_known_event"))
        .createOrReplaceTempView("source_events");

    Map<String, Object> params = new LinkedHashMap<>();
    params.put("as_of", asOf);
    params.put("future_limit", Timestamp.from(now.plusSeconds(3600L * source.futureToleranceHours())));
    Dataset<Row> checked = SqlFiles.run(spark, "staging/stg_events_checked.sql", params);
    checked.createOrReplaceTempView("stg_events_checked");
    Dataset<Row> events = SqlFiles.run(spark, "staging/stg_events.sql");
    Dataset<Row> quarantined = checked.where(col("quarantine_reason").isNotNull())
        .select("quarantine_reason", "event_id", "user_id", "event_name", "event_at_raw", "revenue_raw");
    return new Staged(events, quarantined);
  }
}
