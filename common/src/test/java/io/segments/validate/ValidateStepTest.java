package io.segments.validate;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.segments.SparkTestBase;
import io.segments.config.ConfigLoader;
import io.segments.config.PipelineConfig;
import io.segments.config.SegmentSpec;
import io.segments.config.SourceConfig;
import io.segments.config.ValidateConfig;
import io.segments.io.FaultPoint;
import io.segments.io.Warehouse;
import io.segments.step.StepContext;
import java.nio.file.Path;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The validate step day to day: each daily run carries user_activity_state forward instead of reading all
 * history, and gives what the all-history computation gives, for the retention triangle and for the outcomes of
 * the cohorts it recomputes; through late events, a gap of days, late events older than the state's window and
 * a crash between its writes.
 */
class ValidateStepTest extends SparkTestBase {
  private static final List<String> EVENTS = List.of("edit_doc", "invite_teammate", "upgrade", "view");
  private static final StructType ACTIVITY = new StructType()
      .add("user_id", DataTypes.StringType).add("activity_date", DataTypes.DateType)
      .add("event_name", DataTypes.StringType).add("event_count", DataTypes.LongType);
  private static final StructType MEMBERSHIP = new StructType()
      .add("as_of_date", DataTypes.DateType).add("user_id", DataTypes.StringType)
      .add("segment", DataTypes.StringType).add("family", DataTypes.StringType);
  private static final int USERS = 40;

  private static final ValidateConfig VALIDATE = new ValidateConfig(List.of("edit_doc", "invite_teammate"),
      "invite_teammate", 7, "upgrade", 30, 5, 0, false);

  private static PipelineConfig config(String database) {
    return config(database, VALIDATE);
  }

  private static PipelineConfig config(String database, ValidateConfig validate) {
    return new PipelineConfig(Path.of("test.yaml"), Map.of(), "UTC", database,
        new SourceConfig("e", Map.of(), null, List.of(), 24, 0.05), List.of(),
        List.of(new SegmentSpec("s", "f", 1, "true", null, 0, "", "", "", "", "", "test"),
            new SegmentSpec("t", "f", 2, "true", null, 0, "", "", "", "", "", "test")),
        List.of(), validate, 0.5, 28, 7,
        ConfigLoader.DEFAULT_RFM_MAP, null, 240);
  }

  @Tag("slow") // a chain of daily runs against all history: ./segments test --all (CI), not the everyday command
  @Test
  void dailyRunsCarryTheStateAndAgreeWithAllHistoryThroughLateEventsGapsAndCrashes() {
    Warehouse warehouse = new Warehouse(spark(), "validate_daily");
    LocalDate start = LocalDate.of(2026, 1, 1);
    LocalDate first = LocalDate.of(2026, 6, 10);
    activity(warehouse, days(start, first), 0, false);
    membership(warehouse, days(first.minusDays(6), first));
    run(warehouse, first, null);
    assertAgrees(warehouse, first, List.of());

    // 06-11; a gap (06-13 replays 06-12 and 06-13) with late events for 06-11; late events for 06-12 and a crash
    // after the state's write (the rerun finds segment_outcomes behind the state); late events older than the
    // window; a crash after the cell days' write.
    for (LocalDate day = first.plusDays(1); day.isBefore(LocalDate.of(2026, 6, 17)); day = day.plusDays(1)) {
      if (day.equals(LocalDate.of(2026, 6, 12))) {
        continue;
      }
      List<LocalDate> replayed = day.equals(LocalDate.of(2026, 6, 13)) ? days(day.minusDays(1), day) : List.of(day);
      activity(warehouse, replayed, 0, true);
      membership(warehouse, replayed);
      if (day.equals(LocalDate.of(2026, 6, 13))) {
        activity(warehouse, List.of(LocalDate.of(2026, 6, 11)), 1, true);
      }
      if (day.equals(LocalDate.of(2026, 6, 14))) {
        activity(warehouse, List.of(LocalDate.of(2026, 6, 12)), 3, true);
      }
      if (day.equals(LocalDate.of(2026, 6, 15))) {
        activity(warehouse, List.of(LocalDate.of(2026, 1, 20)), 2, true);
      }
      String crashAfter = day.equals(LocalDate.of(2026, 6, 14)) ? ActivityState.TABLE
          : day.equals(LocalDate.of(2026, 6, 16)) ? "retention_cell_days" : null;
      if (crashAfter != null) {
        LocalDate crashed = day;
        FaultPoint.failAfter(crashAfter, 1);
        assertThrows(IllegalStateException.class, () -> run(warehouse, crashed, List.of(crashed)));
        FaultPoint.failAfter(null, 0);
      }
      run(warehouse, day, replayed);
      assertAgrees(warehouse, day, replayed);
      String predicate = lastWrite(warehouse, "retention_cell_days");
      if (day.equals(LocalDate.of(2026, 6, 11))) {
        assertEquals("Append", predicate, "a daily run's new day has no cells yet: appended");
      }
      if (day.equals(LocalDate.of(2026, 6, 13))) {
        assertEquals("Overwrite (activity_date >= DATE '2026-06-11')", predicate, "late events read 06-11 again");
      }
      if (day.equals(LocalDate.of(2026, 6, 15))) {
        assertEquals("Overwrite", predicate, "a change before the window rebuilds from all history");
      }
    }

    Warehouse rebuilt = new Warehouse(spark(), "validate_rebuilt");
    rebuilt.overwrite(warehouse.read("user_daily_activity"), "user_daily_activity");
    rebuilt.overwrite(warehouse.read("rollup_fingerprints"), "rollup_fingerprints");
    rebuilt.overwrite(warehouse.read("segment_membership"), "segment_membership");
    rebuilt.overwrite(warehouse.read("user_features"), "user_features");
    LocalDate last = LocalDate.of(2026, 6, 16);
    run(rebuilt, last, null);
    assertSameRows(rebuilt.read(ActivityState.TABLE), warehouse.read(ActivityState.TABLE),
        "the carried state is the state built from scratch");
    assertSameRows(rebuilt.read("retention_cohorts"), warehouse.read("retention_cohorts"), "retention_cohorts");
    run(warehouse, last, null);
    assertEquals("Overwrite", lastWrite(warehouse, "retention_cell_days"),
        "--full or a backfill rebuilds from all history");
    assertSameRows(rebuilt.read(ActivityState.TABLE), warehouse.read(ActivityState.TABLE), "the rebuilt state");
  }

