package io.segments.jobs;

import static io.segments.jobs.FaultRecoveryIT.run;
import static io.segments.jobs.FaultRecoveryIT.runHalting;
import static io.segments.jobs.FaultRecoveryIT.runInProcess;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.apache.spark.sql.functions.col;

import io.segments.config.ConfigLoader;
import io.segments.io.Warehouse;
import io.segments.stream.LiveView;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code ./segments stream} against the daily run, on 600 generated users (src/test/resources/stream-it.yaml): the
 * source is a Delta path the test appends to. The daily run as of D-1, then D's events arrive in three batches (the
 * second also brings late events of D-1 and copies of rows of the first), the stream runs {@code --once} after each.
 * The reference database runs in this JVM; the killed one in child JVMs halted right after a table's commit.
 */
class StreamIT {
  static final String PREVIOUS = "2026-10-30";
  static final String D = "2026-10-31";
  static final String LARGE = "--allow-large-change";
  static final List<String> EVENT_AUDIENCES = List.of("busy_today", "active_today", "cancel_save");
  /** Day D's events in three batches; the second brings D-1's evening late and copies rows of the first. */
  static final List<String> BATCHES = List.of(
      "to_date(event_at) = '" + D + "' and hour(event_at) < 13",
      "(to_date(event_at) = '" + D + "' and hour(event_at) between 13 and 16) or " + late(),
      "to_date(event_at) = '" + D + "' and hour(event_at) >= 17");
  static final String COPIES = "to_date(event_at) = '" + D + "' and hour(event_at) < 11";

  static Path work;
  static Path warehouse;
  static List<Row> streamed;
  static List<Row> changes;
  static List<Row> audiences;
  static List<Row> userSegments;

  private static String late() {
    return "(to_date(event_at) = '" + PREVIOUS + "' and hour(event_at) >= 17)";
  }

  /** Generates the users once; the reference database: the daily run as of D-1, then the three batches. */
  @BeforeAll
  static void streamTheReferenceDay() throws Exception {
    work = Files.createTempDirectory("segments-stream");
    warehouse = work.resolve("warehouse");
    Path config = config("reference", 0.5);
    assertEquals(0, runInProcess(config, warehouse, "generate", "--users", "600", "--days", "60", "--parquet",
        work.resolve("data").toString()));
    initialSource("reference");
    assertEquals(0, runInProcess(config, warehouse, "run", "--as-of", PREVIOUS, LARGE));
    for (int batch = 0; batch < BATCHES.size(); batch++) {
      append("reference", batch);
      if (batch == 2) {
        assertGuardRefusesARunawayBatch();
      }
      assertEquals(0, runInProcess(config, warehouse, "stream", "--once", "--as-of", D, LARGE), "batch " + batch);
    }
    Path database = FaultRecoveryIT.database("reference");
    Warehouse reference = new Warehouse(SparkSession.active(), "reference");
    streamed = sorted(LiveView.current(reference, LiveView.eventSegments(ConfigLoader.load(config)),
        java.time.LocalDate.parse(PREVIOUS)), "user_id", "segment", "entered_on");
    changes = table(database, LiveView.CHANGES, "as_of_date", "user_id", "segment", "change", "entered_on");
    audiences = table(database, "audience_members", "audience", "user_id", "segment", "entered_on", "plan");
    userSegments = table(database, "user_segments", "user_id", "today", "segments");
  }

  /**
   * The stream's membership at the end of D equals the daily run as of D for every event-refreshed segment, and the
   * published audiences are the same before and after the daily publish.
   */
  @Test
  void theStreamsMembershipAtTheEndOfTheDayEqualsTheDailyRunAsOfThatDay() throws Exception {
    assertTrue(streamed.stream().filter(r -> r.getString(1).equals("active_today")).count() > 50, "" + streamed);
    assertTrue(streamed.stream().filter(r -> r.getString(1).equals("busy_today")).count() > 5, "" + streamed);
    assertTrue(changes.stream().anyMatch(r -> r.getString(3).equals("exited")), "members of D-1 left on D");
    java.util.Set<String> inToday = new java.util.HashSet<>();
    for (Row r : streamed) {
      if (!r.getString(1).equals("cancel_save")) {
        assertTrue(inToday.add(r.getString(0)), "one segment of the family 'today' per user: " + r.getString(0));
      }
    }
    Path database = FaultRecoveryIT.database("reference");
    List<Row> ledger = SparkSession.active().read().format("delta").load(database.resolve("pipeline_runs").toString())
        .where(col("command").equalTo("stream").and(col("status").equalTo("succeeded"))).collectAsList();
    assertEquals(3, ledger.size(), "one ledger row per batch: " + ledger);
    ledger.forEach(r -> assertTrue(r.<Long>getAs("rows_in") > 0 && r.getAs("latency_ms") != null, "" + r));

    assertEquals(0, runInProcess(config("reference", 0.5), warehouse, "run", "--as-of", D, LARGE));
    List<Row> daily = sorted(SparkSession.active().read().format("delta")
        .load(database.resolve("segment_membership").toString()).where(col("as_of_date").equalTo(D)
            .and(col("segment").isin(EVENT_AUDIENCES.toArray()))), "user_id", "segment", "entered_on");
    assertEquals(daily, streamed, "the daily run as of D is what the stream had at the end of D");
    assertEquals(eventRows(audiences), eventRows(table(database, "audience_members", "audience", "user_id", "segment",
        "entered_on", "plan")),
        "the daily publish leaves the event audiences as the stream published them");
  }

