package io.segments.stage;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.xxhash64;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;

import io.segments.config.SourceConfig;
import io.segments.io.SourceReader;
import io.segments.io.SqlFiles;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;

/**
 * The stage step: reads the source events as of a day, sets refused rows aside with a reason and drops
 * duplicate events. Pure apart from reading the source: writing the quarantine is the pipeline's job.
 */
public final class EventStager {
  private EventStager() {}

  /**
   * The staged events, the refused rows with their reasons, and every row in scope with its reason (null when
   * valid), all lazy.
   */
  public record Staged(Dataset<Row> events, Dataset<Row> quarantined, Dataset<Row> checked) {}

  /**
   * Stages the source's events up to the end of {@code asOf}.
   *
   * @param readFrom the first day of events to read (rows without a usable stamp are always read, to be
   *     quarantined); null reads all history
   */
  public static Staged stage(SparkSession spark, SourceConfig source, LocalDate asOf, Instant now, LocalDate readFrom) {
    return stage(spark, source, asOf, now, readFrom, List.of());
  }

  /** As above, carrying the named event properties ({@link Properties}) for the features' where conditions. */
  public static Staged stage(SparkSession spark, SourceConfig source, LocalDate asOf, Instant now, LocalDate readFrom,
      List<String> properties) {
    return stage(spark, source, asOf, now, readFrom, properties, null);
  }

  /**
   * As above, for the users in {@code users} (user_id) only, or all when null: every rule that looks across events
   * (duplicates, the bot filter) is per user, so staging a few users gives their rows of a staging of all. Without
   * identity stitching the source is read for those users only.
   */
  public static Staged stage(SparkSession spark, SourceConfig source, LocalDate asOf, Instant now, LocalDate readFrom,
      List<String> properties, Dataset<Row> users) {
    Dataset<Row> raw = SourceReader.open(spark, source.events(), "source.events", source.options());
    SourceReader.requireColumns(raw, source, source.events());
    if (users != null) {
      Staged all = stage(spark, source.identity().stitch() ? raw : raw.join(users.select(col("user_id")
          .as(source.column("user_id"))), new String[] {source.column("user_id")}, "left_semi"), source, asOf, now,
          readFrom, properties);
      Dataset<Row> theirs = all.events().join(users.select("user_id"), new String[] {"user_id"}, "left_semi");
      return new Staged(theirs, all.quarantined(), all.checked());
    }
    return stage(spark, raw, source, asOf, now, readFrom, properties);
  }

  private static Staged stage(SparkSession spark, Dataset<Row> raw, SourceConfig source, LocalDate asOf, Instant now,
      LocalDate readFrom, List<String> properties) {
    if (readFrom == null) {
      return stage(spark, raw, source, asOf, now, properties);
    }
    // The lookback days before readFrom (and one more, for a day 23 hours long) are read too, only for the copies a
    // duplicate of the read days may follow.
    Staged staged = stage(spark, since(raw, source, readFrom.minusDays(source.lookbackDays() + 1L)), source, asOf, now,
        properties);
    Column inScope = col("event_at").isNull().or(to_date(col("event_at")).geq(lit(java.sql.Date.valueOf(readFrom))));
    Dataset<Row> checked = staged.checked().where(inScope);
    return new Staged(staged.events().where(col("event_date").geq(lit(java.sql.Date.valueOf(readFrom)))),
        refused(checked), checked);
  }

  /**
   * The rows stamped on or after the start of {@code day} in the session time zone, and those without a usable
   * stamp. On a timestamp column (or epoch numbers) the filter reaches the files, so a source written in time order
   * is read only from its recent files.
   */
  static Dataset<Row> since(Dataset<Row> raw, SourceConfig source, LocalDate day) {
    if (day == null) {
      return raw;
    }
    String column = source.column("event_at");
    DataType type = SourceReader.typeOf(raw, column);
    java.time.ZoneId zone = java.time.ZoneId.of(raw.sparkSession().conf().get("spark.sql.session.timeZone"));
    long start = day.atStartOfDay(zone).toEpochSecond();
    if (Timestamps.comparable(type, source)) {
      return raw.where(col(column).geq(lit(Timestamps.raw(start, source))).or(col(column).isNull()));
    }
    Column at = expr(Timestamps.parse("__event_at_raw", type, source));
    return raw.withColumn("__event_at_raw", col(column))
        .where(at.geq(lit(new Timestamp(start * 1000))).or(at.isNull())).drop("__event_at_raw");
  }

  /** Stages an already opened source; exposed so tests can pass fixture frames. */
  public static Staged stage(SparkSession spark, Dataset<Row> raw, SourceConfig source, LocalDate asOf, Instant now) {
    return stage(spark, raw, source, asOf, now, List.of());
  }

