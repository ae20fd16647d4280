package io.segments.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.segments.SparkTestBase;
import io.segments.config.ConfigLoader;
import io.segments.config.PipelineConfig;
import io.segments.config.SegmentSpec;
import io.segments.config.SourceConfig;
import io.segments.config.ValidateConfig;
import io.segments.io.Warehouse;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/** explain: a member, a user outside (and the clause that decided), and a family loser. */
class SegmentExplainerTest extends SparkTestBase {
  private static final StructType FEATURES = new StructType()
      .add("as_of_date", DataTypes.DateType).add("user_id", DataTypes.StringType)
      .add("invites_7d", DataTypes.LongType).add("comments_7d", DataTypes.LongType);
  private static final StructType MEMBERSHIP = new StructType()
      .add("as_of_date", DataTypes.DateType).add("user_id", DataTypes.StringType)
      .add("segment", DataTypes.StringType).add("family", DataTypes.StringType).add("entered_on", DataTypes.DateType);

  private SegmentExplainer explainer() {
    List<SegmentSpec> segments = List.of(
        new SegmentSpec("heavy", "collab", 1, "invites_7d >= 3 and comments_7d >= 5", null, 0, "", "", "", "", "",
            "t"),
        new SegmentSpec("starters", "collab", 2, "invites_7d >= 1", null, 0, "", "", "", "", "", "t"));
    PipelineConfig config = new PipelineConfig(Path.of("t.yaml"), Map.of(), "UTC", "explain_db",
        new SourceConfig("e", Map.of(), null, List.of(), 24, 0.05), List.of(), segments, List.of(),
        new ValidateConfig(List.of(), null, 7, null, 30, 200, 15, false), 0.5, 28, 7,
        ConfigLoader.DEFAULT_RFM_MAP, null, 240);
    Warehouse warehouse = new Warehouse(spark(), "explain_db");
    warehouse.overwrite(frame(FEATURES,
        row(day("2026-05-02"), "in", 4L, 6L),
        row(day("2026-05-02"), "out", 0L, 9L),
        row(day("2026-05-02"), "starter", 1L, 0L)), "user_features");
    warehouse.overwrite(frame(MEMBERSHIP,
        row(day("2026-05-01"), "in", "heavy", "collab", day("2026-04-28")),
        row(day("2026-05-02"), "in", "heavy", "collab", day("2026-04-28")),
        row(day("2026-05-02"), "starter", "starters", "collab", day("2026-05-02"))), "segment_membership");
    return new SegmentExplainer(config, warehouse);
  }

  @Test
  void aMemberShowsSinceWhenAndTheValuesItRead() {
    List<String> lines = explainer().explain("in", LocalDate.of(2026, 5, 2), null);
    assertEquals("  heavy [collab, priority 1]: IN since 2026-04-28 (rule still holds)", lines.get(1));
    Assertions.assertTrue(lines.contains("      features: invites_7d = 4, comments_7d = 6"), String.join("\n", lines));
    Assertions.assertTrue(lines.contains(
        "  starters [collab, priority 2]: OUT: qualifies, but lost to heavy (priority 1 in family collab)"),
        String.join("\n", lines));
  }

  @Test
  void anOutsiderShowsTheClauseThatDecided() {
    List<String> lines = explainer().explain("out", LocalDate.of(2026, 5, 2), "heavy");
    assertEquals(List.of(
        "user out as of 2026-05-02",
        "  heavy [collab, priority 1]: OUT: rule does not hold",
        "      rule: invites_7d >= 3 and comments_7d >= 5  -> false",
        "        invites_7d >= 3  -> false",
        "        comments_7d >= 5  -> true",
        "      decided by: invites_7d >= 3 is false",
        "      features: invites_7d = 0, comments_7d = 9"), lines);
  }

  @Test
  void anUnknownUserAndTheAuditSample() {
    Assertions.assertTrue(explainer().explain("nobody", LocalDate.of(2026, 5, 2), null).get(0)
        .contains("is not known on 2026-05-02"));
    List<String> audit = explainer().explainSample("starters", LocalDate.of(2026, 5, 2), 10);
    assertEquals("  starters [collab, priority 2]: IN since 2026-05-02 (entered today: rule holds)", audit.get(1));
  }

  @Test
  void clausesSplitOnTopLevelAndOnly() {
    assertEquals(List.of("a >= 1", "(b = 1 and c = 2)", "d between 1 and 5", "e = 'x and y'"),
        SegmentExplainer.clauses("a >= 1 and (b = 1 and c = 2) and d between 1 and 5 and e = 'x and y'"));
  }
}