  @Tag("slow") // a chain of daily runs against all history: ./segments test --all (CI), not the everyday command
  @Test
  void anEditOfTheOutcomeSettingsBetweenDailyRunsRecomputesEveryCohort() {
    Warehouse warehouse = new Warehouse(spark(), "validate_edits");
    LocalDate first = LocalDate.of(2026, 6, 10);
    activity(warehouse, days(LocalDate.of(2026, 4, 1), first), 0, false);
    membership(warehouse, days(first.minusDays(40), first));
    run(warehouse, first, null);
    List<ValidateConfig> edits = List.of(
        new ValidateConfig(List.of("view"), "invite_teammate", 7, "upgrade", 30, 5, 0, false),
        new ValidateConfig(List.of("view"), "edit_doc", 7, "upgrade", 30, 5, 0, false),
        new ValidateConfig(List.of("view"), "edit_doc", 3, "upgrade", 30, 5, 0, false),
        new ValidateConfig(List.of("view"), "edit_doc", 3, "view", 30, 5, 0, false),
        new ValidateConfig(List.of("view"), "edit_doc", 3, "view", 14, 5, 0, false));
    LocalDate day = first;
    for (ValidateConfig edit : edits) {
      day = day.plusDays(1);
      activity(warehouse, List.of(day), 0, true);
      membership(warehouse, List.of(day));
      StepContext context = new StepContext(config(warehouse.database(), edit), warehouse, "test");
      String message = new ValidateStep(context, day, List.of(day)).run().message();
      assertEquals(true, message.startsWith("recomputed the outcomes of all cohorts (written by another rule"), message);
      assertAgrees(warehouse, config(warehouse.database(), edit), day, "after the edit " + edit);
    }
    day = day.plusDays(1);
    activity(warehouse, List.of(day), 0, true);
    membership(warehouse, List.of(day));
    StepContext same = new StepContext(config(warehouse.database(), edits.get(edits.size() - 1)), warehouse, "test");
    assertEquals("recomputed the outcomes of 7 cohort days", new ValidateStep(same, day, List.of(day)).run().message(),
        "no edit: only the cohorts the day completes (activation 3 and conversion 14 among them; 90 before the data)");
  }

  @Test
  void windowsLongerThan90DaysCountEveryDayOfTheWindow() {
    Warehouse warehouse = new Warehouse(spark(), "validate_long");
    LocalDate cohort = LocalDate.of(2026, 1, 10);
    LocalDate asOf = LocalDate.of(2026, 7, 1);
    ValidateConfig year = new ValidateConfig(List.of(), "invite_teammate", 120, "upgrade", 150, 1, 0, false);
    warehouse.overwrite(spark().createDataFrame(List.of(
        RowFactory.create("u1", Date.valueOf(cohort), "view", 1L),
        RowFactory.create("u1", Date.valueOf(cohort.plusDays(100)), "invite_teammate", 1L),
        RowFactory.create("u1", Date.valueOf(cohort.plusDays(140)), "upgrade", 1L),
        RowFactory.create("u2", Date.valueOf(cohort), "view", 1L),
        RowFactory.create("u2", Date.valueOf(cohort.plusDays(130)), "invite_teammate", 1L)), ACTIVITY),
        "user_daily_activity");
    warehouse.overwrite(spark().createDataFrame(List.of(
        RowFactory.create(Date.valueOf(cohort), "u1", "s", "f"),
        RowFactory.create(Date.valueOf(cohort), "u2", "s", "f")), MEMBERSHIP), "segment_membership");
    warehouse.overwrite(warehouse.read("segment_membership").select("as_of_date", "user_id"), "user_features");
    StepContext context = new StepContext(config(warehouse.database(), year), warehouse, "test");
    new ValidateStep(context, asOf, null).run();
    Row row = warehouse.read("segment_outcomes").where("segment = 's'").first();
    assertEquals(0.5, row.<Double>getAs("activation_rate"), "u1 activated on day 100 of 120; u2 on day 130");
    assertEquals(0.5, row.<Double>getAs("conversion_rate"), "u1 converted on day 140 of 150");
    assertEquals(100.0, ((Number) row.getAs("median_days_to_value")).doubleValue());
  }

