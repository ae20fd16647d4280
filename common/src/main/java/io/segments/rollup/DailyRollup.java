package io.segments.rollup;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.xxhash64;

import io.segments.io.SqlFiles;
import io.segments.io.Warehouse;
import java.sql.Date;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The rollup step: {@code user_daily_activity}, one row per (user_id, activity_date, event_name) with the
 * day's count, revenue and first and last timestamps, partitioned by activity_date.
 *
 * <p>Incremental: each day of staged events has a fingerprint (row count and a checksum of its rows) kept in
 * {@code rollup_fingerprints}. A run recomputes only the days whose fingerprint changed (new, late, deleted
 * or corrected events) and replaces just those partitions; {@code full} rebuilds everything. Both give the
 * same table. A run that read only the days from {@code readFrom} (source.lookback_days) compares and
 * replaces only those days, up to its as-of day.
 */
public final class DailyRollup {
  private DailyRollup() {}

  /** What a refresh did. */
  public record Refresh(int daysRecomputed, int daysTotal, boolean full) {}

  public static Dataset<Row> compute(Dataset<Row> stagedEvents) {
    stagedEvents.createOrReplaceTempView("stg_events");
    return SqlFiles.run(stagedEvents.sparkSession(), "intermediate/user_daily_activity.sql");
  }

  /**
   * @param readFrom the first day the staged events cover; null when they cover all history
   * @param asOf the last day they cover
   */
  public static Refresh refresh(Warehouse warehouse, Dataset<Row> stagedEvents, boolean full, LocalDate readFrom,
      LocalDate asOf) {
    Dataset<Row> fingerprints = stagedEvents.groupBy(col("event_date").as("activity_date"))
        .agg(count("*").as("events"),
            sum(xxhash64(col("event_id"), col("user_id"), col("event_name"), col("event_at"), col("revenue_usd")))
                .as("checksum"));
    Map<Date, String> now = fingerprintsOf(fingerprints);
    boolean rebuild = full || !warehouse.exists("user_daily_activity") || !warehouse.exists("rollup_fingerprints");
    if (rebuild) {
      warehouse.overwrite(compute(stagedEvents).repartition(col("activity_date")), "user_daily_activity",
          "activity_date");
    } else {
      Map<Date, String> before = fingerprintsOf(warehouse.read("rollup_fingerprints"));
      TreeSet<Date> changed = new TreeSet<>();
      now.forEach((day, print) -> {
        if (!Objects.equals(before.get(day), print)) {
          changed.add(day);
        }
      });
      before.keySet().stream().filter(day -> !now.containsKey(day) && covered(day, readFrom, asOf))
          .forEach(changed::add);
      if (changed.isEmpty()) {
        return new Refresh(0, now.size(), false);
      }
      List<String> days = changed.stream().map(d -> "'" + d + "'").toList();
      Dataset<Row> touched = stagedEvents.where(col("event_date").isin(changed.toArray()));
      warehouse.replaceWhere(compute(touched).repartition(col("activity_date")), "user_daily_activity",
          "activity_date in (" + String.join(", ", days) + ")", "activity_date");
      warehouse.replaceWhere(fingerprints, "rollup_fingerprints", (readFrom == null ? ""
          : "activity_date >= '" + readFrom + "' and ") + "activity_date <= '" + asOf + "'");
      return new Refresh(changed.size(), now.size(), false);
    }
    warehouse.overwrite(fingerprints, "rollup_fingerprints");
    return new Refresh(now.size(), now.size(), true);
  }

  private static boolean covered(Date day, LocalDate readFrom, LocalDate asOf) {
    LocalDate d = day.toLocalDate();
    return (readFrom == null || !d.isBefore(readFrom)) && !d.isAfter(asOf);
  }

  private static Map<Date, String> fingerprintsOf(Dataset<Row> fingerprints) {
    Map<Date, String> map = new HashMap<>();
    fingerprints.collectAsList().forEach(r -> map.put(r.getDate(0), r.getLong(1) + ":" + r.get(2)));
    return map;
  }
}
