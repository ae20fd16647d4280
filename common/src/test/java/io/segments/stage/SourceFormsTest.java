package io.segments.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.segments.SparkTestBase;
import io.segments.config.SourceConfig;
import io.segments.io.InputRefusedException;
import io.segments.io.SourceReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * Every form of event_at lands on the right day at a day boundary, revenue is optional, and path sources take
 * reader options. The segment days are America/New_York's: 2026-10-31 begins at 04:00 UTC there.
 */
class SourceFormsTest extends SparkTestBase {
  private static final LocalDate AS_OF = LocalDate.of(2026, 11, 2);
  private static final Instant NOW = Instant.parse("2026-11-03T00:00:00Z");

  private static SourceConfig source(String zone, String unit) {
    return new SourceConfig("src", Map.of("event_id", "id", "user_id", "uid", "event_name", "name", "event_at", "ts"),
        null, List.of(), 24, 0.05, List.of("event_id"), 0, 0, Map.of(), zone, unit, null, null);
  }

  /** The event_date of each row (by id), staged in New York's calendar. */
  private List<String> days(DataType type, SourceConfig source, Object... stamps) {
    StructType schema = new StructType().add("id", DataTypes.StringType).add("uid", DataTypes.StringType)
        .add("name", DataTypes.StringType).add("ts", type);
    Object[][] rows = new Object[stamps.length][];
    for (int i = 0; i < stamps.length; i++) {
      rows[i] = row("e" + i, "u", "comment", stamps[i]);
    }
    spark().conf().set("spark.sql.session.timeZone", "America/New_York");
    Dataset<Row> raw = frame(schema, rows);
    SourceReader.requireColumns(raw, source, "src");
    return sorted(EventStager.stage(spark(), raw, source, AS_OF, NOW).events(), "event_id").stream()
        .map(r -> r.getAs("event_date").toString()).toList();
  }

  @Test
  void stringsWithAnOffsetAreThatInstantAndNaiveOnesAreReadInTheTimestampZone() {
    assertEquals(List.of("2026-10-30", "2026-10-31", "2026-10-30", "2026-10-31", "2026-10-31", "2026-10-30"),
        days(DataTypes.StringType, source("UTC", null), "2026-10-31T03:59:59Z", "2026-10-31T04:00:00Z",
            "2026-10-30T23:59:59-04:00", "2026-10-31T00:00:00.000-04:00", "2026-10-31 05:00:00 UTC",
            "2026-10-31 00:59:59 Europe/London"));
    assertEquals(List.of("2026-10-30", "2026-10-31"), days(DataTypes.StringType, source("UTC", null),
        "2026-10-31 03:59:59", "2026-10-31T04:00:00"), "naive: UTC by default, not the segment zone");
    assertEquals(List.of("2026-10-31", "2026-10-31"), days(DataTypes.StringType, source("America/New_York", null),
        "2026-10-31 03:59:59", "2026-10-31 00:00:00"), "naive in timestamp_zone America/New_York");
    assertEquals(List.of("2026-10-31"), days(DataTypes.StringType, source("UTC", null), "2026-10-31"),
        "a date alone is that day");
  }

  @Test
  void everyZoneSparkReadsIsKeptAndAZoneItCannotReadIsQuarantinedNeverDropped() {
    SourceConfig tokyo = source("Asia/Tokyo", null);
    StructType schema = new StructType().add("id", DataTypes.StringType).add("uid", DataTypes.StringType)
        .add("name", DataTypes.StringType).add("ts", DataTypes.StringType);
    String[] stamps = {"2026-10-31 12:00:00 PST", "2026-10-31 12:00:00 CET", "2026-10-31T12:00:00 America/Port-au-Prince",
        "2026-10-31 12:00:00UTC", "2026-10-31 12:00:00GMT-8", "2026-10-31 12:00:00 UTC+01:00", "2026-10-31 12:00:00 EST",
        "2026-10-31T12:00", "2026-10-31 12:00:00.5", "2026-10-31 12:00:00 XYZ", "2026-10-31 12:00:00 europe/paris",
        "12:00:00"};
    Object[][] rows = new Object[stamps.length][];
    for (int i = 0; i < stamps.length; i++) {
      rows[i] = row(String.format("e%02d", i), "u", "comment", stamps[i]);
    }
    EventStager.Staged staged = EventStager.stage(spark(), frame(schema, rows), tokyo, AS_OF, NOW);
    assertEquals(List.of("e00 2026-10-31T19:00:00Z", "e01 2026-10-31T11:00:00Z", "e02 2026-10-31T16:00:00Z",
            "e03 2026-10-31T12:00:00Z", "e04 2026-10-31T20:00:00Z", "e05 2026-10-31T11:00:00Z",
            "e06 2026-10-31T17:00:00Z", "e07 2026-10-31T03:00:00Z", "e08 2026-10-31T03:00:00.500Z"),
        sorted(staged.events(), "event_id").stream().map(r -> r.getAs("event_id") + " "
            + r.<java.sql.Timestamp>getAs("event_at").toInstant()).toList(),
        "a stamp with a zone is that instant; naive ones (e07, e08) are read in timestamp_zone Asia/Tokyo");
    assertEquals(List.of("e09 unparsable_timestamp", "e10 unparsable_timestamp", "e11 unparsable_timestamp"),
        sorted(staged.quarantined(), "event_id").stream()
            .map(r -> r.getAs("event_id") + " " + r.getAs("quarantine_reason")).toList(),
        "an unknown zone, a zone Spark does not read (lower case) and a time without a date are refused");
  }