  private void run(Warehouse warehouse, LocalDate asOf, List<LocalDate> replayed) {
    StepContext context = new StepContext(config(warehouse.database()), warehouse, "test");
    new ValidateStep(context, asOf, replayed).run();
  }

  /** retention_cohorts and every cohort's segment_outcomes equal the all-history computation. */
  private void assertAgrees(Warehouse warehouse, LocalDate asOf, List<LocalDate> replayed) {
    assertAgrees(warehouse, config(warehouse.database()), asOf, "as of " + asOf);
  }

  private void assertAgrees(Warehouse warehouse, PipelineConfig config, LocalDate asOf, String when) {
    OutcomeValidator validator = new OutcomeValidator(config);
    Dataset<Row> daily = validator.outcomeActivity(warehouse.read("user_daily_activity"));
    assertSameRows(validator.retentionCohorts(daily, asOf), warehouse.read("retention_cohorts"),
        "retention_cohorts " + when);
    Dataset<Row> membership = warehouse.read("segment_membership").where(col("as_of_date").leq(Date.valueOf(asOf)));
    assertSameRows(validator.outcomes(membership, daily, asOf), warehouse.read("segment_outcomes"),
        "segment_outcomes of every cohort (late events reach finished ones) " + when);
  }

  /** The predicate of the table's last write: "" for a whole overwrite. */
  private static String lastWrite(Warehouse warehouse, String table) {
    Row last = warehouse.delta(table).history(1).select("operationParameters").first();
    scala.collection.Map<String, String> parameters = last.getMap(0);
    // The write's mode, and the rows it replaced (none: all of them, or an append)
    return parameters.apply("mode") + (parameters.contains("predicate")
        ? " " + parameters.apply("predicate").replaceAll("[\\[\\]\"]", "") : "");
  }

  /** Appends a day's activity (rows drawn from the day and {@code salt}) with the rollup's fingerprints. */
  private void activity(Warehouse warehouse, List<LocalDate> days, int salt, boolean append) {
    List<Row> rows = new ArrayList<>();
    for (LocalDate day : days) {
      for (int user = 0; user < USERS; user++) {
        Random random = new Random(day.toEpochDay() * 1000 + user * 10L + salt);
        if (random.nextInt(3) == 0) {
          rows.add(RowFactory.create("u" + user, Date.valueOf(day), EVENTS.get(random.nextInt(EVENTS.size())),
              1L + random.nextInt(3)));
        }
      }
    }
    Dataset<Row> frame = spark().createDataFrame(rows, ACTIVITY);
    if (append) {
      warehouse.append(frame, "user_daily_activity");
    } else {
      warehouse.overwrite(frame, "user_daily_activity");
    }
    warehouse.overwrite(warehouse.read("user_daily_activity").groupBy("activity_date").agg(
            org.apache.spark.sql.functions.sum("event_count").as("events"),
            org.apache.spark.sql.functions.sum(org.apache.spark.sql.functions.hash(col("user_id"), col("event_name"),
                col("event_count")).cast("long")).as("checksum")),
        "rollup_fingerprints");
  }

  /** Every user in s or t on each day (alternating by day), and known on it. */
  private void membership(Warehouse warehouse, List<LocalDate> days) {
    List<Row> rows = new ArrayList<>();
    for (LocalDate day : days) {
      for (int user = 0; user < USERS; user++) {
        rows.add(RowFactory.create(Date.valueOf(day), "u" + user, (user + day.getDayOfMonth()) % 2 == 0 ? "s" : "t",
            "f"));
      }
    }
    Dataset<Row> frame = spark().createDataFrame(rows, MEMBERSHIP);
    if (warehouse.exists("segment_membership")) {
      warehouse.append(frame, "segment_membership");
      warehouse.append(frame.select("as_of_date", "user_id"), "user_features");
    } else {
      warehouse.overwrite(frame, "segment_membership");
      warehouse.overwrite(frame.select("as_of_date", "user_id"), "user_features");
    }
  }

  private static List<LocalDate> days(LocalDate from, LocalDate to) {
    List<LocalDate> days = new ArrayList<>();
    for (LocalDate day = from; !day.isAfter(to); day = day.plusDays(1)) {
      days.add(day);
    }
    return days;
  }
}
