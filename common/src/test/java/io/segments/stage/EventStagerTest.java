package io.segments.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.segments.SparkTestBase;
import io.segments.config.SourceConfig;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** Staging as of 2026-03-10: every refused row gets one reason, duplicates are kept once, later rows wait. */
class EventStagerTest extends SparkTestBase {
  private static final StructType RAW = new StructType()
      .add("id", DataTypes.StringType).add("uid", DataTypes.StringType).add("name", DataTypes.StringType)
      .add("ts", DataTypes.StringType).add("amount", DataTypes.StringType);

  private static final SourceConfig SOURCE = new SourceConfig("unused",
      Map.of("event_id", "id", "user_id", "uid", "event_name", "name", "event_at", "ts", "revenue", "amount"),
      null, List.of("signup", "upgrade", "comment"), 24, 0.05);

  @Test
  void refusedRowsCarryAReasonAndDuplicatesAreCountedOnce() {
    Dataset<Row> raw = frame(RAW,
        row("e1", "a", "signup", "2026-03-01 10:00:00", null),
        row("e1", "a", "signup", "2026-03-01 10:00:00", null),
        row("e2", "a", "upgrade", "2026-03-02 10:00:00", "49.5"),
        row("e3", " ", "comment", "2026-03-02 10:00:00", null),
        row("e4", null, "comment", "2026-03-02 10:00:00", null),
        row("e5", "b", "comment", null, null),
        row("e6", "b", "comment", "yesterday", null),
        row("e7", "b", "comment", "2099-01-01 00:00:00", null),
        row("e8", "b", "launch_rocket", "2026-03-02 10:00:00", null),
        row("e9", "b", "upgrade", "2026-03-02 10:00:00", "-5"),
        row("e10", "b", "upgrade", "2026-03-02 10:00:00", "lots"),
        row("e11", "b", "comment", "2026-03-11 00:00:00", null));
    EventStager.Staged staged = EventStager.stage(spark(), raw, SOURCE, LocalDate.of(2026, 3, 10),
        Instant.parse("2026-03-11T06:00:00Z"));

    assertEquals(List.of("e1", "e2"), staged.events().orderBy("event_id").collectAsList().stream()
        .map(r -> r.<String>getAs("event_id")).toList(), "e1 once; e11 is after D and waits for its day");
    assertEquals(49.5, staged.events().where("event_id = 'e2'").first().<Double>getAs("revenue_usd"), 1e-9);
    Map<String, String> reasons = new TreeMap<>();
    staged.quarantined().collectAsList().forEach(r -> reasons.put(r.getAs("event_id"), r.getAs("quarantine_reason")));
    assertEquals(Map.of(
        "e3", "null_or_empty_user_id",
        "e4", "null_or_empty_user_id",
        "e5", "null_timestamp",
        "e6", "unparsable_timestamp",
        "e7", "future_timestamp",
        "e8", "unknown_event_name",
        "e9", "negative_revenue",
        "e10", "non_numeric_revenue"), reasons);
  }
}
