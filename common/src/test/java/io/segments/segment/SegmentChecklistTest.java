package io.segments.segment;

import io.segments.SparkTestBase;
import io.segments.config.SegmentSpec;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/** The checklist: sizes, unstable members, overlapping free segments; the size checks validate makes. */
class SegmentChecklistTest extends SparkTestBase {
  private static final StructType MEMBERSHIP = new StructType()
      .add("as_of_date", DataTypes.DateType).add("user_id", DataTypes.StringType)
      .add("segment", DataTypes.StringType);
  private static final StructType CHANGES = new StructType()
      .add("as_of_date", DataTypes.DateType).add("user_id", DataTypes.StringType)
      .add("segment", DataTypes.StringType).add("change", DataTypes.StringType);

  private static SegmentSpec free(String name) {
    return new SegmentSpec(name, null, 1, "true", null, 0, "", "", "", "", "", "t");
  }

  @Test
  void flagsUnstableAndOverlappingSegmentsAndLeavesSizesToValidate() {
    var membership = frame(MEMBERSHIP,
        row(day("2026-05-14"), "u1", "big"), row(day("2026-05-14"), "u2", "big"),
        row(day("2026-05-14"), "u3", "big"), row(day("2026-05-14"), "u4", "big"),
        row(day("2026-05-14"), "u5", "big"), row(day("2026-05-14"), "u1", "twin"),
        row(day("2026-05-14"), "u2", "twin"));
    var changes = frame(CHANGES,
        row(day("2026-05-02"), "u2", "twin", "entered"), row(day("2026-05-05"), "u2", "twin", "exited"),
        row(day("2026-05-09"), "u2", "twin", "entered"), row(day("2026-04-20"), "u1", "twin", "entered"),
        row(day("2026-05-01"), "u1", "twin", "exited"), row(day("2026-05-03"), "u1", "twin", "entered"));
    SegmentChecklist.Result checked = SegmentChecklist.checks(List.of(free("big"), free("twin"), free("none")),
        membership, changes, LocalDate.of(2026, 5, 14));
    Assertions.assertEquals(java.util.Map.of("big", 5L, "twin", 2L), checked.sizes(), "counted with the checks");
    List<String> warnings = io.segments.step.Check.texts(checked.checks());
    String all = String.join("\n", warnings);
    Assertions.assertFalse(all.contains("is empty") || all.contains("holds"),
        "sizes are the validate step's checks, said once per run: " + all);
    Assertions.assertTrue(all.contains("segment 'twin' is unstable: 1 users entered or left it more than twice in the"
        + " 14 days to 2026-05-14; add an exit_rule or min_days"),
        "u2 changed 3 times in 14 days; u1 only twice inside the window: " + all);
    Assertions.assertTrue(all.contains("segments 'big' and 'twin' overlap: 2 shared members, 100% of the smaller"), all);
  }

  @Test
  void sizeChecksFlagEmptyTooSmallAndMostUsers() {
    LocalDate day = LocalDate.of(2026, 5, 14);
    Assertions.assertEquals(List.of("segment 'none' is empty on 2026-05-14"),
        io.segments.step.Check.texts(SegmentChecklist.sizeChecks("none", 0, 6, 200, day)));
    Assertions.assertEquals(List.of("segment 'big' has 5 members on 2026-05-14, fewer than validate.min_size 200: too"
        + " small to trust", "segment 'big' holds 83% of users on 2026-05-14: it does not separate anyone"),
        io.segments.step.Check.texts(SegmentChecklist.sizeChecks("big", 5, 6, 200, day)));
    Assertions.assertEquals(List.of(), io.segments.step.Check.texts(SegmentChecklist.sizeChecks("ok", 300, 1000, 200,
        day)));
  }
}
