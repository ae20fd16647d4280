package io.segments.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import org.junit.jupiter.api.Assertions;

import io.segments.SparkTestBase;
import io.segments.config.ConfigLoader;
import io.segments.config.FeatureKind;
import io.segments.config.FeatureSpec;
import io.segments.rollup.DailyRollup;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * Features as of 2026-03-10 (a Tuesday) on hand-worked events. Every expected value below is derived in the
 * comments from the fixture, not from running the code.
 */
class FeatureBuilderTest extends SparkTestBase {
  private static final StructType EVENTS = new StructType()
      .add("event_id", DataTypes.StringType).add("user_id", DataTypes.StringType)
      .add("event_name", DataTypes.StringType).add("event_at", DataTypes.TimestampType)
      .add("revenue_usd", DataTypes.DoubleType);

  private static FeatureSpec feature(String name, FeatureKind kind, List<String> events, int window) {
    return new FeatureSpec(name, kind, events, window, null, null, 0, 0, "followed_by", List.of(), 0, 1, 0, 0, true,
        null, "test");
  }

  private static FeatureSpec sequence(String name, String mode, int withinDays) {
    return new FeatureSpec(name, FeatureKind.SEQUENCE, List.of(), 0, "create_project", "invite_teammate", withinDays,
        0, mode, List.of(), 0, 1, 0, 0, true, null, "test");
  }

  private Map<String, Row> features(LocalDate asOf) {
    return build(specs(), events(), asOf);
  }

  private Dataset<Row> events() {
    return frame(EVENTS,
        row("a1", "a", "signup", at("2026-02-01 09:00:00"), null),
        row("a2", "a", "create_project", at("2026-03-01 10:00:00"), null),
        row("a3", "a", "comment", at("2026-03-03 12:00:00"), null),
        row("a4", "a", "invite_teammate", at("2026-03-04 10:00:00"), null),
        row("a5", "a", "edit_doc", at("2026-03-04 11:00:00"), null),
        row("a6", "a", "upgrade", at("2026-03-05 15:00:00"), 49.0),
        row("a7", "a", "view_report", at("2026-03-08 10:00:00"), null),
        row("a8", "a", "view_report", at("2026-03-08 11:00:00"), null),
        row("a9", "a", "edit_doc", at("2026-03-10 23:59:59"), null),
        row("a10", "a", "edit_doc", at("2026-03-11 00:00:00"), null),
        row("b1", "b", "signup", at("2026-03-11 08:00:00"), null),
        row("c1", "c", "signup", at("2026-03-10 00:00:00"), null),
        row("c2", "c", "create_project", at("2026-03-10 00:00:00"), null),
        row("d1", "d", "create_project", at("2026-01-01 09:00:00"), null),
        row("d2", "d", "invite_teammate", at("2026-01-05 09:00:01"), null),
        row("d3", "d", "upgrade", at("2026-01-06 10:00:00"), 12.0))
        .withColumn("event_date", org.apache.spark.sql.functions.to_date(org.apache.spark.sql.functions.col("event_at")));
  }

  private static List<FeatureSpec> specs() {
    FeatureSpec expression = new FeatureSpec("engagement", FeatureKind.EXPRESSION, List.of(), 0, null, null, 0, 0,
        "followed_by", List.of(), 0, 1, 0, 0, true, "events_7d + active_days_7d", "test");
    FeatureSpec share = new FeatureSpec("weekend_share_7d", FeatureKind.SHARE, List.of(), 7, null, null, 0, 0,
        "followed_by", List.of(6, 7), 0, 1, 0, 0, true, null, "test");
    FeatureSpec trend = new FeatureSpec("trend_7_7", FeatureKind.TREND, List.of(), 7, null, null, 0, 0,
        "followed_by", List.of(), 7, 1, 0, 0, true, null, "test");
    List<FeatureSpec> specs = List.of(
        expression,
        feature("events_7d", FeatureKind.COUNT, List.of(), 7),
        feature("edits_7d", FeatureKind.COUNT, List.of("edit_doc"), 7),
        feature("active_days_7d", FeatureKind.ACTIVE_DAYS, List.of(), 7),
        feature("days_since_last", FeatureKind.RECENCY, List.of(), 0),
        feature("days_since_comment", FeatureKind.RECENCY, List.of("comment"), 0),
        feature("tenure_days", FeatureKind.TENURE, List.of(), 0),
        feature("distinct_7d", FeatureKind.DISTINCT, List.of(), 7),
        feature("revenue_30d", FeatureKind.SUM, List.of(), 30),
        share, trend,
        sequence("invited_after_project", "followed_by", 3),
        sequence("project_without_invite", "not_followed_by", 3),
        sequence("days_project_to_invite", "days_between", 3),
        feature("rfm", FeatureKind.RFM, List.of("upgrade"), 365));
    return specs;
  }

