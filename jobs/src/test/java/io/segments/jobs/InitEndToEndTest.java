package io.segments.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A newcomer's first steps: {@code init} -> check-config -> run -> report, on generated events exported in the shape
 * of two collectors (Segment's tracks table, Snowplow's atomic.events), and init's refusals.
 */
class InitEndToEndTest {
  static final String D = "2026-10-31";
  static Path warehouse;
  static Path dir;

  static int cli(String... args) {
    List<String> all = new java.util.ArrayList<>(List.of(args));
    all.addAll(List.of("--warehouse", warehouse.toString()));
    return Main.run(all.toArray(String[]::new));
  }

  @BeforeAll
  static void generateAndExport() throws Exception {
    System.setProperty("spark.hadoop.fs." + AliasFileSystem.SCHEME + ".impl", AliasFileSystem.class.getName());
    warehouse = Files.createTempDirectory("segments-init");
    dir = Files.createTempDirectory("segments-init-conf");
    assertEquals(0, cli("generate", "--users", "200", "--days", "7", "--end", D, "--config", EndToEnd.CONFIG));
    for (String statement : List.of("create database raw",
        "create table raw.tracks using delta as select event_id as id, user_id, cast(null as string) as anonymous_id,"
            + " event_name as event, event_at as timestamp from demo.events",
        "create table raw.atomic_events using delta as select event_id, user_id, cast(null as string) as"
            + " domain_userid, event_name, event_at as derived_tstamp, event_at as collector_tstamp from demo.events")) {
      assertEquals(0, cli("sql", statement, "--config", EndToEnd.CONFIG), statement);
    }
  }

  /**
   * init, then the commands it prints, each exiting 0; the run's tables hold the starter family. With
   * {@code remote}, the commands read the config through a Hadoop path of another scheme, as from s3a: on a
   * cluster (without its embedded: block, which is for local runs; the test's --warehouse stands in).
   */
  private void walk(String preset, String events, boolean remote) throws Exception {
    Path config = dir.resolve(preset + ".yaml");
    String printed = EndToEnd.printed("init", "--preset", preset, "--events", events, "--key-event", "create_doc",
        "--out", config.toString());
    assertTrue(printed.contains("./segments check-config --config " + config), printed);
    // Both walks share one warehouse: each writes its own database.
    EndToEnd.edit(config, "database: segments", "database: init_" + preset);
    String location = config.toString();
    if (remote) {
      EndToEnd.edit(config, "embedded:\n  warehouse: warehouse\n", "include: [more/features.yaml]\n");
      Files.createDirectories(dir.resolve("more"));
      Files.writeString(dir.resolve("more").resolve("features.yaml"),
          "features:\n  - {name: docs_28d, kind: count, events: [create_doc], window_days: 28}\n");
      location = AliasFileSystem.SCHEME + "://" + config;
    }
    assertEquals(0, cli("check-config", "--config", location));
    assertEquals(0, cli("run", "--as-of", D, "--config", location), preset + ": the first run");
    Path report = dir.resolve(preset + ".html");
    assertEquals(0, cli("report", "--as-of", D, "--config", location, "--out", report.toString()));
    assertTrue(Files.readString(report).contains("slipping_away"), "the report shows the starter family");

    SparkSession spark = SparkSession.active();
    List<String> segments = spark.sql("select segment from init_" + preset + ".segment_catalog order by segment")
        .as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
    assertEquals(List.of("casual_users", "power_users", "slipping_away"), segments);
    long members = spark.sql("select count(*) from init_" + preset + ".segment_membership where as_of_date = '" + D
        + "'").first().getLong(0);
    assertTrue(members > 0, preset + ": members on " + D);
    if (remote) {
      assertTrue(List.of(spark.table("init_" + preset + ".user_features").columns()).contains("docs_28d"),
          "the included file was read through the Hadoop path too");
    }
    long known = spark.sql("select count(*) from init_" + preset + ".user_segments").first().getLong(0);
    long users = spark.sql("select count(distinct user_id) from demo.events where event_at < '2026-11-01'").first()
        .getLong(0);
    assertEquals(users, known, preset + ": every user with an event by " + D + " is known");
  }

  @Test
  void segmentsTracksTableFromInitToReport() throws Exception {
    walk("segment", "raw.tracks", false);
  }

  @Test
  void snowplowsAtomicEventsFromInitToReportWithTheConfigOnAHadoopPath() throws Exception {
    walk("snowplow", "raw.atomic_events", true);
  }

  @Test
  void aConfigOnAHadoopPathIsRefusedWithAnEmbeddedBlockAMissingFileOrAnAbsoluteInclude() throws Exception {
    Path config = dir.resolve("remote-embedded.yaml");
    EndToEnd.printed("init", "--out", config.toString());
    String remote = AliasFileSystem.SCHEME + "://" + config;
    String embedded = stderr(() -> assertEquals(Main.BAD_ARGUMENTS, cli("check-config", "--config", remote)));
    assertTrue(embedded.contains("an embedded: block, which is for local runs"), embedded);
    String missing = stderr(() -> assertEquals(Main.BAD_ARGUMENTS, cli("check-config", "--config",
        remote + ".missing")));
    assertTrue(missing.contains("config file not found: ") && missing.contains("remote-embedded.yaml.missing"), missing);
    Files.writeString(config, Files.readString(config).replace("embedded:\n  warehouse: warehouse\n",
        "include: [/etc/features.yaml]\n"));
    String absolute = stderr(() -> assertEquals(Main.BAD_ARGUMENTS, cli("check-config", "--config", remote)));
    assertTrue(absolute.contains("include '/etc/features.yaml' is not relative to the config"), absolute);
  }

  private static String stderr(Runnable command) {
    java.io.PrintStream original = System.err;
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      command.run();
    } finally {
      System.setErr(original);
    }
    return err.toString(java.nio.charset.StandardCharsets.UTF_8);
  }

  @Test
  void withoutOptionsItWritesPlaceholdersThatCheckConfigAccepts() throws Exception {
    Path config = dir.resolve("placeholders.yaml");
    String printed = EndToEnd.printed("init", "--out", config.toString());
    assertTrue(printed.contains("edit the placeholders") && printed.contains("source.events"), printed);
    String text = Files.readString(config);
    assertTrue(text.contains("columns: {event_id: event_id") && text.contains("\"key_action\""), text);
    assertEquals(0, cli("check-config", "--config", config.toString()));
  }

  @Test
  void itRefusesAnUnknownPresetAndNeverOverwritesAConfig() throws Exception {
    Path config = Files.writeString(dir.resolve("mine.yaml"), "database: mine\n");
    assertEquals(Main.BAD_ARGUMENTS, Main.run(new String[] {"init", "--out", config.toString()}));
    assertEquals("database: mine\n", Files.readString(config), "an existing config is left as it was");
    assertEquals(Main.BAD_ARGUMENTS, Main.run(new String[] {"init", "--preset", "segmnet", "--out",
        dir.resolve("other.yaml").toString()}));
    assertTrue(!Files.exists(dir.resolve("other.yaml")));
  }
}