  @Test
  void aCsvWrittenTheCommonWayKeepsItsJsonPropertiesAndAnUnreadableValueIsQuarantined() throws Exception {
    Path csv = Files.createTempDirectory("segments-csv").resolve("events.csv");
    Files.writeString(csv, "id,uid,name,ts,props\n"
        + "e1,u1,page_view,2026-10-31T12:00:00Z,\"{\"\"path\"\": \"\"/pricing\"\"}\"\n"
        + "e2,u1,page_view,2026-10-31T12:01:00Z,\"{\"\"path\"\": \"\"/docs, guides\"\"}\"\n"
        + "e3,u1,page_view,2026-10-31T12:02:00Z,\n"
        + "e4,u1,page_view,2026-10-31T12:03:00Z,not json\n"
        + "e5,u1,page_view,2026-10-31T12:04:00Z,null\n");
    Map<String, String> columns = Map.of("event_id", "id", "user_id", "uid", "event_name", "name", "event_at", "ts",
        "properties", "props");
    SourceConfig source = new SourceConfig("csv:" + csv, columns, null, List.of(), 24, 0.5, List.of("event_id"), 0, 0,
        Map.of("header", "true"), "UTC", null, null, null);
    EventStager.Staged staged = EventStager.stage(spark(), source, AS_OF, NOW, null, List.of("path"));
    assertEquals(List.of("e1 /pricing", "e2 /docs, guides", "e3 null", "e5 null"), sorted(staged.events(), "event_id")
        .stream()
        .map(r -> r.getAs("event_id") + " " + r.<Row>getAs("properties").getAs("path")).toList(),
        "RFC 4180: a quote inside a quoted field is written twice; empty and JSON null hold no properties");
    assertEquals(List.of("e4 unparsable_properties"), sorted(staged.quarantined(), "event_id").stream()
        .map(r -> r.getAs("event_id") + " " + r.getAs("quarantine_reason")).toList());

    SourceConfig backslash = new SourceConfig("csv:" + csv, columns, null, List.of(), 24, 0.5, List.of("event_id"), 0,
        0, Map.of("header", "true", "escape", "\\"), "UTC", null, null, null);
    assertEquals(3, EventStager.stage(spark(), backslash, AS_OF, NOW, null, List.of("path")).quarantined().count(),
        "source.options wins (Spark's backslash escape keeps both quotes: no JSON parses)");
    assertEquals(5, EventStager.stage(spark(), source, AS_OF, NOW, null).events().count(),
        "no where condition names a property: the column is not read, nothing is refused for it");
  }

  @Test
  void datesTimestampsAndWallClockTimestampsKeepTheirDay() {
    assertEquals(List.of("2026-10-31"), days(DataTypes.DateType, source("UTC", null), day("2026-10-31")));
    assertEquals(List.of("2026-10-30", "2026-10-31"), days(DataTypes.TimestampType, source("UTC", null),
        java.sql.Timestamp.from(Instant.parse("2026-10-31T03:59:59Z")),
        java.sql.Timestamp.from(Instant.parse("2026-10-31T04:00:00Z"))));
    assertEquals(List.of("2026-10-30", "2026-10-31"), days(DataTypes.TimestampNTZType, source("UTC", null),
        java.time.LocalDateTime.parse("2026-10-31T03:59:59"), java.time.LocalDateTime.parse("2026-10-31T04:00:00")));
  }

  @Test
  void epochNumbersAreReadInTheirUnit() {
    long last = 1793419199L;
    assertEquals(List.of("2026-10-30", "2026-10-31"), days(DataTypes.LongType, source("UTC", "seconds"), last, last + 1));
    assertEquals(List.of("2026-10-30", "2026-10-31"), days(DataTypes.LongType, source("UTC", "milliseconds"),
        last * 1000 + 999, (last + 1) * 1000));
    assertEquals(List.of("2026-10-30", "2026-10-31"), days(DataTypes.LongType, source("UTC", "microseconds"),
        last * 1_000_000 + 999_999, (last + 1) * 1_000_000));
    assertEquals(List.of("2026-10-30", "2026-10-31"), days(DataTypes.DoubleType, source("UTC", "seconds"),
        last + 0.5, last + 1.0));
    assertEquals(List.of("2026-10-30", "2026-10-31"), days(DataTypes.StringType, source("UTC", "seconds"),
        String.valueOf(last), String.valueOf(last + 1)), "epoch numbers in a string column (CSV)");
  }

