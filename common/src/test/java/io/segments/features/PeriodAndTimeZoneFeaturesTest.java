package io.segments.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.segments.SparkTestBase;
import io.segments.config.ConfigException;
import io.segments.config.ConfigLoader;
import io.segments.config.FeatureKind;
import io.segments.config.FeatureSpec;
import io.segments.rollup.DailyRollup;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/** streak, regularly, purchase_summary and day boundaries across a DST change, on hand-worked events. */
class PeriodAndTimeZoneFeaturesTest extends SparkTestBase {
  private static final StructType EVENTS = new StructType()
      .add("event_id", DataTypes.StringType).add("user_id", DataTypes.StringType)
      .add("event_name", DataTypes.StringType).add("event_at", DataTypes.TimestampType)
      .add("revenue_usd", DataTypes.DoubleType);

  @AfterEach
  void backToUtc() {
    spark().conf().set("spark.sql.session.timeZone", "UTC");
  }

  private static FeatureSpec periodic(String name, FeatureKind kind, boolean weekly, int minEvents, int periods,
      int minPeriods) {
    return new FeatureSpec(name, kind, List.of(), 0, null, null, 0, 0, "followed_by", List.of(), 0, minEvents, periods,
        minPeriods, weekly, null, "test");
  }

  private static FeatureSpec simple(String name, FeatureKind kind, List<String> events, int window) {
    return new FeatureSpec(name, kind, events, window, null, null, 0, 0, "followed_by", List.of(), 0, 1, 0, 0, true,
        null, "test");
  }

  private Map<String, Row> build(List<FeatureSpec> specs, LocalDate asOf, Object[]... events) {
    Dataset<Row> staged = frame(EVENTS, events).withColumn("event_date", functions.to_date(functions.col("event_at")));
    Map<String, Row> byUser = new HashMap<>();
    new FeatureBuilder(specs, ConfigLoader.DEFAULT_RFM_MAP)
        .build(DailyRollup.compute(staged), null, List.of(asOf)).collectAsList()
        .forEach(r -> byUser.put(r.getAs("user_id"), r));
    return byUser;
  }

  private static Object[] event(String user, String name, String at, Double revenue) {
    return row(user + at + name, user, name, at(at), revenue);
  }

  @Test
  void streaksAndRegularityCountPeriodsEndingWithTheOneContainingD() {
    // D = 2026-03-11, a Wednesday. ISO weeks: w0 03-09..03-15, w1 03-02..03-08, w2 02-23..03-01, w3 02-16..02-22.
    List<FeatureSpec> specs = List.of(
        periodic("weekly_streak", FeatureKind.STREAK, true, 2, 0, 0),
        periodic("daily_streak", FeatureKind.STREAK, false, 1, 0, 0),
        periodic("two_of_four_weeks", FeatureKind.REGULARLY, true, 2, 4, 2),
        periodic("three_of_four_weeks", FeatureKind.REGULARLY, true, 2, 4, 3));
    Map<String, Row> rows = build(specs, LocalDate.of(2026, 3, 11),
        event("s", "edit", "2026-03-09 10:00:00", null),
        event("s", "edit", "2026-03-12 10:00:00", null),
        event("s", "edit", "2026-03-12 11:00:00", null),
        event("s", "edit", "2026-03-03 10:00:00", null),
        event("s", "edit", "2026-03-03 11:00:00", null),
        event("s", "edit", "2026-02-25 10:00:00", null),
        event("s", "edit", "2026-02-17 10:00:00", null),
        event("s", "edit", "2026-02-17 11:00:00", null),
        event("t", "edit", "2026-03-09 10:00:00", null),
        event("t", "edit", "2026-03-10 10:00:00", null),
        event("t", "edit", "2026-03-11 10:00:00", null),
        event("t", "edit", "2026-03-11 11:00:00", null));
    Row s = rows.get("s");
    assertEquals(0, (int) s.getAs("weekly_streak"), "w0 has one event by D (the 03-12 ones come later)");
    assertEquals(0, (int) s.getAs("daily_streak"), "nothing on D");
    Assertions.assertTrue(s.<Boolean>getAs("two_of_four_weeks"), "w1 and w3 have 2+ events");
    Assertions.assertFalse(s.<Boolean>getAs("three_of_four_weeks"));
    Row t = rows.get("t");
    assertEquals(1, (int) t.getAs("weekly_streak"), "w0 has 4 events, w1 none");
    assertEquals(3, (int) t.getAs("daily_streak"), "03-09, 03-10, 03-11");
  }

