package io.segments.rollup;


import io.segments.SparkTestBase;
import io.segments.io.Warehouse;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/** The rollup: one row per user, day and event; a refresh rewrites only the days whose events changed. */
class DailyRollupTest extends SparkTestBase {
  private static final StructType STAGED = new StructType().add("event_id", "string").add("user_id", "string")
      .add("event_name", "string").add("event_at", "timestamp").add("revenue_usd", "double")
      .add("event_date", "date");

  private Dataset<Row> staged(Object[]... rows) {
    return frame(STAGED, rows);
  }

  @Test
  void oneRowPerUserDayAndEventWithCountsRevenueAndFirstAndLastTimes() {
    Dataset<Row> rollup = DailyRollup.compute(staged(
        row("e1", "u1", "buy", at("2026-05-01 09:00:00"), 10.0, day("2026-05-01")),
        row("e2", "u1", "buy", at("2026-05-01 17:30:00"), 5.5, day("2026-05-01")),
        row("e3", "u1", "buy", at("2026-05-02 08:00:00"), null, day("2026-05-02")),
        row("e4", "u2", "view", at("2026-05-01 12:00:00"), null, day("2026-05-01"))));
    List<Row> rows = sorted(rollup.select("user_id", "activity_date", "event_name", "event_count", "revenue_usd",
        "first_event_at", "last_event_at"), "user_id", "activity_date", "event_name");
    Assertions.assertEquals(3, rows.size());
    Assertions.assertEquals(List.of("u1", day("2026-05-01"), "buy", 2L, 15.5, at("2026-05-01 09:00:00"),
        at("2026-05-01 17:30:00")), List.of(rows.get(0).get(0), rows.get(0).get(1), rows.get(0).get(2),
        rows.get(0).get(3), rows.get(0).get(4), rows.get(0).get(5), rows.get(0).get(6)));
    Assertions.assertEquals(1L, rows.get(1).getLong(3));
    Assertions.assertEquals(null, rows.get(1).get(4), "no revenue stays null");
    Assertions.assertEquals("u2", rows.get(2).getString(0));
  }

  @Test
  void aRefreshRecomputesOnlyTheDaysWhoseEventsChanged() {
    spark().sql("create database if not exists rollup_refresh");
    Warehouse warehouse = new Warehouse(spark(), "rollup_refresh");
    Object[] may1 = row("e1", "u1", "buy", at("2026-05-01 09:00:00"), 10.0, day("2026-05-01"));
    Object[] may2 = row("e2", "u1", "buy", at("2026-05-02 09:00:00"), 1.0, day("2026-05-02"));
    LocalDate asOf = LocalDate.of(2026, 5, 2);
    DailyRollup.Refresh first = DailyRollup.refresh(warehouse, staged(may1, may2), false, null, asOf,
        DailyRollup.storedFingerprints(warehouse));
    Assertions.assertEquals(true, first.full(), "no table yet: a full build");
    Assertions.assertEquals(2, first.daysTotal());

    DailyRollup.Refresh same = DailyRollup.refresh(warehouse, staged(may1, may2), false, null, asOf,
        DailyRollup.storedFingerprints(warehouse));
    Assertions.assertEquals(0, same.daysRecomputed(), "the same events change no day");

    Object[] lateMay1 = row("e9", "u2", "buy", at("2026-05-01 23:00:00"), 2.0, day("2026-05-01"));
    DailyRollup.Refresh late = DailyRollup.refresh(warehouse, staged(may1, may2, lateMay1), false, null, asOf,
        DailyRollup.storedFingerprints(warehouse));
    Assertions.assertEquals(1, late.daysRecomputed(), "a late event of May 1 recomputes May 1 only");
    Assertions.assertEquals("WRITE Overwrite", lastWrite(), "May 1 is replaced");
    Assertions.assertEquals(3L, warehouse.read("user_daily_activity").count());
    Assertions.assertNotEquals(0L, late.rows());

    Object[] may3 = row("e3", "u1", "buy", at("2026-05-03 09:00:00"), 3.0, day("2026-05-03"));
    DailyRollup.Refresh next = DailyRollup.refresh(warehouse, staged(may1, may2, lateMay1, may3), false, null,
        asOf.plusDays(1), DailyRollup.storedFingerprints(warehouse));
    Assertions.assertEquals(1, next.daysRecomputed());
    Assertions.assertEquals("WRITE Append", lastWrite(), "a day after every noted one has nothing to replace");
    Assertions.assertEquals(4L, warehouse.read("user_daily_activity").count());
    Assertions.assertEquals(4, DailyRollup.storedFingerprints(warehouse).values().stream()
        .mapToLong(print -> print[0]).sum(), "the note names the new day too");

    Object[] lateMay3 = row("e8", "u2", "view", at("2026-05-03 10:00:00"), null, day("2026-05-03"));
    Object[] may4 = row("e4", "u1", "buy", at("2026-05-04 09:00:00"), 4.0, day("2026-05-04"));
    DailyRollup.refresh(warehouse, staged(may1, may2, lateMay1, may3, lateMay3, may4), false, null,
        asOf.plusDays(2), DailyRollup.storedFingerprints(warehouse));
    Assertions.assertEquals("WRITE Overwrite", lastWrite(), "a late day with the new one: both replaced");
    Assertions.assertEquals(List.of("2026-05-01=2", "2026-05-02=1", "2026-05-03=2", "2026-05-04=1"),
        sorted(warehouse.read("user_daily_activity").groupBy("activity_date").count(), "activity_date").stream()
            .map(r -> r.getDate(0) + "=" + r.getLong(1)).toList());
  }

  private String lastWrite() {
    Row last = spark().sql("describe history rollup_refresh.user_daily_activity limit 1").first();
    return last.getAs("operation") + " " + last.<scala.collection.Map<String, String>>getAs("operationParameters")
        .get("mode").getOrElse(() -> "");
  }
}
