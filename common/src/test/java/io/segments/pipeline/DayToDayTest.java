package io.segments.pipeline;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import org.junit.jupiter.api.Assertions;

import io.segments.SparkTestBase;
import io.segments.config.ConfigException;
import io.segments.config.ConfigLoader;
import io.segments.config.FeatureKind;
import io.segments.config.FeatureSpec;
import io.segments.config.PipelineConfig;
import io.segments.config.SegmentSpec;
import io.segments.config.SourceConfig;
import io.segments.config.ValidateConfig;
import io.segments.generate.EventGenerator;
import io.segments.io.InputRefusedException;
import io.segments.io.Warehouse;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * What a team changes between two daily runs: features added, removed and retyped; a segment renamed; a day
 * published that has no state; bad rows that every run reads again; a bot. None needs {@code --full}, and
 * none loses or repeats history.
 */
class DayToDayTest extends SparkTestBase {
  private static final LocalDate D = LocalDate.of(2026, 6, 30);
  private static final EnumSet<DailyPipeline.Step> FEATURES_AND_SEGMENTS =
      EnumSet.of(DailyPipeline.Step.FEATURES, DailyPipeline.Step.SEGMENTS);

  private static FeatureSpec count(String name, String event, int window) {
    return new FeatureSpec(name, FeatureKind.COUNT, List.of(event), window, null, null, 0, 0, "followed_by",
        List.of(), 0, 1, 0, 0, true, null, "test");
  }

  private static FeatureSpec expression(String name, String expression) {
    return new FeatureSpec(name, FeatureKind.EXPRESSION, List.of(), 0, null, null, 0, 0, "followed_by", List.of(), 0,
        1, 0, 0, true, expression, "test");
  }

  private static FeatureSpec tenure() {
    return new FeatureSpec("tenure_days", FeatureKind.TENURE, List.of(), 0, null, null, 0, 0, "followed_by", List.of(),
        0, 1, 0, 0, true, null, "test");
  }

  private static SegmentSpec segment(String name, String rule) {
    return new SegmentSpec(name, null, 1, rule, null, 0, "", "", "", "", "", "test");
  }

  private static PipelineConfig config(String database, SourceConfig source, List<FeatureSpec> features,
      List<SegmentSpec> segments) {
    return new PipelineConfig(Path.of("test.yaml"), Map.of(), "UTC", database, source, features, segments, List.of(),
        new ValidateConfig(List.of(), null, 7, null, 30, 200, 15, false), 1.0, 3, 7, ConfigLoader.DEFAULT_RFM_MAP, null,
        240);
  }

  private static SourceConfig generated() {
    return new SourceConfig("d2d_src.events", Map.of("revenue", "revenue_usd"), null, List.of(), 24, 0.05);
  }

  private void generatedEvents() {
    Warehouse source = new Warehouse(spark(), "d2d_src");
    if (!source.exists("events")) {
      source.overwrite(EventGenerator.events(spark(), new EventGenerator.Spec(150, D, 20, 5, "UTC")), "events");
    }
  }

  private void run(PipelineConfig config, LocalDate asOf, EnumSet<DailyPipeline.Step> steps) {
    new DailyPipeline(config, spark(), new PrintStream(new ByteArrayOutputStream()))
        .run(new DailyPipeline.RunOptions(asOf, null, true, false, steps, false));
  }

