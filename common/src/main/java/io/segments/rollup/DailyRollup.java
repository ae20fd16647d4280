package io.segments.rollup;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

import io.segments.config.PipelineConfig;
import io.segments.config.PropertyFilters;
import io.segments.config.SourceConfig;
import io.segments.io.SqlFiles;
import io.segments.io.Warehouse;
import java.sql.Date;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;

/**
 * The rollup step: {@code user_daily_activity}, one row per (user_id, activity_date, event_name, and the values of
 * the event properties that features' where conditions name, when some do) with the day's count, revenue, first and
 * last timestamps and a checksum of its events, partitioned by activity_date.
 *
 * <p>Incremental: each day has a fingerprint (its event count and the sum of its rows' checksums), all of them
 * noted by each write of the table (its commit's user metadata). A run recomputes the days it read, and replaces only those whose fingerprint
 * changed (new, late, deleted or corrected events); {@code full} rebuilds everything. Both give the same table.
 * A run that read only the days from {@code readFrom} (source.lookback_days) compares and replaces only those
 * days, up to its as-of day. The events are read once, and never held in memory.
 */
public final class DailyRollup {
  private DailyRollup() {}

  /**
   * What a refresh did: days recomputed of the days read, events rolled up, rows written.
   *
   * @param rows rollup rows written (null when the commit did not record it)
   * @param stored the fingerprints the table holds after the refresh
   */
  public record Refresh(int daysRecomputed, int daysTotal, boolean full, long events, Long rows,
      Map<Date, long[]> stored) {}

  /**
   * The first day of events a run as of {@code asOf} reads with {@code source.lookback_days} = {@code lookback} (> 0)
   * and these fingerprints (not empty): the lookback days before the first day not rolled up yet.
   */
  public static LocalDate firstDayToRead(Map<Date, long[]> prints, LocalDate asOf, int lookback) {
    LocalDate firstNew = java.util.Collections.max(prints.keySet()).toLocalDate().plusDays(1);
    return (firstNew.isBefore(asOf) ? firstNew : asOf).minusDays(lookback);
  }

  public static Dataset<Row> compute(Dataset<Row> stagedEvents) {
    if (!java.util.Arrays.asList(stagedEvents.columns()).contains("properties")) {
      stagedEvents = stagedEvents.withColumn("properties", lit(null).cast("string"));
    }
    stagedEvents.createOrReplaceTempView("stg_events");
    Dataset<Row> rollup = SqlFiles.run(stagedEvents.sparkSession(), "intermediate/user_daily_activity.sql");
    return carried(rollup).isEmpty() ? rollup.drop("properties") : rollup;
  }

  /** The table property of user_daily_activity that records how its rows were read from the source. */
  static final String RULE = "segments.source_rule";

  /**
   * How the rollup reads the source: the column mapping, reader options, timestamp rule, dedupe key, identity
   * stitching, the properties that where conditions name, the time zone of its days, the vocabulary and the bot
   * filter (a row quarantined under the old ones is never read again otherwise), and the days within which a copy
   * is a duplicate (source.lookback_days). When it differs from the rule the stored rollup was
   * written with, the rollup is rebuilt from all history (a daily run with a lookback would otherwise mix the two).
   */
  public static String rule(PipelineConfig config) {
    SourceConfig s = config.source();
    return rule(s, s.timestampZone(), PropertyFilters.properties(config.features())) + days(config);
  }

  /** The part of the rule that decides which rows count on which day. */
  private static String days(PipelineConfig config) {
    SourceConfig s = config.source();
    return "; time_zone=" + config.timeZone() + "; vocabulary=" + new java.util.TreeSet<>(s.vocabulary())
        + "; bot_filter=" + s.botMaxEventsPerDay() + "; dedupe_within_days=" + s.lookbackDays();
  }

