package io.segments.segment;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.segments.SparkTestBase;
import io.segments.config.SegmentSpec;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** Entry, stay, exit, re-entry, min_days and family priority, replayed over a few days of one or two users. */
class SegmentEngineTest extends SparkTestBase {
  private static final StructType FEATURES = new StructType()
      .add("as_of_date", DataTypes.DateType).add("user_id", DataTypes.StringType)
      .add("score", DataTypes.IntegerType);
  private static final StructType STATE = new StructType()
      .add("user_id", DataTypes.StringType).add("segment", DataTypes.StringType).add("entered_on", DataTypes.DateType);

  private static SegmentSpec segment(String name, String family, int priority, String rule, String exitRule, int minDays) {
    return new SegmentSpec(name, family, priority, rule, exitRule, minDays, "", "", "", "", "", "test");
  }

  private Dataset<Row> scores(String user, int... perDay) {
    List<Object[]> rows = new ArrayList<>();
    for (int i = 0; i < perDay.length; i++) {
      rows.add(row(day("2026-05-0" + (i + 1)), user, perDay[i]));
    }
    return frame(FEATURES, rows.toArray(Object[][]::new));
  }

  private Dataset<Row> noState() {
    return frame(STATE);
  }

  /** "segment@entered_on" per day, in day order, for one user. */
  private static List<String> timeline(Dataset<Row> membership, int days) {
    List<String> out = new ArrayList<>();
    for (int i = 1; i <= days; i++) {
      String date = "2026-05-0" + i;
      List<Row> rows = sorted(membership.where("as_of_date = '" + date + "'"), "segment");
      out.add(rows.isEmpty() ? "-" : String.join(",", rows.stream()
          .map(r -> r.getString(2) + "@" + r.getDate(4).toString().substring(8)).toList()));
    }
    return out;
  }

  @Test
  void entersWhenTheRuleHoldsStaysUntilTheExitRuleAndReenters() {
    SegmentEngine engine = new SegmentEngine(List.of(segment("hot", null, 1, "score >= 5", "score < 2", 0)));
    SegmentEngine.Result result = engine.assign(scores("u", 1, 6, 3, 1, 7), noState());
    assertEquals(List.of("-", "hot@02", "hot@02", "-", "hot@05"), timeline(result.membership(), 5),
        "enter at 6, stay at 3 (exit needs < 2), leave at 1, enter again at 7");
    assertEquals(List.of("2026-05-02 entered", "2026-05-04 exited", "2026-05-05 entered"),
        sorted(result.changes(), "as_of_date").stream().map(r -> r.getDate(0) + " " + r.getString(4)).toList());
    assertEquals(List.of("2026-05-02..2026-05-04", "2026-05-05..open"),
        sorted(result.stays(), "entered_on").stream()
            .map(r -> r.getDate(3) + ".." + (r.isNullAt(4) ? "open" : r.getDate(4).toString())).toList(),
        "one history row per stay; exited_on is the first day outside");
  }

  @Test
  void defaultExitIsTheRuleNoLongerHoldingButNotBeforeMinDays() {
    SegmentEngine engine = new SegmentEngine(List.of(segment("hot", null, 1, "score >= 5", null, 3)));
    SegmentEngine.Result result = engine.assign(scores("u", 6, 1, 1, 1, 1), noState());
    assertEquals(List.of("hot@01", "hot@01", "hot@01", "-", "-"), timeline(result.membership(), 5),
        "entered on 05-01 with min_days 3: kept on 05-02 and 05-03 although the rule fails, out on 05-04");
  }

  @Test
  void explicitExitRuleWinsOverMinDays() {
    SegmentEngine engine = new SegmentEngine(List.of(segment("hot", null, 1, "score >= 5", "score = 0", 10)));
    SegmentEngine.Result result = engine.assign(scores("u", 6, 0, 1), noState());
    assertEquals(List.of("hot@01", "-", "-"), timeline(result.membership(), 3));
  }