  @Test
  void featuresAddedRemovedAndRetypedBetweenRunsNeedNoFullRebuild() {
    generatedEvents();
    List<SegmentSpec> segments = List.of(segment("inviters", "invites_7d >= 1"));
    run(config("d2d_features", generated(), List.of(count("invites_7d", "invite_teammate", 7),
        count("comments_14d", "comment", 14), tenure()), segments), D.minusDays(1), FEATURES_AND_SEGMENTS);
    List<Row> before = sorted(spark().table("d2d_features.user_features")
        .where(col("as_of_date").equalTo(java.sql.Date.valueOf(D.minusDays(1)))), "user_id");

    run(config("d2d_features", generated(), List.of(count("invites_7d", "invite_teammate", 7),
            expression("tenure_days", "cast(invites_7d as double) / 2"), count("edits_7d", "edit_doc", 7)), segments),
        D, FEATURES_AND_SEGMENTS);
    StructType schema = spark().table("d2d_features.user_features").schema();
    assertEquals(DataTypes.DoubleType, schema.apply("tenure_days").dataType(), "the retyped feature");
    Assertions.assertTrue(List.of(schema.fieldNames()).containsAll(List.of("edits_7d", "comments_14d")), schema.treeString());
    FeatureDay past = new FeatureDay("d2d_features", D.minusDays(1));
    FeatureDay today = new FeatureDay("d2d_features", D);
    assertEquals(0, past.count("edits_7d is not null"), "rows from before a feature existed hold null");
    Assertions.assertTrue(today.count("edits_7d > 0") > 0, "the new feature is computed from the first day it exists");
    assertEquals(0, today.count("comments_14d is not null"), "a removed feature is null in new rows");
    assertEquals(before.stream().filter(r -> r.<Long>getAs("comments_14d") > 0).count(),
        past.count("comments_14d > 0"), "its past values stay");
    assertEquals(before.stream().mapToDouble(r -> r.<Integer>getAs("tenure_days")).sum(),
        spark().table("d2d_features.user_features").where(col("as_of_date").equalTo(java.sql.Date.valueOf(D.minusDays(1))))
            .agg(org.apache.spark.sql.functions.sum("tenure_days")).first().getDouble(0), 1e-9,
        "past values of a retyped feature are cast to the new type");
  }

  @Test
  void aRenamedSegmentClosesItsStaysAndNoHistoryRowDisappears() {
    generatedEvents();
    List<FeatureSpec> features = List.of(count("invites_7d", "invite_teammate", 7), count("comments_14d", "comment", 14));
    run(config("d2d_rename", generated(), features,
        List.of(segment("inviters", "invites_7d >= 1"), segment("commenters", "comments_14d >= 1"))),
        D.minusDays(1), FEATURES_AND_SEGMENTS);
    List<String> historyBefore = stays("entered_on");
    long commentersBefore = spark().table("d2d_rename.segment_membership")
        .where("segment = 'commenters' and as_of_date = '" + D.minusDays(1) + "'").count();
    Assertions.assertTrue(commentersBefore > 0);

    run(config("d2d_rename", generated(), features,
        List.of(segment("inviters", "invites_7d >= 1"), segment("talkers", "comments_14d >= 1"))),
        D, FEATURES_AND_SEGMENTS);
    List<String> historyAfter = stays("entered_on");
    Assertions.assertTrue(historyAfter.containsAll(historyBefore), "no stay disappeared");
    assertEquals(commentersBefore, spark().table("d2d_rename.segment_history")
        .where("segment = 'commenters' and exited_on = '" + D + "'").count(), "every open stay closed on D");
    assertEquals(0, spark().table("d2d_rename.segment_history").where("segment = 'commenters' and exited_on is null")
        .count());
    assertEquals(commentersBefore, spark().table("d2d_rename.segment_changes")
        .where("segment = 'commenters' and change = 'exited' and as_of_date = '" + D + "'").count(),
        "each exit is a change of the first replayed day");
    assertEquals(0, spark().table("d2d_rename.segment_membership").where("segment = 'commenters' and as_of_date = '"
        + D + "'").count());

    ConfigException e = assertThrows(ConfigException.class, () -> run(config("d2d_rename", generated(), features,
        List.of(segment("inviters", "invites_7d >= 1"))), D.plusDays(3), EnumSet.of(DailyPipeline.Step.PUBLISH)));
    Assertions.assertTrue(e.getMessage().contains("there is no segment membership for " + D.plusDays(3)
        + "; the last day with segment state is " + D), e.getMessage());
    assertEquals(false, new Warehouse(spark(), "d2d_rename").exists("audience_members"), "nothing was published");
  }

  private List<String> stays(String column) {
    return spark().table("d2d_rename.segment_history").collectAsList().stream()
        .map(r -> r.getAs("user_id") + " " + r.getAs("segment") + " " + r.getAs(column)).toList();
  }

  private static final StructType RAW = new StructType().add("event_id", DataTypes.StringType)
      .add("user_id", DataTypes.StringType).add("event_name", DataTypes.StringType)
      .add("event_at", DataTypes.StringType).add("revenue_usd", DataTypes.DoubleType);