  @Test
  void purchaseSummaryFollowsTheLifetimesDefinitionsAtDailyGranularity() {
    FeatureSpec summary = simple("clv", FeatureKind.PURCHASE_SUMMARY, List.of("upgrade"), 0);
    Map<String, Row> rows = build(List.of(summary), LocalDate.of(2026, 3, 11),
        event("p", "upgrade", "2026-01-01 09:00:00", 10.0),
        event("p", "upgrade", "2026-01-01 17:00:00", 5.0),
        event("p", "upgrade", "2026-01-10 09:00:00", 20.0),
        event("p", "upgrade", "2026-02-01 09:00:00", 40.0),
        event("p", "comment", "2026-03-01 09:00:00", null),
        event("q", "upgrade", "2026-03-11 09:00:00", 9.0),
        event("n", "comment", "2026-03-01 09:00:00", null));
    Row p = rows.get("p");
    assertEquals(2L, (long) p.getAs("clv_frequency"), "3 purchase days, the first is not a repeat");
    assertEquals(31, (int) p.getAs("clv_recency"), "01-01 to 02-01");
    assertEquals(69, (int) p.getAs("clv_t"), "01-01 to 03-11");
    assertEquals(30.0, (double) p.getAs("clv_monetary_value"), 1e-9, "mean of the repeat days 20 and 40");
    Row q = rows.get("q");
    assertEquals(0L, (long) q.getAs("clv_frequency"));
    assertEquals(0.0, (double) q.getAs("clv_monetary_value"), 1e-9, "0 when frequency is 0");
    assertNull(rows.get("n").getAs("clv_frequency"), "no purchase: not in the summary");
  }

  @Test
  void daysAreCalendarDaysOfTheConfiguredZoneAcrossTheDstChange() {
    spark().conf().set("spark.sql.session.timeZone", "America/New_York");
    // DST starts 2026-03-08 in New York: 03-08 has 23 hours.
    List<FeatureSpec> specs = List.of(
        simple("events_1d", FeatureKind.COUNT, List.of(), 1),
        simple("active_days_2d", FeatureKind.ACTIVE_DAYS, List.of(), 2),
        simple("days_since_last", FeatureKind.RECENCY, List.of(), 0));
    Object[][] events = {
        row("e1", "z", "edit", Timestamp.from(Instant.parse("2026-03-08T04:30:00Z")), null),
        row("e2", "z", "edit", Timestamp.from(Instant.parse("2026-03-09T03:30:00Z")), null),
        row("e3", "z", "edit", Timestamp.from(Instant.parse("2026-03-09T04:30:00Z")), null)};
    Row z = build(specs, LocalDate.of(2026, 3, 8), events).get("z");
    assertEquals(1L, (long) z.getAs("events_1d"), "23:30 EDT on 03-08 counts; 00:30 EDT on 03-09 does not");
    assertEquals(2L, (long) z.getAs("active_days_2d"), "03-07 23:30 EST and 03-08 23:30 EDT");
    assertEquals(0, (int) z.getAs("days_since_last"));
    Row next = build(specs, LocalDate.of(2026, 3, 9), events).get("z");
    assertEquals(1L, (long) next.getAs("events_1d"));
  }

  @Test
  void anExpressionNamingAMissingFeatureIsAConfigError() {
    FeatureSpec broken = new FeatureSpec("ratio", FeatureKind.EXPRESSION, List.of(), 0, null, null, 0, 0,
        "followed_by", List.of(), 0, 1, 0, 0, true, "events_7d / nope_7d", "features.yaml:12");
    FeatureBuilder builder = new FeatureBuilder(List.of(simple("events_7d", FeatureKind.COUNT, List.of(), 7), broken),
        ConfigLoader.DEFAULT_RFM_MAP);
    ConfigException e = assertThrows(ConfigException.class, () -> builder.schema(spark(), false));
    Assertions.assertTrue(e.getMessage().startsWith("features.yaml:12: feature 'ratio'"), e.getMessage());
  }
}