  @Test
  void withinAFamilyTheLowestPriorityNumberWinsAndTheLoserRecordsNothing() {
    SegmentEngine engine = new SegmentEngine(List.of(
        segment("low", "tier", 2, "score >= 1", null, 0),
        segment("high", "tier", 1, "score >= 5", null, 0),
        segment("any", null, 1, "score >= 1", null, 0)));
    SegmentEngine.Result result = engine.assign(scores("u", 1, 6, 2), noState());
    assertEquals(List.of("any@01,low@01", "any@01,high@02", "any@01,low@03"), timeline(result.membership(), 3),
        "the family moves low -> high -> low; 'any' has no family and overlaps freely");
    List<String> changes = sorted(result.changes(), "as_of_date", "change", "segment").stream()
        .map(r -> r.getDate(0).toString().substring(8) + " " + r.getString(4) + " " + r.getString(2)
            + (r.isNullAt(5) ? "" : " -> " + r.getString(5))).toList();
    assertEquals(List.of("01 entered any", "01 entered low", "02 entered high", "02 exited low -> high",
        "03 entered low", "03 exited high -> low"), changes);
  }

  @Test
  void yesterdaysStateCarriesEnteredOnForward() {
    SegmentEngine engine = new SegmentEngine(List.of(segment("hot", null, 1, "score >= 5", "score < 2", 0)));
    Dataset<Row> before = frame(STATE, row("u", "hot", day("2026-04-20")));
    SegmentEngine.Result result = engine.assign(scores("u", 3, 3), before);
    assertEquals(List.of("hot@20", "hot@20"), timeline(result.membership(), 2),
        "a member since 04-20 stays: score 3 does not meet the exit rule");
    assertEquals(0, result.changes().count());
  }

  @Test
  void replayingARangeEqualsRunningDayByDay() {
    List<SegmentSpec> specs = List.of(
        segment("low", "tier", 2, "score >= 1", null, 2),
        segment("high", "tier", 1, "score >= 5", "score < 3", 0));
    SegmentEngine engine = new SegmentEngine(specs);
    Dataset<Row> all = scores("u", 1, 6, 4, 0, 0, 7).union(scores("v", 5, 5, 2, 2, 0, 1));
    List<Row> replayed = sorted(engine.assign(all, noState()).membership(), "as_of_date", "user_id", "segment");

    List<Row> dayByDay = new ArrayList<>();
    Dataset<Row> state = noState();
    for (int i = 1; i <= 6; i++) {
      Dataset<Row> oneDay = all.where("as_of_date = '2026-05-0" + i + "'");
      Dataset<Row> membership = engine.assign(oneDay, state).membership().cache();
      dayByDay.addAll(sorted(membership, "as_of_date", "user_id", "segment"));
      state = membership.select("user_id", "segment", "entered_on");
    }
    assertEquals(dayByDay, replayed);
  }

  @Test
  void aSegmentRemovedOrRenamedIsExitedOnTheFirstReplayedDayAndItsStayClosed() {
    SegmentEngine engine = new SegmentEngine(List.of(segment("hot_renamed", "heat", 1, "score >= 5", null, 0)));
    StructType withFamily = STATE.add("family", DataTypes.StringType);
    Dataset<Row> before = frame(withFamily, row("u", "hot", day("2026-04-20"), "heat"),
        row("u", "hot_renamed", day("2026-04-25"), "heat"));
    SegmentEngine.Result result = engine.assign(scores("u", 6, 6), before);
    assertEquals(List.of("hot_renamed@25", "hot_renamed@25"), timeline(result.membership(), 2),
        "the segment still configured carries on; the removed one has no member row");
    assertEquals(List.of("2026-05-01 hot heat exited"), result.changes().collectAsList().stream()
        .map(r -> r.getDate(0) + " " + r.getString(2) + " " + r.getString(3) + " " + r.getString(4)).toList());
    assertEquals(List.of("hot 2026-04-20 2026-05-01", "hot_renamed 2026-04-25 null"),
        sorted(result.stays(), "segment").stream()
            .map(r -> r.getString(1) + " " + r.getDate(3) + " " + r.getDate(4)).toList(),
        "the removed segment's stay is closed, not dropped");
  }
}