  @Test
  void theQuarantineCeilingCountsTheDaysNewRowsOnlyAndNotTheBotFilter() {
    List<Object[]> rows = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      rows.add(row("a" + i, "u" + i, "comment", D.minusDays(1) + " 10:00:00", null));
      rows.add(row("b" + i, "u" + i, "comment", D + " 10:00:00", null));
    }
    rows.add(row("x1", "u1", "comment", "garbage", null));
    rows.add(row("x2", "u2", "comment", "not a time", null));
    for (int i = 0; i < 30; i++) {
      rows.add(row("bot" + i, "bot", "comment", D + " 11:00:" + (10 + i), null));
    }
    Warehouse source = new Warehouse(spark(), "d2d_quarantine_src");
    source.overwrite(frame(RAW, rows.toArray(Object[][]::new)), "events");
    SourceConfig config = new SourceConfig("d2d_quarantine_src.events", Map.of("revenue", "revenue_usd"), null,
        List.of(), 24, 0.05, List.of("event_id"), 20, 0);
    PipelineConfig pipeline = config("d2d_quarantine", config, List.of(count("comments_7d", "comment", 7)), List.of());
    EnumSet<DailyPipeline.Step> stage = EnumSet.of(DailyPipeline.Step.STAGE);

    run(pipeline, D.minusDays(1), stage);
    run(pipeline, D, stage);
    run(pipeline, D, stage);
    assertEquals(List.of("2026-06-29 unparsable_timestamp x1", "2026-06-29 unparsable_timestamp x2"),
        spark().table("d2d_quarantine.quarantine_events").where("event_id like 'x%'").orderBy("event_id")
            .collectAsList().stream().map(r -> r.getAs("as_of_date") + " " + r.getAs("quarantine_reason") + " "
                + r.getAs("event_id")).toList(), "stored once, under the day they first came");
    assertEquals(30, spark().table("d2d_quarantine.quarantine_events")
        .where("quarantine_reason = 'bot_over_20_events_per_day'").count(), "the bot's rows, once (reruns replace)");
    Row ledger = spark().table("d2d_quarantine.pipeline_runs").where("step = 'stage' and as_of_date = '" + D + "'")
        .orderBy(col("started_at").desc()).first();
    Assertions.assertTrue(ledger.<scala.collection.Seq<String>>getAs("warnings").mkString("|")
        .contains("bot filter set aside 30 rows"), ledger.toString());
    Assertions.assertTrue(ledger.<String>getAs("message").contains("2 refused rows were quarantined by an earlier run"),
        ledger.toString());

