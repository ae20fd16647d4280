package io.segments.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.segments.SparkTestBase;
import io.segments.config.SourceConfig;
import io.segments.io.InputRefusedException;
import io.segments.io.SourceReader;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/** Schema drift, a configured dedupe key and the bot filter. */
class InputValidationTest extends SparkTestBase {
  private static final Map<String, String> COLUMNS = Map.of("event_id", "id", "user_id", "uid", "event_name", "name",
      "event_at", "ts", "revenue", "amount");

  private static SourceConfig source(List<String> dedupeKey, long botMax) {
    return new SourceConfig("src", COLUMNS, null, List.of(), 24, 0.05, dedupeKey, botMax, 0);
  }

  @Test
  void aMissingOrRetypedColumnNamesTheColumnTheTypesAndTheConfigKey() {
    StructType retyped = new StructType().add("id", DataTypes.StringType).add("uid", DataTypes.StringType)
        .add("name", DataTypes.StringType).add("ts", DataTypes.BooleanType).add("amount", DataTypes.DoubleType)
        .add("extra", DataTypes.StringType);
    InputRefusedException e = assertThrows(InputRefusedException.class,
        () -> SourceReader.requireColumns(frame(retyped), source(List.of("event_id"), 0), "src"));
    Assertions.assertTrue(e.getMessage().contains("column 'ts' (event_at) has type boolean; expected timestamp, date or"
        + " string"), e.getMessage());
    Assertions.assertTrue(e.getMessage().contains("source.columns.event_at"), e.getMessage());

    StructType missing = new StructType().add("id", DataTypes.StringType).add("uid", DataTypes.StringType)
        .add("name", DataTypes.StringType).add("amount", DataTypes.DoubleType);
    e = assertThrows(InputRefusedException.class,
        () -> SourceReader.requireColumns(frame(missing), source(List.of("event_id"), 0), "src"));
    Assertions.assertTrue(e.getMessage().contains("has no column 'ts' (mapped as event_at)"), e.getMessage());

    StructType extra = new StructType().add("id", DataTypes.LongType).add("uid", DataTypes.LongType)
        .add("name", DataTypes.StringType).add("ts", DataTypes.TimestampType).add("amount", DataTypes.StringType)
        .add("utm_source", DataTypes.StringType);
    SourceReader.requireColumns(frame(extra), source(List.of("event_id"), 0), "src");
  }

  private static final StructType RAW = new StructType()
      .add("id", DataTypes.StringType).add("uid", DataTypes.StringType).add("name", DataTypes.StringType)
      .add("ts", DataTypes.StringType).add("amount", DataTypes.StringType);

  @Test
  void aConfiguredDedupeKeyCountsACopyWithAnotherIdOnce() {
    Dataset<Row> raw = frame(RAW,
        row("e1", "a", "comment", "2026-03-01 10:00:00", null),
        row("e1-resent", "a", "comment", "2026-03-01 10:00:00", null),
        row("e2", "a", "comment", "2026-03-01 10:00:01", null));
    EventStager.Staged staged = EventStager.stage(spark(), raw, source(List.of("user_id", "event_name", "event_at"), 0),
        LocalDate.of(2026, 3, 10), Instant.parse("2026-03-10T00:00:00Z"));
    assertEquals(2, staged.events().count(), "same user, event and time: one event");
  }

  @Test
  void aLateDuplicateOnAnotherDayIsCountedOnceAsItsFirstCopy() {
    Dataset<Row> raw = frame(RAW,
        row("e1", "a", "comment", "2026-03-01 10:00:00", null),
        row("e1", "a", "comment", "2026-03-04 08:00:00", null),
        row("e2", "a", "comment", "2026-03-04 09:00:00", null));
    EventStager.Staged staged = EventStager.stage(spark(), raw, source(List.of("event_id"), 0),
        LocalDate.of(2026, 3, 10), Instant.parse("2026-03-10T00:00:00Z"));
    assertEquals(List.of("e1 2026-03-01", "e2 2026-03-04"), sorted(staged.events(), "event_id").stream()
        .map(r -> r.getAs("event_id") + " " + r.getAs("event_date")).toList());
  }

  @Test
  void withALookbackADuplicateIsACopyWithinItsDaysAndADailyReadDropsWhatAFullReadDrops() {
    frame(RAW,
        row("e1", "a", "comment", "2026-03-01 10:00:00", null),
        row("e1", "a", "comment", "2026-03-03 09:00:00", null),
        row("e2", "a", "comment", "2026-03-01 10:00:00", null),
        row("e2", "a", "comment", "2026-03-06 10:00:00", null),
        row("e3", "a", "comment", "2026-03-04 10:00:00", null),
        row("e3", "a", "comment", "2026-03-05 08:00:00", null)).createOrReplaceTempView("dedupe_src");
    SourceConfig source = new SourceConfig("dedupe_src", COLUMNS, null, List.of(), 24, 0.05, List.of("event_id"), 0, 2);
    LocalDate asOf = LocalDate.of(2026, 3, 10);
    Instant now = Instant.parse("2026-03-10T00:00:00Z");
    java.util.function.Function<LocalDate, List<String>> staged = readFrom -> sorted(EventStager.stage(spark(), source,
        asOf, now, readFrom).events(), "event_at", "event_id").stream()
        .map(r -> r.getAs("event_id") + " " + r.getAs("event_date")).toList();
    assertEquals(List.of("e1 2026-03-01", "e2 2026-03-01", "e3 2026-03-04", "e2 2026-03-06"), staged.apply(null),
        "within 2 days of the copy before: a duplicate (e1, e3); 5 days after: a new event (e2)");
    assertEquals(List.of("e2 2026-03-06"), staged.apply(LocalDate.of(2026, 3, 5)),
        "a daily run reading from 03-05 sees e3's first copy of 03-04 and drops what the full read drops");
  }

