package io.segments.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.segments.SparkTestBase;
import io.segments.config.ConfigLoader;
import io.segments.config.PipelineConfig;
import io.segments.config.SegmentSpec;
import io.segments.config.SourceConfig;
import io.segments.config.ValidateConfig;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/** Outcomes of a two-user cohort on 2026-01-01 and a one-user cohort on 2026-02-10, as of 2026-02-15. */
class OutcomeValidatorTest extends SparkTestBase {
  private static final StructType MEMBERSHIP = new StructType()
      .add("as_of_date", DataTypes.DateType).add("user_id", DataTypes.StringType)
      .add("segment", DataTypes.StringType).add("family", DataTypes.StringType);
  private static final StructType ACTIVITY = new StructType()
      .add("user_id", DataTypes.StringType).add("activity_date", DataTypes.DateType)
      .add("event_name", DataTypes.StringType);

  private static PipelineConfig config(int minSize) {
    return new PipelineConfig(Path.of("test.yaml"), Map.of(), "UTC", "db",
        new SourceConfig("e", Map.of(), null, List.of(), 24, 0.05), List.of(),
        List.of(new SegmentSpec("s", "f", 1, "true", null, 0, "", "", "", "", "", "test"),
            new SegmentSpec("t", "f", 2, "true", null, 0, "", "", "", "", "", "test")),
        List.of(), new ValidateConfig(List.of("edit_doc", "invite_teammate"), "invite_teammate", 7, "upgrade", 30,
            minSize, 15, false), 0.5, 28, 7,
        ConfigLoader.DEFAULT_RFM_MAP, null, 240);
  }

  private Map<String, Row> outcomes() {
    var membership = frame(MEMBERSHIP,
        row(day("2026-01-01"), "x", "s", "f"), row(day("2026-01-01"), "y", "s", "f"),
        row(day("2026-02-10"), "x", "s", "f"));
    var activity = frame(ACTIVITY,
        row("x", day("2026-01-02"), "edit_doc"),
        row("x", day("2026-01-03"), "invite_teammate"),
        row("x", day("2026-01-08"), "edit_doc"),
        row("x", day("2026-01-31"), "edit_doc"),
        row("y", day("2026-01-05"), "edit_doc"),
        row("y", day("2026-01-30"), "edit_doc"),
        row("y", day("2026-01-20"), "upgrade"));
    Map<String, Row> rows = new java.util.HashMap<>();
    OutcomeValidator validator = new OutcomeValidator(config(200));
    validator.outcomes(membership, validator.outcomeActivity(activity), LocalDate.of(2026, 2, 15)).collectAsList()
        .forEach(r -> rows.put(r.getDate(2).toString(), r));
    return rows;
  }

  @Test
  void retentionActivationAndConversionOfACohort() {
    Row january = outcomes().get("2026-01-01");
    assertEquals(2L, (long) january.getAs("cohort_size"));
    assertEquals(0.5, (double) january.getAs("retention_d1"), 1e-9, "x on day 1");
    assertEquals(0.5, (double) january.getAs("retention_d7"), 1e-9, "x on day 7; y's day 4 is not day 7");
    assertEquals(0.5, (double) january.getAs("retention_d30"), 1e-9, "x on day 30; y's day 29 is not day 30");
    assertEquals(0.0, (double) january.getAs("churn_d30"), 1e-9, "both active within 30 days");
    assertEquals(0.5, (double) january.getAs("activation_rate"), 1e-9, "x invited on day 2");
    assertEquals(0.5, (double) january.getAs("conversion_rate"), 1e-9, "y upgraded on day 19");
    assertEquals(2.0, (double) january.getAs("median_days_to_value"), 1e-9);
    assertEquals(0.0945, (double) january.getAs("retention_d30_lo"), 1e-4, "Wilson 95% for 1 of 2");
    assertEquals(0.9055, (double) january.getAs("retention_d30_hi"), 1e-4);
    assertNull(january.getAs("retention_d90"), "day 90 lies after the last day of data");
  }

  @Test
  void outcomesBeyondTheDataAreNullNotZero() {
    Row february = outcomes().get("2026-02-10");
    assertEquals(0.0, (double) february.getAs("retention_d1"), 1e-9, "day 1 (02-11) is known: x was not active");
    assertNull(february.getAs("retention_d30"));
    assertNull(february.getAs("conversion_rate"), "30 days after 02-10 is after 02-15");
  }