  /** Stages an already opened source, carrying the named event properties. */
  public static Staged stage(SparkSession spark, Dataset<Row> raw, SourceConfig source, LocalDate asOf, Instant now,
      List<String> properties) {
    Column known = source.vocabulary().isEmpty()
        ? lit(true)
        : col(source.column("event_name")).isin(source.vocabulary().toArray());
    Dataset<Row> renamed = raw.select(
        optional(source.column("event_id")).as("event_id"),
        col(source.column("user_id")).as("user_id"),
        col(source.column("event_name")).as("event_name"),
        col(source.column("event_at")).as("event_at_raw"),
        optional(source.column("revenue")).as("revenue_raw"),
        optional(source.column("anonymous_id")).as("anonymous_id"),
        optional(source.column("properties")).as("properties_raw"),
        known.as("is_known_event"));
    DataType stamp = renamed.schema().apply("event_at_raw").dataType();
    DataType props = renamed.schema().apply("properties_raw").dataType();
    Dataset<Row> parsed = renamed.withColumn("event_at_parsed", expr(Timestamps.parse("event_at_raw", stamp, source)))
        .withColumn("properties", Properties.carried("properties_raw", props, properties))
        .withColumn("is_readable_properties", Properties.readable("properties_raw", props, properties))
        .drop("properties_raw");
    if (source.identity().stitch()) {
      String table = source.identity().table();
      Dataset<Row> identifies = table == null ? null : SourceReader.open(spark, table, "source.identity.table");
      for (String column : identifies == null ? List.<String>of()
          : List.of(source.identity().userIdColumn(), source.identity().anonymousIdColumn())) {
        if (SourceReader.typeOf(identifies, column) == null) {
          throw new io.segments.io.InputRefusedException("source.identity.table '" + table + "' has no column '"
              + column + "'; it has " + java.util.Arrays.toString(identifies.columns()),
              "set source.identity.columns.user_id and .anonymous_id to its two id columns");
        }
      }
      parsed = IdentityStitch.stitch(parsed, identifies, source.identity());
    }
    parsed.createOrReplaceTempView("source_events");

    Map<String, Object> params = new LinkedHashMap<>();
    params.put("as_of", asOf);
    params.put("future_limit", Timestamp.from(now.plusSeconds(3600L * source.futureToleranceHours())));
    Dataset<Row> checked = withBotFilter(SqlFiles.run(spark, "staging/stg_events_checked.sql", params),
        source.botMaxEventsPerDay());
    // One shuffle, by user: deduplication (per user) and the rollup's aggregation both run within it.
    Column dedupeKey = concat_ws("\u0001", source.dedupeKey().stream()
        .map(k -> col(k.equals("revenue") ? "revenue_usd" : k).cast("string")).toArray(Column[]::new));
    checked.where(col("quarantine_reason").isNull()).repartition(col("user_id"))
        .withColumn("dedupe_key", dedupeKey)
        .createOrReplaceTempView("stg_events_valid");
    Dataset<Row> events = SqlFiles.run(spark, "staging/stg_events.sql",
        Map.of("horizon_days", source.lookbackDays()));
    Dataset<Row> quarantined = refused(checked);
    return new Staged(events, quarantined, checked);
  }

  /** The reason of an event with only an anonymous id: set aside (not stored, not counted toward the ceiling). */
  public static final String ANONYMOUS = "anonymous_only";

  /** A mapped column, or a null string when the source has none. */
  private static Column optional(String column) {
    return column == null ? lit(null).cast("string") : col(column);
  }

  /**
   * The refused rows of checked rows, with the columns quarantine_events stores; events with only an anonymous id
   * are set aside, not stored.
   */
  public static Dataset<Row> refused(Dataset<Row> checked) {
    return checked.where(col("quarantine_reason").isNotNull().and(col("quarantine_reason").notEqual(ANONYMOUS)))
        .select("quarantine_reason", "event_id", "user_id", "event_name", "event_at_raw", "revenue_raw");
  }

  /**
   * Adds {@code is_repeat}: true for a refused row already stored in {@code quarantine_events} under an earlier
   * as-of date (a row without a usable stamp, or stamped in the future, is read again by every run). Such rows
   * are neither stored again nor counted toward the day's ceiling. Keyed by a hash of the raw fields; Spark
   * broadcasts the earlier keys while they are few and joins by hash when they are many.
   */
  public static Dataset<Row> markRepeats(Dataset<Row> checked, Dataset<Row> earlierQuarantine) {
    if (earlierQuarantine == null) {
      return checked.withColumn("is_repeat", lit(false));
    }
    Dataset<Row> seen = earlierQuarantine.select(rawKey().as("seen_key")).distinct()
        .withColumn("seen", lit(true));
    return checked
        .withColumn("raw_key", when(col("quarantine_reason").isNotNull(), rawKey()))
        .join(seen, col("raw_key").equalTo(col("seen_key")), "left")
        .withColumn("is_repeat", coalesce(col("seen"), lit(false)))
        .drop("raw_key", "seen_key", "seen");
  }

  private static Column rawKey() {
    return xxhash64(concat_ws("\u0001", java.util.stream.Stream.of("event_id", "user_id", "event_name",
            "event_at_raw", "revenue_raw").map(c -> coalesce(col(c).cast("string"), lit("\u0000")))
        .toArray(Column[]::new)));
  }

  /**
   * Sets aside the days on which a user has more than {@code maxPerDay} valid events (a bot or a test account),
   * so one such user cannot dominate the run. Counted with an aggregation (skew-safe), joined back by broadcast.
   */
  static Dataset<Row> withBotFilter(Dataset<Row> checked, long maxPerDay) {
    if (maxPerDay <= 0) {
      return checked;
    }
    Dataset<Row> busy = checked.where(col("quarantine_reason").isNull())
        .groupBy(col("user_id").as("bot_user_id"), to_date(col("event_at")).as("bot_day")).count()
        .where(col("count").gt(maxPerDay)).select("bot_user_id", "bot_day");
    Column flagged = col("bot_day").isNotNull().and(col("quarantine_reason").isNull());
    return checked.join(broadcast(busy), col("user_id").equalTo(col("bot_user_id"))
            .and(to_date(col("event_at")).equalTo(col("bot_day"))), "left")
        .withColumn("quarantine_reason", when(flagged, lit("bot_over_" + maxPerDay + "_events_per_day"))
            .otherwise(col("quarantine_reason")))
        .drop("bot_user_id", "bot_day");
  }
}