  /** The features of {@code specs} as of one day over staged {@code events}, by user. */
  private static Map<String, Row> build(List<FeatureSpec> specs, Dataset<Row> events, LocalDate asOf) {
    Map<String, Row> byUser = new HashMap<>();
    new FeatureBuilder(specs, ConfigLoader.DEFAULT_RFM_MAP).build(DailyRollup.compute(events), null, List.of(asOf))
        .collectAsList().forEach(r -> byUser.put(r.getAs("user_id"), r));
    return byUser;
  }

  @Test
  void onlyUsersSeenOnOrBeforeTheDayAreKnown() {
    Map<String, Row> rows = features(LocalDate.of(2026, 3, 10));
    assertEquals(List.of("a", "c", "d"), rows.keySet().stream().sorted().toList(),
        "b's only event is on 03-11, after D: b is not known on D");
  }

  @Test
  void countsAndActiveDaysCoverTheWindowEndingWithD() {
    Map<String, Row> rows = features(LocalDate.of(2026, 3, 10));
    Row a = rows.get("a");
    // window 03-04..03-10: invite, edit, upgrade, view, view, edit at 23:59:59; 03-03 and 03-11 are outside
    assertEquals(6L, (long) a.getAs("events_7d"));
    assertEquals(2L, (long) a.getAs("edits_7d"), "edit_doc at 03-11 00:00:00 is after D");
    assertEquals(4L, (long) a.getAs("active_days_7d"), "03-04, 03-05, 03-08, 03-10");
    assertEquals(4L, (long) a.getAs("distinct_7d"), "invite_teammate, edit_doc, upgrade, view_report");
    assertEquals(49.0, (double) a.getAs("revenue_30d"), 1e-9);
    assertEquals(10L, (long) a.getAs("engagement"), "expression events_7d + active_days_7d");
    Row c = rows.get("c");
    assertEquals(2L, (long) c.getAs("events_7d"), "events exactly at midnight starting D count on D");
    Row d = rows.get("d");
    assertEquals(0L, (long) d.getAs("events_7d"), "no events in the window count 0, not null");
    assertEquals(0L, (long) d.getAs("active_days_7d"));
    assertEquals(0.0, (double) d.getAs("revenue_30d"), 1e-9);
  }

  @Test
  void recencyAndTenureAreWholeDaysToD() {
    Map<String, Row> rows = features(LocalDate.of(2026, 3, 10));
    assertEquals(0, (int) rows.get("a").getAs("days_since_last"), "last event on D itself");
    assertEquals(7, (int) rows.get("a").getAs("days_since_comment"), "comment on 03-03");
    assertEquals(63, (int) rows.get("d").getAs("days_since_last"), "01-06 to 03-10");
    assertNull(rows.get("d").getAs("days_since_comment"), "never commented: null");
    assertEquals(37, (int) rows.get("a").getAs("tenure_days"), "first seen 02-01");
    assertEquals(0, (int) rows.get("c").getAs("tenure_days"));
    assertEquals(68, (int) rows.get("d").getAs("tenure_days"), "first seen 01-01");
  }