  private static String rule(SourceConfig s, String zone, java.util.List<String> properties) {
    return "columns=" + new java.util.TreeMap<>(s.columns()) + "; options="
        + new java.util.TreeMap<>(io.segments.io.SourceReader.readerOptions(s.events(), s.options()))
        + "; timestamp_zone=" + zone + "; timestamp_unit=" + s.timestampUnit() + "; dedupe_key=" + s.dedupeKey()
        + "; stitch=" + s.identity().stitch() + (s.identity().stitch() ? " " + s.identity() : "")
        + "; properties=" + properties;
  }

  /**
   * Whether the stored rollup was read by another rule. A table from before the rule was recorded read naive
   * timestamps in the segment time zone and carried no properties (its days, vocabulary and bot filter are taken to
   * be the config's). A rule recorded before the days' part was added differs: that rollup is rebuilt once.
   */
  public static boolean readsOtherwise(Warehouse warehouse, PipelineConfig config) {
    return warehouse.exists("user_daily_activity") && !storedRule(warehouse, config).equals(rule(config));
  }

  /** Records the config's rule on the stored rollup, when it is not already the one recorded. */
  public static void recordRule(Warehouse warehouse, PipelineConfig config) {
    String stored = warehouse.ddl().properties("user_daily_activity").get(RULE);
    if (!rule(config).equals(stored)) {
      warehouse.ddl().setProperties("user_daily_activity", Map.of(RULE, rule(config)));
    }
  }

  private static String storedRule(Warehouse warehouse, PipelineConfig config) {
    String stored = warehouse.ddl().properties("user_daily_activity").get(RULE);
    return stored != null ? stored : rule(config.source(), config.timeZone(), java.util.List.of()) + days(config);
  }

  /** The event properties a rollup (or the stored table) carries: the fields of its properties struct. */
  public static java.util.List<String> carried(Dataset<Row> rollup) {
    return java.util.Arrays.asList(rollup.columns()).contains("properties")
        && rollup.schema().apply("properties").dataType() instanceof org.apache.spark.sql.types.StructType struct
        ? java.util.List.of(struct.fieldNames()) : java.util.List.of();
  }

  /**
   * @param readFrom the first day the staged events cover; null when they cover all history
   * @param asOf the last day they cover
   */
  public static Refresh refresh(Warehouse warehouse, Dataset<Row> stagedEvents, boolean full, LocalDate readFrom,
      LocalDate asOf, Map<Date, long[]> before) {
    Dataset<Row> rollup = compute(stagedEvents);
    if (full || !warehouse.exists("user_daily_activity") || before.isEmpty()) {
      // Dropped first: a run killed before the note below leaves no fingerprints (the next run rebuilds), never
      // the old table's prints of rows no longer there.
      dropLegacyTable(warehouse);
      warehouse.overwrite(rollup.repartition(col("activity_date")), "user_daily_activity", "activity_date");
      Long rows = warehouse.rowsWritten("user_daily_activity");
      // The fingerprints of the rows as written (the events are not read twice), noted by a commit of their own.
      Map<Date, long[]> now = fingerprintsOf(fingerprints(warehouse.read("user_daily_activity")));
      warehouse.noteOnly("user_daily_activity", note(now));
      return new Refresh(now.size(), now.size(), true, events(now), rows, now);
    }
    rollup = rollup.persist(StorageLevel.MEMORY_AND_DISK());
    try {
      Dataset<Row> prints = fingerprints(rollup);
      Map<Date, long[]> now = fingerprintsOf(prints);
      TreeSet<Date> changed = new TreeSet<>();
      now.forEach((day, print) -> {
        if (!before.containsKey(day) || !java.util.Arrays.equals(before.get(day), print)) {
          changed.add(day);
        }
      });
      before.keySet().stream().filter(day -> !now.containsKey(day) && covered(day, readFrom, asOf))
          .forEach(changed::add);
      if (changed.isEmpty()) {
        return new Refresh(0, now.size(), false, events(now), 0L, before);
      }
      // The days read now have the prints computed; the others keep theirs.
      Map<Date, long[]> stored = new HashMap<>(now);
      before.forEach((day, print) -> {
        if (!covered(day, readFrom, asOf)) {
          stored.putIfAbsent(day, print);
        }
      });
      // Days all after the last one the noted fingerprints name (a daily run's new day) have no rows to replace:
      // appended, which Delta does without reading the table's file list (a snapshot and a scan planning).
      String noted = warehouse.note("user_daily_activity");
      boolean after = noted != null && noted.startsWith(NOTE) && changed.first().after(java.util.Collections.max(
          before.keySet()));
      warehouse.replaceWhereNoting(rollup.where(col("activity_date").isin(changed.toArray()))
          .repartition(col("activity_date")), "user_daily_activity",
          after ? null : Warehouse.in("activity_date", changed), note(stored));
      Long rows = warehouse.rowsWritten("user_daily_activity");
      dropLegacyTable(warehouse);
      return new Refresh(changed.size(), now.size(), false, events(now), rows, stored);
    } finally {
      rollup.unpersist();
    }
  }