  @Test
  void retentionTriangleByFirstActiveDayWeekAndMonth() {
    var activity = frame(ACTIVITY,
        row("x", day("2026-01-05"), "edit_doc"), row("x", day("2026-01-13"), "edit_doc"),
        row("y", day("2026-01-06"), "edit_doc"), row("y", day("2026-01-07"), "upgrade"));
    OutcomeValidator validator = new OutcomeValidator(config(200));
    Map<String, Row> cells = new java.util.HashMap<>();
    validator.retentionCohorts(validator.outcomeActivity(activity), LocalDate.of(2026, 2, 15)).collectAsList()
        .forEach(r -> cells.put(r.getString(0) + " " + r.getDate(1) + " " + r.getInt(2), r));
    Row week1 = cells.get("week 2026-01-05 1");
    assertEquals(2L, (long) week1.getAs("cohort_size"), "x and y first active in the week of Monday 01-05");
    assertEquals(0.5, (double) week1.getAs("retention"), 1e-9, "x came back the next week; upgrade is not active");
    assertEquals(1.0, (double) cells.get("day 2026-01-05 8").getAs("retention"), 1e-9, "x on day 8");
    assertEquals(2L, (long) cells.get("month 2026-01-01 0").getAs("active_users"));
    assertNull(cells.get("week 2026-01-05 2"), "no one active in week 2");
  }

  @Test
  void checksFlagSmallAndEmptySegmentsAndTooSmallGaps() {
    var membership = frame(MEMBERSHIP, row(day("2026-01-01"), "x", "s", "f"), row(day("2026-01-01"), "y", "t", "f"));
    var activity = frame(ACTIVITY, row("x", day("2026-01-28"), "edit_doc"), row("y", day("2026-01-27"), "edit_doc"));
    OutcomeValidator validator = new OutcomeValidator(config(200));
    var outcomes = validator.outcomes(membership, validator.outcomeActivity(activity), LocalDate.of(2026, 2, 15));
    List<String> warnings = io.segments.step.Check.texts(
        validator.checks(outcomes, Map.of("s", 150L), 1000, LocalDate.of(2026, 2, 15)));
    Assertions.assertTrue(warnings.stream().anyMatch(w -> w.contains("'s' has 150 members") && w.contains("min_size 200")),
        warnings.toString());
    Assertions.assertTrue(warnings.stream().anyMatch(w -> w.contains("'t' is empty")), warnings.toString());
    Assertions.assertTrue(warnings.stream().anyMatch(w -> w.contains("differ by 0.0 points")), warnings.toString());
  }

  @Test
  void aCheckThatCannotRunYetIsANoteNotAFailureOfTheGate() {
    var membership = frame(MEMBERSHIP, row(day("2026-01-01"), "x", "s", "f"), row(day("2026-01-01"), "y", "t", "f"));
    var activity = frame(ACTIVITY, row("x", day("2026-01-05"), "edit_doc"));
    OutcomeValidator validator = new OutcomeValidator(config(200));
    LocalDate asOf = LocalDate.of(2026, 1, 10);
    var checks = validator.checks(validator.outcomes(membership, validator.outcomeActivity(activity), asOf),
        Map.of("s", 300L, "t", 300L), 1000, asOf);
    assertEquals(1, checks.size(), checks.toString());
    assertEquals(io.segments.step.Check.Level.INFO, checks.get(0).level());
    Assertions.assertTrue(checks.get(0).text().startsWith("no cohort is 30 days old yet on 2026-01-10"));
  }

  @Test
  void daysToValueCountOnlyActivationsInsideTheWindowAndOnOrBeforeTheAsOfDay() {
    var membership = frame(MEMBERSHIP,
        row(day("2026-01-01"), "same_day", "s", "f"), row(day("2026-01-01"), "late", "s", "f"),
        row(day("2026-01-01"), "in_window", "s", "f"));
    var activity = frame(ACTIVITY,
        row("same_day", day("2026-01-01"), "invite_teammate"),
        row("late", day("2026-01-20"), "invite_teammate"),
        row("in_window", day("2026-01-05"), "invite_teammate"));
    OutcomeValidator validator = new OutcomeValidator(config(200));
    Row asOfWindowEnd = validator.outcomes(membership, validator.outcomeActivity(activity), LocalDate.of(2026, 1, 8))
        .first();
    Row later = validator.outcomes(membership, validator.outcomeActivity(activity), LocalDate.of(2026, 3, 1)).first();
    assertEquals(2.0 / 3, (double) asOfWindowEnd.getAs("activation_rate"), 1e-9,
        "day 0 (the cohort day) and day 4 count; day 19 is after the 7-day window");
    assertEquals(0.0 + 4 / 2.0, (double) asOfWindowEnd.getAs("median_days_to_value"), 1e-9, "median of 0 and 4");
    assertEquals(asOfWindowEnd.<Double>getAs("median_days_to_value"), later.<Double>getAs("median_days_to_value"),
        "an activation after the window does not change the median later (daily run = rebuild)");
  }
}