  @Test
  void shareAndTrend() {
    Map<String, Row> rows = features(LocalDate.of(2026, 3, 10));
    assertEquals(2.0 / 6, (double) rows.get("a").getAs("weekend_share_7d"), 1e-9, "two views on Sunday 03-08");
    assertEquals(0.0, (double) rows.get("c").getAs("weekend_share_7d"), 1e-9);
    assertNull(rows.get("d").getAs("weekend_share_7d"), "no events in the window: no share");
    // recent 03-04..03-10: 6 events; earlier 02-25..03-03: create_project, comment
    assertEquals(3.0, (double) rows.get("a").getAs("trend_7_7"), 1e-9);
    assertNull(rows.get("c").getAs("trend_7_7"), "earlier period empty: null");
  }

  @Test
  void sequencesCountWholeDaysWithTheLastDayInclusive() {
    Map<String, Row> rows = features(LocalDate.of(2026, 3, 10));
    Assertions.assertTrue(rows.get("a").<Boolean>getAs("invited_after_project"), "invite exactly 3 days after the project");
    assertFalse(rows.get("d").<Boolean>getAs("invited_after_project"), "invite on the 4th day after the project");
    assertFalse(rows.get("c").<Boolean>getAs("invited_after_project"));
    assertFalse(rows.get("a").<Boolean>getAs("project_without_invite"));
    Assertions.assertTrue(rows.get("c").<Boolean>getAs("project_without_invite"));
    Assertions.assertTrue(rows.get("d").<Boolean>getAs("project_without_invite"));
    assertEquals(3, (int) rows.get("a").getAs("days_project_to_invite"));
    assertEquals(4, (int) rows.get("d").getAs("days_project_to_invite"));
    assertNull(rows.get("c").getAs("days_project_to_invite"));
  }

  @Test
  void withinNDaysMeansBOnAsDayAtOrAfterItOrOnTheNDaysAfter() {
    Dataset<Row> events = frame(EVENTS,
        // late: project at 10:00 on 03-01, invite at 11:00 on 03-04 -- more than 72 hours, but on the 3rd day
        row("l1", "late", "create_project", at("2026-03-01 10:00:00"), null),
        row("l2", "late", "invite_teammate", at("2026-03-04 11:00:00"), null),
        // before: the only invite comes earlier on the project's day
        row("b1", "before", "invite_teammate", at("2026-03-06 09:00:00"), null),
        row("b2", "before", "create_project", at("2026-03-06 10:00:00"), null),
        // tie: the same instant counts as "at or after"
        row("t1", "tie", "create_project", at("2026-03-07 10:00:00"), null),
        row("t2", "tie", "invite_teammate", at("2026-03-07 10:00:00"), null),
        // second: the first project day is followed, a later project (after the day's invite) is not
        row("s1", "second", "create_project", at("2026-03-02 08:00:00"), null),
        row("s2", "second", "invite_teammate", at("2026-03-02 09:00:00"), null),
        row("s3", "second", "create_project", at("2026-03-02 17:00:00"), null))
        .withColumn("event_date", org.apache.spark.sql.functions.to_date(org.apache.spark.sql.functions.col("event_at")));
    Map<String, Row> rows = build(List.of(sequence("followed", "followed_by", 3),
        sequence("unfollowed", "not_followed_by", 3), sequence("days", "days_between", 3)), events,
        LocalDate.of(2026, 3, 10));
    Assertions.assertTrue(rows.get("late").<Boolean>getAs("followed"), "03-04 is the 3rd day after 03-01");
    assertEquals(3, (int) rows.get("late").getAs("days"));
    assertFalse(rows.get("before").<Boolean>getAs("followed"), "an invite before the project does not follow it");
    Assertions.assertTrue(rows.get("before").<Boolean>getAs("unfollowed"));
    assertNull(rows.get("before").getAs("days"));
    Assertions.assertTrue(rows.get("tie").<Boolean>getAs("followed"), "same instant: at or after");
    assertFalse(rows.get("tie").<Boolean>getAs("unfollowed"));
    assertEquals(0, (int) rows.get("tie").getAs("days"));
    Assertions.assertTrue(rows.get("second").<Boolean>getAs("followed"));
    Assertions.assertTrue(rows.get("second").<Boolean>getAs("unfollowed"),
        "the 17:00 project has no invite after it on 03-02..03-05");
  }

