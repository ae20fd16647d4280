package io.segments.pipeline;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.segments.SparkTestBase;
import io.segments.TestConfigs;
import io.segments.config.ConfigLoader;
import io.segments.config.PipelineConfig;
import io.segments.config.SourceConfig;
import io.segments.generate.EventGenerator;
import io.segments.io.Warehouse;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.EnumSet;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A daily run that picks up a new day and late events for an earlier day recomputes only those days of the
 * rollup, and gives the same rollup and features as a full rebuild.
 */
@Tag("slow") // daily runs against full rebuilds: ./segments test --all (CI), not the everyday command
class IncrementalRefreshTest extends SparkTestBase {
  private static final LocalDate END = LocalDate.of(2026, 6, 30);

  @Test
  void incrementalEqualsFullRebuildWithLateEvents() {
    EventGenerator.Spec spec = new EventGenerator.Spec(300, END, 40, 7, "UTC");
    Warehouse source = new Warehouse(spark(), "incr_src");
    Dataset<Row> events = EventGenerator.events(spark(), spec).cache();
    source.overwrite(events.where(col("event_at").lt(lit("2026-06-30"))), "events");

    DailyPipeline pipeline = pipeline("incr_src.events", "incr_out", 0);
    EnumSet<DailyPipeline.Step> features = EnumSet.of(DailyPipeline.Step.FEATURES);
    pipeline.run(new DailyPipeline.RunOptions(END.minusDays(1), null, true, false, features, false));

    // The next day arrives, with late events for 06-20 (copies of real rows under new ids).
    Dataset<Row> late = events.where(col("event_at").between(lit("2026-06-20 00:00:00"), lit("2026-06-20 23:59:59")))
        .withColumn("event_id", org.apache.spark.sql.functions.concat(col("event_id"), lit("-late")));
    source.append(events.where(col("event_at").geq(lit("2026-06-30"))).unionByName(late), "events");
    pipeline.run(new DailyPipeline.RunOptions(END, null, true, false, features, false));
    Dataset<Row> fingerprints = spark().table("incr_out.pipeline_runs").where("step = 'rollup'")
        .orderBy(col("started_at").desc()).limit(1);
    assertEquals("recomputed 2 of 40 days", fingerprints.first().getAs("message"), "06-20 (late) and 06-30 (new)");
    List<Row> incrementalRollup = sorted(spark().table("incr_out.user_daily_activity"),
        "user_id", "activity_date", "event_name");
    List<Row> incrementalFeatures = sorted(spark().table("incr_out.user_features").where("as_of_date = '" + END + "'"),
        "user_id");

    pipeline.run(new DailyPipeline.RunOptions(END, null, true, true, features, false));
    assertEquals(incrementalRollup, sorted(spark().table("incr_out.user_daily_activity"),
        "user_id", "activity_date", "event_name"));
    assertEquals(incrementalFeatures, sorted(spark().table("incr_out.user_features")
        .where("as_of_date = '" + END + "'"), "user_id"));
  }

  @Test
  void withALookbackADailyRunReadsRecentDaysAndValidatesOnlyTheCohortsItCanChange() {
    EventGenerator.Spec spec = new EventGenerator.Spec(150, END, 30, 11, "UTC");
    Warehouse source = new Warehouse(spark(), "look_src");
    Dataset<Row> events = EventGenerator.events(spark(), spec).cache();
    source.overwrite(events.where(col("event_at").lt(lit("2026-06-30"))), "events");
    DailyPipeline pipeline = pipeline("look_src.events", "look_out", 3);
    EnumSet<DailyPipeline.Step> steps = EnumSet.range(DailyPipeline.Step.STAGE, DailyPipeline.Step.VALIDATE);
    pipeline.run(new DailyPipeline.RunOptions(END.minusDays(1), null, true, false, steps, false));
    long before0620 = activityOn("2026-06-20");

    // The next day arrives with late copies for 06-28 (within the 3-day lookback) and 06-20 (older).
    Dataset<Row> late = events.where(col("event_at").between(lit("2026-06-20 00:00:00"), lit("2026-06-20 23:59:59"))
            .or(col("event_at").between(lit("2026-06-28 00:00:00"), lit("2026-06-28 23:59:59"))))
        .withColumn("event_id", org.apache.spark.sql.functions.concat(col("event_id"), lit("-late")));
    source.append(events.where(col("event_at").geq(lit("2026-06-30"))).unionByName(late), "events");
    pipeline.run(new DailyPipeline.RunOptions(END, null, true, false, steps, false));
    Dataset<Row> runs = spark().table("look_out.pipeline_runs").orderBy(col("started_at").desc());
    assertEquals("read events from 2026-06-27 (source.lookback_days)",
        runs.where("step = 'stage'").first().getAs("message"), "3 days before 06-30, the first day not rolled up");
    assertEquals("recomputed 2 of 4 days", runs.where("step = 'rollup'").first().getAs("message"), "06-28 and 06-30");
    assertEquals("recomputed the outcomes of 35 cohort days (late events for 1 earlier day)",
        runs.where("step = 'validate'").first().getAs("message"), "06-30 and the days 1, 7, 30 and 90 before it"
            + " (activation 7 and conversion 30 coincide), and the cohorts whose finished outcomes 06-28's late events"
            + " reach: 05-29..06-28 (days 0..30) and 03-30 (day 90)");
    assertEquals(before0620, activityOn("2026-06-20"), "06-20 lies before the lookback: its late events wait");
    List<Row> incrementalOutcomes = sorted(spark().table("look_out.segment_outcomes"), "segment", "cohort_date");

    pipeline.run(new DailyPipeline.RunOptions(END, null, true, true, EnumSet.of(DailyPipeline.Step.VALIDATE), false));
    assertEquals(incrementalOutcomes, sorted(spark().table("look_out.segment_outcomes"), "segment", "cohort_date"),
        "validating only the changed cohorts gives what validating all of them gives");
    pipeline.run(new DailyPipeline.RunOptions(END, null, true, true, EnumSet.of(DailyPipeline.Step.FEATURES), false));
    assertEquals(2 * before0620, activityOn("2026-06-20"), "--full reads all history: the late copies count");
  }

  /** The local config's features and segments over {@code events}, 7 replay days, a quiet console. */
  private DailyPipeline pipeline(String events, String database, int lookbackDays) {
    PipelineConfig base = ConfigLoader.load(Path.of("..", "conf", "local.yaml"));
    SourceConfig src = base.source();
    PipelineConfig config = new PipelineConfig(base.file(), base.spark(), base.timeZone(), database,
        new SourceConfig(events, src.columns(), null, src.vocabulary(), src.futureToleranceHours(),
            src.maxQuarantineShare(), List.of("event_id"), 0, lookbackDays),
        TestConfigs.features(base.features()), TestConfigs.segments(base.segments()), List.of(), base.validate(),
        1.0, 7, 7, base.rfmMap(), null, 240);
    return new DailyPipeline(config, spark(), new PrintStream(new ByteArrayOutputStream()));
  }

  private long activityOn(String day) {
    return spark().table("look_out.user_daily_activity").where("activity_date = '" + day + "'")
        .agg(org.apache.spark.sql.functions.sum("event_count")).first().getLong(0);
  }
}

