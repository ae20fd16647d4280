package io.segments.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.segments.SparkTestBase;
import io.segments.config.ConfigException;
import io.segments.config.ConfigLoader;
import io.segments.config.PipelineConfig;
import io.segments.config.SourceConfig;
import io.segments.io.Warehouse;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Date;
import java.time.LocalDate;
import java.util.EnumSet;
import java.util.List;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/** Which days a run replays, from segment_history's state note and the rollup's fingerprints alone. */
class ReplayPlanTest extends SparkTestBase {
  private static final LocalDate D = LocalDate.of(2026, 3, 20);

  private static PipelineConfig config(String database, int replayDays, int lookbackDays) {
    PipelineConfig base = ConfigLoader.load(Path.of("..", "conf", "local.yaml"));
    SourceConfig s = base.source();
    return new PipelineConfig(base.file(), base.spark(), base.timeZone(), database,
        new SourceConfig(s.events(), s.columns(), s.users(), s.vocabulary(), s.futureToleranceHours(),
            s.maxQuarantineShare(), s.dedupeKey(), s.botMaxEventsPerDay(), lookbackDays),
        base.features(), base.segments(), base.audiences(), base.validate(), base.maxChangeShare(), replayDays, 7,
        base.rfmMap(), null, 240);
  }

  /** A warehouse whose segment state runs through {@code through} (none when null). */
  private Warehouse warehouse(String database, LocalDate through) {
    spark().sql("create database if not exists " + database);
    Warehouse warehouse = new Warehouse(spark(), database);
    if (through != null) {
      warehouse.overwriteNoting(spark().createDataFrame(List.of(RowFactory.create("u1")),
          new StructType().add("user_id", "string")), "segment_history", "state_through=" + through + "\nrun_id=t");
    }
    return warehouse;
  }

  private static DailyPipeline.RunOptions run(LocalDate asOf) {
    return new DailyPipeline.RunOptions(asOf, null, false, false, EnumSet.allOf(DailyPipeline.Step.class), false);
  }

  private static DailyPipeline.RunOptions backfill(LocalDate from, LocalDate to) {
    return new DailyPipeline.RunOptions(to, from, false, false, EnumSet.allOf(DailyPipeline.Step.class), false);
  }

  private static List<LocalDate> days(PipelineConfig config, Warehouse warehouse, DailyPipeline.RunOptions options) {
    return ReplayPlan.days(config, warehouse, options, new PrintStream(new ByteArrayOutputStream()),
        io.segments.segment.SegmentsStep.lastStateDay(warehouse));
  }

  private static List<LocalDate> range(LocalDate first, LocalDate last) {
    return first.datesUntil(last.plusDays(1)).toList();
  }

  @Test
  void aFirstRunReplaysReplayDaysEndingOnD() {
    assertEquals(range(D.minusDays(9), D), days(config("rp_first", 10, 0), warehouse("rp_first", null), run(D)));
  }

  @Test
  void aDailyRunReplaysEveryDayAfterTheLastStateAndARerunOfTheSameDayReplaysIt() {
    Warehouse warehouse = warehouse("rp_gap", D.minusDays(3));
    PipelineConfig config = config("rp_gap", 10, 0);
    assertEquals(range(D.minusDays(2), D), days(config, warehouse, run(D)));
    assertEquals(List.of(D.minusDays(3)), days(config, warehouse, run(D.minusDays(3))), "rerun of the last day");
  }

  @Test
  void aRunBeforeTheLastStateIsRefusedWithTheBackfillThatWouldRebuildIt() {
    ConfigException refused = assertThrows(ConfigException.class,
        () -> days(config("rp_past", 10, 0), warehouse("rp_past", D), run(D.minusDays(5))));
    Assertions.assertTrue(refused.getMessage().contains("backfill --from " + D.minusDays(5) + " --to " + D),
        refused.getMessage());
  }

  @Test
  void aBackfillReplaysItsRangeAndMustReachTheLastState() {
    Warehouse warehouse = warehouse("rp_backfill", D);
    PipelineConfig config = config("rp_backfill", 10, 0);
    assertEquals(range(D.minusDays(4), D), days(config, warehouse, backfill(D.minusDays(4), D)));
    ConfigException early = assertThrows(ConfigException.class,
        () -> days(config, warehouse, backfill(D.minusDays(4), D.minusDays(1))));
    Assertions.assertTrue(early.getMessage().contains("--to " + D), early.getMessage());
    assertThrows(ConfigException.class, () -> days(config, warehouse, backfill(D, D.minusDays(1))), "from > to");
  }

  @Test
  void daysGoThroughFeaturesAndSegmentsInChunksOfTheConfiguredSize() {
    List<List<LocalDate>> chunks = ReplayPlan.chunks(range(D.minusDays(15), D), 7);
    assertEquals(List.of(7, 7, 2), chunks.stream().map(List::size).toList());
    assertEquals(D.minusDays(15), chunks.get(0).get(0));
    assertEquals(D, chunks.get(2).get(1));
    assertEquals(List.of(range(D.minusDays(15), D)), ReplayPlan.chunks(range(D.minusDays(15), D), 45), "one chunk");
    assertEquals(16, ReplayPlan.chunks(range(D.minusDays(15), D), 1).size(), "a chunk per day");
    PipelineConfig c = config("rp_chunks", 10, 0);
    assertThrows(IllegalArgumentException.class, () -> new PipelineConfig(c.file(), c.spark(),
        c.timeZone(), c.database(), c.source(), c.features(), c.segments(), c.audiences(), c.validate(),
        c.maxChangeShare(), c.replayDays(), 0, c.rfmMap(), c.postgres(), c.lockStaleMinutes()), "chunks of 0 days");
  }

  @Test
  void withALookbackADailyRunReadsTheLookbackDaysBeforeTheFirstDayNotRolledUp() {
    Warehouse warehouse = warehouse("rp_lookback", null);
    java.util.Map<Date, long[]> prints = java.util.Map.of(Date.valueOf(D.minusDays(2)), new long[] {1, 1});
    warehouse.overwrite(spark().createDataFrame(List.of(RowFactory.create("u1")),
        new StructType().add("user_id", "string")), "user_daily_activity");
    assertEquals(D.minusDays(1).minusDays(3), ReplayPlan.readFrom(config("rp_lookback", 10, 3), warehouse, run(D), prints));
    assertNull(ReplayPlan.readFrom(config("rp_lookback", 10, 0), warehouse, run(D), prints), "no lookback: all history");
    assertNull(ReplayPlan.readFrom(config("rp_lookback", 10, 3), warehouse, backfill(D.minusDays(3), D), prints),
        "a backfill reads all history");
  }
}