  /** Per day: its events and the sum of their checksums (a change to any event changes it). */
  static Dataset<Row> fingerprints(Dataset<Row> rollup) {
    return rollup.groupBy("activity_date").agg(sum("event_count").as("events"), sum("checksum").as("checksum"));
  }

  private static boolean covered(Date day, LocalDate readFrom, LocalDate asOf) {
    LocalDate d = day.toLocalDate();
    return (readFrom == null || !d.isBefore(readFrom)) && !d.isAfter(asOf);
  }

  private static long events(Map<Date, long[]> prints) {
    return prints.values().stream().mapToLong(p -> p[0]).sum();
  }

  private static final String NOTE = "fingerprints";

  /** The note of a rollup write: its fingerprint per day, a line "day=events:checksum" each, in day order. */
  static String note(Map<Date, long[]> prints) {
    StringBuilder note = new StringBuilder(NOTE);
    new java.util.TreeMap<>(prints).forEach((day, print) ->
        note.append('\n').append(day).append('=').append(print[0]).append(':').append(print[1]));
    return note.toString();
  }

  /**
   * The stored fingerprint of each day (events, checksum): the note of the rollup's last write (read on the driver,
   * no Spark job); empty before a first rollup, or when its last write has none (a hand-made change: rebuilt).
   * Rollups written before 2026-12 kept them in the table {@code rollup_fingerprints}, read until the next write.
   */
  public static Map<Date, long[]> storedFingerprints(Warehouse warehouse) {
    if (!warehouse.exists("user_daily_activity")) {
      return Map.of();
    }
    String note = warehouse.note("user_daily_activity");
    if (note == null || !note.startsWith(NOTE)) {
      return warehouse.exists(LEGACY) ? fingerprintsOf(warehouse.read(LEGACY)) : Map.of();
    }
    Map<Date, long[]> prints = new HashMap<>();
    note.lines().skip(1).forEach(line -> {
      int eq = line.indexOf('=');
      int colon = line.lastIndexOf(':');
      prints.put(Date.valueOf(line.substring(0, eq)), new long[] {Long.parseLong(line.substring(eq + 1, colon)),
          Long.parseLong(line.substring(colon + 1))});
    });
    return prints;
  }

  private static final String LEGACY = "rollup_fingerprints";

  /** The fingerprints are the rollup's note once it is written with one: the table of before goes. */
  private static void dropLegacyTable(Warehouse warehouse) {
    warehouse.ddl().dropIfExists(LEGACY);
  }

  /** Fingerprints as text, "events:checksum" per day, which carried states note to tell whether a day changed. */
  public static Map<LocalDate, String> texts(Map<Date, long[]> prints) {
    Map<LocalDate, String> texts = new java.util.TreeMap<>();
    prints.forEach((day, print) -> texts.put(day.toLocalDate(), print[0] + ":" + print[1]));
    return texts;
  }

  private static Map<Date, long[]> fingerprintsOf(Dataset<Row> fingerprints) {
    Map<Date, long[]> map = new HashMap<>();
    fingerprints.select("activity_date", "events", "checksum").collectAsList()
        .forEach(r -> map.put(r.getDate(0), new long[] {r.getLong(1), r.isNullAt(2) ? 0 : r.getLong(2)}));
    return map;
  }
}