  @Test
  void anEpochColumnWithoutAUnitIsRefusedWithTheKeyToSet() {
    InputRefusedException e = assertThrows(InputRefusedException.class,
        () -> days(DataTypes.LongType, source("UTC", null), 1793419199L));
    org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("column 'ts' (event_at) has type bigint"), e.getMessage());
    org.junit.jupiter.api.Assertions.assertTrue(e.fix().contains("source.timestamp_unit"), e.fix());
  }

  @Test
  void withoutARevenueColumnRevenueIsZero() {
    List<Row> events = EventStager.stage(spark(), frame(new StructType().add("id", DataTypes.StringType)
                .add("uid", DataTypes.StringType).add("name", DataTypes.StringType).add("ts", DataTypes.StringType),
            row("e1", "u", "upgrade", "2026-10-31 12:00:00")), source("UTC", null), AS_OF, NOW)
        .events().collectAsList();
    assertEquals(1, events.size());
    assertEquals(0.0, events.get(0).<Double>getAs("revenue_usd"));
  }

  @Test
  void aCsvPathSourceIsReadWithTheReaderOptions() throws Exception {
    Path csv = Files.createTempDirectory("segments-csv").resolve("events.csv");
    Files.writeString(csv, "id;uid;name;ts;amount\n"
        + "e1;u1;signup;2026-10-31T12:00:00Z;\n"
        + "e2;u1;upgrade;2026-10-31T12:05:00Z;\"49,5\"\n"
        + "e3;u2;signup;1793419200;\n");
    SourceConfig source = new SourceConfig("csv:" + csv, Map.of("event_id", "id", "user_id", "uid",
        "event_name", "name", "event_at", "ts", "revenue", "amount"), null, List.of(), 24, 0.5, List.of("event_id"),
        0, 0, Map.of("header", "true", "delimiter", ";"), "UTC", null, null, null);
    EventStager.Staged staged = EventStager.stage(spark(), source, AS_OF, NOW, null);
    assertEquals(List.of("e1 signup 0.0"), sorted(staged.events(), "event_id").stream()
        .map(r -> r.getAs("event_id") + " " + r.getAs("event_name") + " " + r.getAs("revenue_usd")).toList());
    assertEquals(List.of("e2 non_numeric_revenue", "e3 unparsable_timestamp"),
        sorted(staged.quarantined(), "event_id").stream()
            .map(r -> r.getAs("event_id") + " " + r.getAs("quarantine_reason")).toList());
  }

  private List<String> usersOf(boolean stitch) {
    frame(new StructType().add("anon", DataTypes.StringType).add("uid", DataTypes.StringType),
        row("a3", "u3"), row("a9", "u9")).createOrReplaceTempView("identifies_fixture");
    SourceConfig source = new SourceConfig("src", Map.of("event_id", "id", "user_id", "uid", "event_name", "name",
        "event_at", "ts", "anonymous_id", "anon"), null, List.of(), 24, 0.05, List.of("event_id"), 0, 0, Map.of(),
        "UTC", null, null, new SourceConfig.Identity(stitch, "identifies_fixture", "uid", "anon"));
    Dataset<Row> raw = frame(new StructType().add("id", DataTypes.StringType).add("uid", DataTypes.StringType)
            .add("anon", DataTypes.StringType).add("name", DataTypes.StringType).add("ts", DataTypes.StringType),
        row("e1", null, "a1", "view", "2026-10-01 10:00:00"),
        row("e2", "u1", "a1", "signup", "2026-10-02 10:00:00"),
        row("e3", " ", "a2", "view", "2026-10-02 11:00:00"),
        row("e4", null, "a3", "view", "2026-10-03 10:00:00"),
        row("e5", "u4", "a4", "login", "2026-10-05 10:00:00"),
        row("e6", "u5", "a4", "login", "2026-10-03 10:00:00"),
        row("e7", null, "a4", "view", "2026-10-04 10:00:00"),
        row("e8", null, null, "view", "2026-10-04 10:00:00"));
    EventStager.Staged staged = EventStager.stage(spark(), raw, source, AS_OF, NOW);
    return sorted(staged.checked(), "event_id").stream().map(r -> r.getAs("event_id") + " "
        + (r.getAs("quarantine_reason") == null ? r.getAs("user_id") : r.getAs("quarantine_reason"))).toList();
  }

  @Test
  void stitchingAttributesAnonymousEventsToTheUserTheirAnonymousIdIsIdentifiedAs() {
    assertEquals(List.of("e1 u1", "e2 u1", "e3 anonymous_only", "e4 u3", "e5 u4", "e6 u5", "e7 u5",
        "e8 null_or_empty_user_id"), usersOf(true), "e7: a4 is first identified as u5 (10-03, before u4 on 10-05)");
    assertEquals(List.of("e1 anonymous_only", "e2 u1", "e3 anonymous_only", "e4 anonymous_only", "e5 u4", "e6 u5",
        "e7 anonymous_only", "e8 null_or_empty_user_id"), usersOf(false), "off: anonymous events are set aside");
  }
}
