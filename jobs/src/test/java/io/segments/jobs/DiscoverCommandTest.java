package io.segments.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code discover} from the command line on real data: the launch of a mobile game (gamelaunch.csv of the shared
 * real data, checked in gzipped under src/test/resources/real, 3,994 players, 2016-04-27..05-27, events newPlayer and gameStarted, one row per player, day and
 * event, so the three make the event id), registered with {@code sql} and read through the normal source mapping. Which behavior of a player's
 * first days goes with coming back later in the first week?
 */
class DiscoverCommandTest {
  static Path warehouse;
  static Path config;
  static String discovered;

  static int cli(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--config", config.toString(), "--warehouse", warehouse.toString()));
    return Main.run(all.toArray(String[]::new));
  }

  /** Runs a command and returns what it printed (stdout and stderr); fails unless it exits with {@code code}. */
  static String output(int code, String... args) {
    PrintStream console = System.out;
    PrintStream errors = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(out, true, StandardCharsets.UTF_8));
    int exit;
    try {
      exit = cli(args);
    } finally {
      System.setOut(console);
      System.setErr(errors);
    }
    String text = out.toString(StandardCharsets.UTF_8);
    System.out.println(text);
    assertEquals(code, exit, text);
    return text;
  }

  @BeforeAll
  static void registerTheGameLaunchAndRun() throws Exception {
    warehouse = Files.createTempDirectory("segments-discover");
    config = warehouse.resolve("game.yaml");
    Files.writeString(config, """
        database: game
        time_zone: UTC
        spark: {spark.sql.shuffle.partitions: 2}
        source:
          events: game_src.events
          columns: {event_id: row_key, user_id: userid, event_name: eventName, event_at: eventDate, revenue: revenue}
          vocabulary: [newPlayer, gameStarted]
        segments_state: {replay_days: 1}
        features:
          - {name: games_7d, kind: count, events: [gameStarted], window_days: 7}
        segments:
          - {name: players, rule: "games_7d >= 1"}
        """);
    Path csv = Path.of("src", "test", "resources", "real", "gamelaunch.csv.gz").toAbsolutePath();
    assertEquals(0, cli("sql", "create database if not exists game_src"));
    assertEquals(0, cli("sql", "create table game_src.raw using csv options (path '" + csv + "', header 'true')"));
    assertEquals(0, cli("sql", "create table game_src.events using delta as"
        + " select concat_ws('|', userid, eventName, eventDate) as row_key, userid, eventName, eventDate,"
        + " 0.0 as revenue from game_src.raw"));
    assertEquals(2, cli("discover", "--outcome", "retained_d7"), "before any run there is no rollup to read");
    assertEquals(0, cli("run", "--as-of", "2016-05-27"));
    discovered = output(0, "discover", "--outcome", "retained_d7");
  }

  @Test
  void reportsWhichFirstDayBehaviorPredictsDaySevenReturn() {
    String text = discovered;
    assertTrue(text.contains("cohorts 2016-04-28..2016-05-20"), "from the day after the rollup's first (its users"
        + " may predate the data) to the last cohort whose day 7 is known");
    assertTrue(text.contains("behaviors of their first 3 days"), "the default window: half of retained_d7's week");
    assertTrue(text.contains("active on day 7 after the cohort day"), "retention is looked for after the window");
    assertTrue(text.contains("not cause"), text);
    SparkSession spark = SparkSession.active();
    Row best = spark.sql("select * from game.behavior_candidates where half = 'earlier' and rank = 1").first();
    assertEquals("gameStarted", best.getAs("event"), "a player who starts a game on day 0 (not only signs up)");
    assertTrue(text.contains(best.<String>getAs("behavior")), "the console names the best one");
    Row later = spark.sql("select * from game.behavior_candidates where half = 'later' and rank = 1").first();
    boolean holds = best.<Double>getAs("difference_lo") > 0 && later.<Double>getAs("difference_lo") > 0
        && later.<Double>getAs("difference_points") >= best.<Double>getAs("difference_points") / 2
        && later.<Long>getAs("users_with") >= 200 && later.<Long>getAs("users_without") >= 200;
    assertEquals(holds, best.<Boolean>getAs("confirmed"), "confirmed iff the difference held on the later cohorts");
    assertEquals(0L, spark.sql("select count(*) from game.behavior_candidates where half = 'earlier'"
        + " and (users_with < 200 or users_without < 200)").first().getLong(0),
        "only candidates with validate.min_size users on both sides");
  }

  @Test
  void theReportDrawsTheRankedCandidates() throws Exception {
    Path report = warehouse.resolve("report.html");
    output(0, "report", "--as-of", "2016-05-27", "--out", report.toString());
    String html = Files.readString(report);
    String section = html.substring(html.indexOf("id=\"behaviors\""), html.indexOf("id=\"specs\""));
    assertTrue(section.contains("<svg") && section.contains("retained_d7"), section);
    String best = SparkSession.active().sql("select behavior from game.behavior_candidates where rank = 1")
        .first().getString(0);
    assertTrue(section.contains("1. " + best), "the rank 1 behavior is the first bar: " + best);
  }

  @Test
  void csvPrintsTheCandidatesOnly() {
    // the same question again (its rows replace the same rows), printed for scripts
    String text = output(0, "discover", "--outcome", "retained_d7", "--format", "csv");
    String[] lines = text.strip().split("\n");
    assertTrue(lines[0].startsWith("outcome,first_days,cohort_from,cohort_to,half"), lines[0]);
    assertTrue(lines.length > 1 && lines.length % 2 == 1, "a header, then a row per candidate and half");
    assertTrue(lines[1].startsWith("retained_d7,3,2016-04-28,2016-05-20,earlier,"), lines[1]);
    assertTrue(lines.length - 1 == 2 * SparkSession.active().sql("select count(distinct behavior) from"
        + " game.behavior_candidates").first().getLong(0), "every row of the table");
  }

  @Test
  void refusesWhatCannotBeAnswered() {
    assertTrue(output(2, "discover", "--outcome", "retained_d7", "--first-days", "8").contains("--first-days 7"),
        "the first 8 days leave day 7 inside the window");
    assertTrue(output(2, "discover", "--outcome", "retained_d30").contains("no cohort has a known retained_d30 yet"),
        "a month of data: only the rollup's first day is 30 days old, and it is no cohort by default");
    assertTrue(output(2, "discover", "--outcome", "activated").contains("activation_event"));
    assertTrue(output(2, "discover", "--outcome", "nonsense").contains("retained_d30"));
  }
}