  @Test
  void anUnreadableSourceIsRefusedNamingTheConfigKey() {
    InputRefusedException e = assertThrows(InputRefusedException.class,
        () -> SourceReader.open(spark(), "no_such_db.events", "source.events"));
    Assertions.assertTrue(e.getMessage().contains("cannot read source.events 'no_such_db.events'"), e.getMessage());
    e = assertThrows(InputRefusedException.class,
        () -> SourceReader.open(spark(), "parquet:/nonexistent/events", "source.events"));
    Assertions.assertTrue(e.getMessage().contains("source.events"), e.getMessage());
  }

  @Test
  void theBotFilterQuarantinesTheDaysAUserExceedsTheLimit() {
    Object[][] rows = new Object[8][];
    for (int i = 0; i < 6; i++) {
      rows[i] = row("b" + i, "bot", "view_report", "2026-03-02 10:00:0" + i, null);
    }
    rows[6] = row("b9", "bot", "view_report", "2026-03-03 10:00:00", null);
    rows[7] = row("h1", "human", "view_report", "2026-03-02 10:00:00", null);
    EventStager.Staged staged = EventStager.stage(spark(), frame(RAW, rows), source(List.of("event_id"), 5),
        LocalDate.of(2026, 3, 10), Instant.parse("2026-03-10T00:00:00Z"));
    assertEquals(List.of("b9", "h1"), sorted(staged.events(), "event_id").stream()
        .map(r -> r.<String>getAs("event_id")).toList(), "the bot's quiet day and the human stay");
    assertEquals(6, staged.quarantined().where("quarantine_reason = 'bot_over_5_events_per_day'").count());
  }

  @Test
  void revenueThatIsNotAFiniteNumberIsQuarantinedWithItsOwnReason() {
    Dataset<Row> raw = frame(RAW,
        row("e1", "a", "upgrade", "2026-03-01 10:00:00", "NaN"),
        row("e2", "a", "upgrade", "2026-03-01 10:00:01", "Infinity"),
        row("e3", "a", "upgrade", "2026-03-01 10:00:02", "-Infinity"),
        row("e4", "a", "upgrade", "2026-03-01 10:00:03", "1e400"),
        row("e5", "a", "upgrade", "2026-03-01 10:00:04", "12.5"));
    EventStager.Staged staged = EventStager.stage(spark(), raw, source(List.of("event_id"), 0),
        LocalDate.of(2026, 3, 10), Instant.parse("2026-03-10T00:00:00Z"));
    assertEquals(List.of("e1 non_finite_revenue", "e2 non_finite_revenue", "e3 non_finite_revenue",
            "e4 non_finite_revenue"), sorted(staged.quarantined(), "event_id").stream()
        .map(r -> r.getAs("event_id") + " " + r.getAs("quarantine_reason")).toList(),
        "NaN, both infinities and a number too large for a double");
    assertEquals(List.of("e5"), staged.events().collectAsList().stream().map(r -> r.<String>getAs("event_id")).toList());
  }

  @Test
  void aUsersTableWithAUserIdTwiceIsRefusedNamingTheCountAndAnExample() {
    StructType users = new StructType().add("user_id", DataTypes.StringType).add("plan", DataTypes.StringType);
    new io.segments.io.Warehouse(spark(), "dup_users").overwrite(frame(users,
        row("u1", "free"), row("u1", "pro"), row("u2", "free"), row("u3", "team"), row("u3", "team")), "users");
    InputRefusedException e = assertThrows(InputRefusedException.class,
        () -> SourceReader.users(spark(), "dup_users.users"));
    Assertions.assertTrue(e.getMessage().contains("has 2 user_ids that appear more than once (e.g. 'u1')"),
        e.getMessage());
    Assertions.assertTrue(e.getMessage().contains("one row per user_id"), e.getMessage());
    new io.segments.io.Warehouse(spark(), "dup_users").overwrite(frame(users, row("u1", "free"), row("u2", "pro")),
        "users");
    assertEquals(2, SourceReader.users(spark(), "dup_users.users").count(), "unique ids pass");
  }

  @Test
  void aRunReadsOnlyTheUsersColumnsItUsesMatchedWhateverTheirCaseAndStillRefusesDuplicates() {
    StructType users = new StructType().add("user_id", DataTypes.StringType).add("Plan", DataTypes.StringType)
        .add("notes", DataTypes.StringType);
    new io.segments.io.Warehouse(spark(), "narrow_users").overwrite(frame(users, row("u1", "free", "x"),
        row("u2", "pro", "y")), "users");
    var read = SourceReader.users(spark(), "narrow_users.users", List.of("user_id", "signup_at", "plan"));
    assertEquals(List.of("user_id", "Plan"), List.of(read.columns()), "notes is not read; signup_at is not there");
    assertEquals("pro", read.where("user_id = 'u2'").select("plan").first().getString(0));
    new io.segments.io.Warehouse(spark(), "narrow_users").overwrite(frame(users, row("u1", "free", "x"),
        row("u1", "pro", "y")), "users");
    assertThrows(InputRefusedException.class,
        () -> SourceReader.users(spark(), "narrow_users.users", List.of("user_id", "plan")));
  }
}
