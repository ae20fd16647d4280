package io.segments.pipeline;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.segments.SparkTestBase;
import io.segments.TestConfigs;
import io.segments.config.ConfigLoader;
import io.segments.config.PipelineConfig;
import io.segments.config.SegmentSpec;
import io.segments.config.SourceConfig;
import io.segments.generate.EventGenerator;
import io.segments.io.FaultPoint;
import io.segments.io.Warehouse;
import io.segments.ledger.RunLock;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** A failed backfill resumes after the last day it completed; a second run is refused while one holds the lock. */
class BackfillAndLockTest extends SparkTestBase {
  private static final LocalDate FROM = LocalDate.of(2026, 6, 23);
  private static final LocalDate TO = LocalDate.of(2026, 6, 30);

  private PipelineConfig config(String database) {
    PipelineConfig base = ConfigLoader.load(Path.of("..", "conf", "local.yaml"));
    SourceConfig src = base.source();
    List<SegmentSpec> segments = new ArrayList<>(TestConfigs.segments(base.segments()));
    return new PipelineConfig(base.file(), base.spark(), base.timeZone(), database,
        new SourceConfig("bf_src.events", src.columns(), null, src.vocabulary(), 24, 0.05),
        TestConfigs.features(base.features()),
        segments, List.of(), base.validate(), 1.0, 7, 7, base.rfmMap(), null, 240);
  }

  private void sourceData() {
    Warehouse source = new Warehouse(spark(), "bf_src");
    if (!source.exists("events")) {
      source.overwrite(EventGenerator.events(spark(), new EventGenerator.Spec(250, TO, 30, 11, "UTC")), "events");
    }
  }

  private static List<Row> membership(String database) {
    return sorted(org.apache.spark.sql.SparkSession.active().table(database + ".segment_membership"),
        "as_of_date", "user_id", "segment");
  }

  @Tag("slow") // a backfill, a crash and its resume against an uninterrupted one: ./segments test --all (CI)
  @Test
  void aFailedBackfillResumesAfterTheLastDayItCompletedAndEqualsAnUninterruptedOne() {
    sourceData();
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    PrintStream console = new PrintStream(log, true, StandardCharsets.UTF_8);
    DailyPipeline failing = new DailyPipeline(config("bf_resumed"), spark(), console);
    // A crash after the second chunk (06-30) wrote segment_membership, before its changes and history.
    FaultPoint.failAfter("segment_membership", 2);
    try {
      assertThrows(IllegalStateException.class, () -> failing.run(TO, FROM, true), "the fault fires in chunk 2");
    } finally {
      FaultPoint.failAfter(null, 0);
    }
    assertEquals(LocalDate.of(2026, 6, 29), spark().table("bf_resumed.pipeline_runs")
        .where("step = 'segments' and status = 'succeeded'").agg(org.apache.spark.sql.functions.max("last_day"))
        .first().getDate(0).toLocalDate(), "the ledger says the first chunk (06-23..06-29) completed");

    new DailyPipeline(config("bf_resumed"), spark(), console).run(TO, FROM, true);
    Assertions.assertTrue(log.toString(StandardCharsets.UTF_8)
        .contains("resuming the interrupted backfill 2026-06-23..2026-06-30 after 2026-06-29"), log.toString());

    new DailyPipeline(config("bf_straight"), spark(), new PrintStream(new ByteArrayOutputStream()))
        .run(TO, FROM, true);
    assertEquals(membership("bf_straight"), membership("bf_resumed"));
    for (String[] table : List.of(new String[] {"segment_changes", "as_of_date", "user_id", "segment"},
        new String[] {"segment_history", "user_id", "segment", "entered_on"})) {
      String[] order = java.util.Arrays.copyOfRange(table, 1, table.length);
      assertEquals(sorted(spark().table("bf_straight." + table[0]), order),
          sorted(spark().table("bf_resumed." + table[0]), order), table[0] + " equals an uninterrupted backfill's");
    }
  }

  @Test
  void aSecondRunIsRefusedWhileTheLockIsHeld() {
    sourceData();
    PipelineConfig config = config("bf_lock");
    Warehouse warehouse = new Warehouse(spark(), "bf_lock");
    try (RunLock held = RunLock.acquire(warehouse, "other-run", "run --as-of 2026-06-30", Duration.ofHours(4))) {
      RunLock.HeldException e = assertThrows(RunLock.HeldException.class,
          () -> new DailyPipeline(config, spark(), new PrintStream(new ByteArrayOutputStream())).run(TO, null, true));
      Assertions.assertTrue(e.getMessage().contains("another run holds the lock on bf_lock: run other-run"),
          e.getMessage());
    }
    assertEquals(0, warehouse.read("pipeline_lock").count(), "released");
  }
}
