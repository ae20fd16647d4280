package io.segments.stream;

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
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * What the stream knows of the event-refreshed segments: the daily membership of the last state day with the stream's
 * logged changes of later days applied (the latest change of a user and segment wins), before a batch of its own,
 * and the daily publish's overlay of it.
 */
class LiveViewTest extends SparkTestBase {
  private static final StructType MEMBERSHIP = new StructType()
      .add("as_of_date", DataTypes.DateType).add("user_id", DataTypes.StringType)
      .add("segment", DataTypes.StringType).add("family", DataTypes.StringType)
      .add("entered_on", DataTypes.DateType);
  private static final List<SegmentSpec> SEGMENTS = List.of(
      new SegmentSpec("save", null, 1, "true", null, 0, "", "", "", "", "", "t", SegmentSpec.EVENT),
      new SegmentSpec("daily", null, 1, "true", null, 0, "", "", "", "", "", "t"));

  private Warehouse warehouse() {
    Warehouse warehouse = new Warehouse(spark(), "live_view");
    warehouse.overwrite(frame(MEMBERSHIP,
        row(day("2026-10-30"), "u1", "save", null, day("2026-10-29")),
        row(day("2026-10-30"), "u2", "save", null, day("2026-10-30")),
        row(day("2026-10-30"), "u1", "daily", null, day("2026-10-01")),
        row(day("2026-10-31"), "u1", "daily", null, day("2026-10-01"))), "segment_membership");
    warehouse.overwrite(frame(LiveView.SCHEMA,
        // a change of the day the daily run has written (10-30) no longer counts
        row(day("2026-10-30"), "u9", "save", null, "entered", day("2026-10-30"), at("2026-10-30 10:00:00"), "q", 0L,
            at("2026-10-30 10:00:05")),
        row(day("2026-10-31"), "u2", "save", null, "exited", day("2026-10-30"), at("2026-10-31 09:00:00"), "q", 1L,
            at("2026-10-31 09:00:05")),
        row(day("2026-10-31"), "u3", "save", null, "entered", day("2026-10-31"), at("2026-10-31 09:10:00"), "q", 2L,
            at("2026-10-31 09:10:05")),
        row(day("2026-10-31"), "u3", "save", null, "exited", day("2026-10-31"), at("2026-10-31 11:00:00"), "q", 3L,
            at("2026-10-31 11:00:05")),
        row(day("2026-10-31"), "u4", "save", null, "entered", day("2026-10-31"), at("2026-10-31 12:00:00"), "q", 4L,
            at("2026-10-31 12:00:05"))), LiveView.CHANGES);
    return warehouse;
  }

  @Test
  void theDailyMembershipWithTheLatestLoggedChangeOfEachUserAndSegment() {
    Warehouse warehouse = warehouse();
    LocalDate last = LocalDate.of(2026, 10, 30);
    List<SegmentSpec> live = List.of(SEGMENTS.get(0));
    assertEquals("[[u1,save,2026-10-29], [u4,save,2026-10-31]]",
        members(LiveView.current(warehouse, live, last)), "u2 left, u3 came and went, u9's change is of a past day");
    assertEquals("[[u1,save,2026-10-29]]", members(LiveView.current(warehouse, live, last, "q", 4)),
        "the view before batch 4 of query q (its own entry of u4 is not counted)");
    assertEquals("[[u4,save,2026-10-31], [u9,save,2026-10-30]]",
        members(LiveView.current(warehouse, live, LocalDate.of(2026, 10, 29))),
        "with the daily run a day behind, its membership of 10-29 and the stream's changes of 10-30 on count");
  }

  @Test
  void theDailyPublishKeepsTheDailySegmentsAndTakesTheEventSegmentsAsTheStreamHasThem() {
    Warehouse warehouse = warehouse();
    PipelineConfig config = new PipelineConfig(Path.of("t.yaml"), Map.of(), "UTC", "live_view",
        new SourceConfig("e", Map.of(), null, List.of(), 24, 0.05), List.of(), SEGMENTS, List.of(),
        new ValidateConfig(List.of(), null, 7, null, 30, 200, 15, false), 0.5, 28, 7,
        ConfigLoader.DEFAULT_RFM_MAP, null, 240);
    Dataset<Row> daily = warehouse.read("segment_membership").where(Warehouse.on("as_of_date",
        LocalDate.of(2026, 10, 30)));
    List<Row> published = sorted(LiveView.overlay(warehouse, config, daily, LocalDate.of(2026, 10, 30)),
        "segment", "user_id");
    assertEquals("[[2026-10-30,u1,daily,null,2026-10-01], [2026-10-30,u1,save,null,2026-10-29],"
        + " [2026-10-30,u4,save,null,2026-10-31]]", published.toString());
  }

  private static String members(Dataset<Row> view) {
    return sorted(view.select("user_id", "segment", "entered_on"), "user_id", "segment").toString();
  }
}