  /**
   * A stream halted right after each of a batch's writes (the changes log, audience_members, user_segments) and
   * restarted ends with the tables of the uninterrupted stream: no entry lost or logged twice.
   */
  @Test
  void aStreamKilledAfterAnyWriteThenRestartedEqualsTheUninterruptedStream() throws Exception {
    Path config = config("killed", 0.5);
    Path killed = work.resolve("wh-killed");
    initialSource("killed");
    assertEquals(0, run(config, killed, "run", "--as-of", PREVIOUS, LARGE));
    String[] stream = {"stream", "--once", "--as-of", D, LARGE};
    append("killed", 0);
    assertEquals(137, runHalting(LiveView.CHANGES, "1g", config, killed, stream), "halted after the changes log");
    assertEquals(137, runHalting("audience_members", "1g", config, killed, stream), "halted after audience_members");
    assertEquals(0, run(config, killed, stream), "the restart completes batch 0");
    append("killed", 1);
    assertEquals(137, runHalting("user_segments", "1g", config, killed, stream), "halted after user_segments");
    assertEquals(0, run(config, killed, stream), "the restart completes batch 1");
    append("killed", 2);
    assertEquals(0, run(config, killed, stream), "batch 2");
    Path database = killed.resolve("killed.db");
    assertEquals(changes, table(database, LiveView.CHANGES, "as_of_date", "user_id", "segment", "change",
        "entered_on"), "each entry and exit logged once");
    assertEquals(eventRows(audiences), eventRows(table(database, "audience_members", "audience", "user_id", "segment",
        "entered_on", "plan")));
    assertEquals(userSegments, table(database, "user_segments", "user_id", "today", "segments"));
  }

  /** A batch that would move an audience by more than publish.max_change_share is refused (exit 4), unwritten. */
  private static void assertGuardRefusesARunawayBatch() throws Exception {
    Path database = FaultRecoveryIT.database("reference");
    List<Row> before = table(database, "audience_members", "audience", "user_id");
    long logged = changesLogged(database);
    assertEquals(4, runInProcess(config("reference", 0.01), warehouse, "stream", "--once", "--as-of", D));
    assertEquals(before, table(database, "audience_members", "audience", "user_id"), "nothing published");
    assertEquals(logged, changesLogged(database), "nothing logged");
  }

  private static long changesLogged(Path database) {
    return SparkSession.active().read().format("delta").load(database.resolve(LiveView.CHANGES).toString()).count();
  }

  private static List<Row> eventRows(List<Row> audienceMembers) {
    return audienceMembers.stream().filter(r -> EVENT_AUDIENCES.contains(r.getString(0))).toList();
  }

  /** The config of a database, its source at {@code work/src-<database>}. */
  static Path config(String database, double maxChangeShare) throws Exception {
    Path config = work.resolve("conf").resolve(database + "-" + maxChangeShare + ".yaml");
    Files.createDirectories(config.getParent());
    Files.writeString(config, Files.readString(Path.of("src", "test", "resources", "stream-it.yaml"))
        .replace("DATABASE", database).replace("EVENTS", work.resolve("src-" + database).toString())
        .replace("USERS", work.resolve("data").resolve("users").toString())
        + "publish:\n  max_change_share: " + maxChangeShare + "\n");
    return config;
  }

  private static Dataset<Row> events() {
    return SparkSession.active().read().parquet(work.resolve("data").resolve("events").toString());
  }

  /** The source before the stream: every event before D but D-1's evening, which arrives late. */
  private static void initialSource(String database) {
    events().where("to_date(event_at) < '" + D + "' and not " + late()).write().format("delta")
        .save(work.resolve("src-" + database).toString());
  }

  private static void append(String database, int batch) {
    Dataset<Row> rows = events().where(BATCHES.get(batch));
    if (batch == 1) {
      rows = rows.unionByName(events().where(COPIES));
    }
    rows.write().format("delta").mode("append").save(work.resolve("src-" + database).toString());
  }

  private static List<Row> table(Path database, String table, String... columns) {
    return sorted(SparkSession.active().read().format("delta").load(database.resolve(table).toString()), columns);
  }

  private static List<Row> sorted(Dataset<Row> rows, String... columns) {
    Column[] selected = Arrays.stream(columns).map(c -> col(c).cast("string").as(c)).toArray(Column[]::new);
    return rows.select(selected).orderBy(Arrays.stream(columns).map(c -> col(c)).toArray(Column[]::new))
        .collectAsList();
  }
}