    rows.add(row("x3", "u3", "comment", "garbage again", null));
    for (int i = 0; i < 5; i++) {
      rows.add(row("y" + i, null, "comment", D + " 12:00:00", null));
    }
    source.overwrite(frame(RAW, rows.toArray(Object[][]::new)), "events");
    InputRefusedException refused = assertThrows(InputRefusedException.class, () -> run(pipeline, D, stage));
    Assertions.assertTrue(refused.getMessage().contains("(6 of 66)"), "6 new bad rows of the day, 60 good: " + refused.getMessage());
  }

  @Test
  void aDayWhoseEventsHaveNotArrivedIsRefusedBeforeAnythingIsWrittenUnlessItIsKnownToBeQuiet() {
    List<Object[]> rows = new ArrayList<>();
    for (LocalDate day = D.minusDays(8); day.isBefore(D); day = day.plusDays(1)) {
      for (int i = 0; i < 100; i++) {
        rows.add(row(day + "-" + i, "u" + i, "comment", day + " 10:00:00", null));
      }
    }
    for (int i = 0; i < 20; i++) {
      rows.add(row(D + "-" + i, "u" + i, "comment", D + " 01:" + (10 + i) + ":00", null));
    }
    new Warehouse(spark(), "d2d_fresh_src").overwrite(frame(RAW, rows.toArray(Object[][]::new)), "events");
    java.util.function.Function<SourceConfig.Freshness, PipelineConfig> config = freshness -> config("d2d_fresh",
        new SourceConfig("d2d_fresh_src.events", Map.of("revenue", "revenue_usd"), null, List.of(), 24, 0.05,
            List.of("event_id"), 0, 0, Map.of(), "UTC", null, null, null, freshness),
        List.of(count("comments_7d", "comment", 7)), List.of());
    EnumSet<DailyPipeline.Step> stage = EnumSet.of(DailyPipeline.Step.STAGE);
    run(config.apply(SourceConfig.Freshness.DEFAULT), D.minusDays(1), stage);
    Warehouse warehouse = new Warehouse(spark(), "d2d_fresh");
    long rollup = warehouse.delta("user_daily_activity").history(1).first().<Long>getAs("version");
    long quarantine = warehouse.delta("quarantine_events").history(1).first().<Long>getAs("version");

    io.segments.stage.StaleDataException stale = assertThrows(io.segments.stage.StaleDataException.class,
        () -> run(config.apply(SourceConfig.Freshness.DEFAULT), D.plusDays(1), stage));
    assertEquals(6, stale.exitCode());
    Assertions.assertTrue(stale.getMessage().contains("the source has no event on " + D.plusDays(1)
        + " (it holds the newest event at 2026-06-30T01:29:00Z)"), stale.getMessage());
    stale = assertThrows(io.segments.stage.StaleDataException.class,
        () -> run(config.apply(new SourceConfig.Freshness(0.5, 0)), D, stage));
    Assertions.assertTrue(stale.getMessage().contains("holds 20 events, 20% of a typical day's 100"),
        stale.getMessage());
    stale = assertThrows(io.segments.stage.StaleDataException.class,
        () -> run(config.apply(new SourceConfig.Freshness(0, 6)), D, stage));
    Assertions.assertTrue(stale.getMessage().contains("the newest event of " + D + " is at 2026-06-30T01:29:00Z, 22.5"
        + " hours before the day ended, more than source.freshness.max_lag_hours 6"), stale.getMessage());
    assertEquals(rollup, warehouse.delta("user_daily_activity").history(1).first().<Long>getAs("version"),
        "nothing written");
    assertEquals(quarantine, warehouse.delta("quarantine_events").history(1).first().<Long>getAs("version"));

    run(config.apply(new SourceConfig.Freshness(0.1, 23)), D, stage);
    new DailyPipeline(config.apply(SourceConfig.Freshness.DEFAULT), spark(), new PrintStream(new ByteArrayOutputStream()))
        .run(new DailyPipeline.RunOptions(D.plusDays(1), null, true, false, stage, false, true));
    assertEquals(20, warehouse.read("user_daily_activity").where(col("activity_date").equalTo(java.sql.Date.valueOf(D)))
        .count(), "a day that meets the expectation, then a quiet day run on purpose (--allow-stale)");
  }

  @Test
  void aFirstRunWithLessHistoryThanTheReplayDaysStartsAtTheFirstEvent() {
    generatedEvents();
    PipelineConfig base = config("d2d_short", generated(), List.of(count("invites_7d", "invite_teammate", 7)),
        List.of(segment("inviters", "invites_7d >= 1")));
    PipelineConfig config = new PipelineConfig(base.file(), base.spark(), base.timeZone(), base.database(),
        base.source(), base.features(), base.segments(), base.audiences(), base.validate(), 1.0, 45, 45,
        base.rfmMap(), null, 240);
    run(config, D, FEATURES_AND_SEGMENTS);
    LocalDate firstEvent = spark().table("d2d_src.events").agg(org.apache.spark.sql.functions.min(
        org.apache.spark.sql.functions.to_date(col("event_at")))).first().getDate(0).toLocalDate();
    Assertions.assertTrue(firstEvent.isAfter(D.minusDays(44)), "the events hold less than 45 days: " + firstEvent);
    assertEquals("days " + firstEvent + ".." + D, spark().table("d2d_short.pipeline_runs")
        .where("step = 'segments'").first().getAs("message"));
  }

  /** Counts over one as-of day of a database's user_features. */
  private record FeatureDay(String database, LocalDate day) {
    long count(String condition) {
      return org.apache.spark.sql.SparkSession.active().table(database + ".user_features")
          .where(col("as_of_date").equalTo(java.sql.Date.valueOf(day))).where(condition).count();
    }
  }
}