  @Test
  void firstDaysCountOnlyTheFirstKDaysFromFirstSeen() {
    // a: first seen 02-01 (signup); d: first seen 01-01 (create_project), invite 01-05, upgrade 01-06
    FeatureSpec edits = new FeatureSpec("edits_first_3d", FeatureKind.COUNT, List.of(), 0, null, null, 0, 0,
        "followed_by", List.of(), 0, 1, 0, 0, true, null, "test", 3);
    FeatureSpec early = new FeatureSpec("invite_first_5d", FeatureKind.COUNT, List.of("invite_teammate"), 0, null,
        null, 0, 0, "followed_by", List.of(), 0, 1, 0, 0, true, null, "test", 5);
    FeatureSpec pair = new FeatureSpec("project_then_invite_first_5d", FeatureKind.SEQUENCE, List.of(), 0,
        "create_project", "invite_teammate", 4, 0, "followed_by", List.of(), 0, 1, 0, 0, true, null, "test", 5);
    FeatureSpec pairTooLate = new FeatureSpec("project_then_invite_first_4d", FeatureKind.SEQUENCE, List.of(), 0,
        "create_project", "invite_teammate", 4, 0, "followed_by", List.of(), 0, 1, 0, 0, true, null, "test", 4);
    Map<String, Row> rows = build(List.of(edits, early, pair, pairTooLate), events(), LocalDate.of(2026, 3, 10));
    assertEquals(1L, (long) rows.get("a").getAs("edits_first_3d"), "a's first 3 days are 02-01..02-03: the signup");
    assertEquals(1L, (long) rows.get("d").getAs("invite_first_5d"), "01-05 is d's fifth day (01-01 is the first)");
    assertEquals(0L, (long) rows.get("a").getAs("invite_first_5d"), "a invited on 03-04, a month after first seen");
    Assertions.assertTrue(rows.get("d").<Boolean>getAs("project_then_invite_first_5d"));
    assertFalse(rows.get("d").<Boolean>getAs("project_then_invite_first_4d"), "the invite is on day 5, not in 4");
    assertFalse(rows.get("a").<Boolean>getAs("project_then_invite_first_5d"), "a's project and invite came later");
  }

  @Test
  void sequenceIsNotCompleteBeforeTheDayOfB() {
    Map<String, Row> rows = features(LocalDate.of(2026, 3, 3));
    assertFalse(rows.get("a").<Boolean>getAs("invited_after_project"), "the invite comes on 03-04, after D");
    Assertions.assertTrue(rows.get("a").<Boolean>getAs("project_without_invite"), "as of 03-03 no invite has followed yet");
    assertNull(rows.get("a").getAs("days_project_to_invite"));
  }

  @Test
  void rfmScoresAreQuintilesOfThePayingPopulationWithTiesShared() {
    Map<String, Row> rows = features(LocalDate.of(2026, 3, 10));
    // payers: a (5 days, 1 purchase, 49) and d (63 days, 1 purchase, 12); cume_dist over two users
    Row a = rows.get("a");
    Row d = rows.get("d");
    assertEquals(List.of(5, 5, 5), List.of(a.<Integer>getAs("rfm_r"), a.<Integer>getAs("rfm_f"), a.<Integer>getAs("rfm_m")));
    assertEquals(List.of(3, 5, 3), List.of(d.<Integer>getAs("rfm_r"), d.<Integer>getAs("rfm_f"), d.<Integer>getAs("rfm_m")),
        "equal frequencies share the top score");
    assertEquals(555, (int) a.getAs("rfm_code"));
    assertEquals("champions", a.getAs("rfm_segment"));
    assertEquals("loyal", d.getAs("rfm_segment"), "353: r >= 3 and f >= 4");
    assertNull(rows.get("c").getAs("rfm_segment"), "not a payer: outside the population");
  }
}
