package io.segments.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segments.PostgresServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The PostgreSQL password through a whole pipeline: a server that requires it, two daily runs with the sink,
 * a report and a ledger query. The password reaches the server (the sync works) and appears nowhere else:
 * not in any table of any database, their Delta history, any file of the warehouse, the report or the console.
 * A password source that is configured but missing or empty stops the run with exit 2 before anything is
 * written.
 */
@Tag("slow") // two runs with the sink, a report and scans of every file: ./segments test --all (CI)
class SecretsTest {
  static final String D = "2026-10-31";
  static final String PASSWORD = "pw-" + UUID.randomUUID();
  static PostgresServer server;
  static Path warehouse;
  static Path dir;
  static final StringBuilder console = new StringBuilder();

  static final String TEMPLATE = """
      spark:
        spark.master: local[2]
        spark.sql.shuffle.partitions: 2
      database: DATABASE
      source:
        events: demo.events
        users: demo.users
        columns: {revenue: revenue_usd}
      segments_state:
        replay_days: 3
      features:
        - {name: invites_7d, kind: count, events: [invite_teammate], window_days: 7}
        - {name: comments_14d, kind: count, events: [comment], window_days: 14}
      segments:
        - {name: inviters, rule: "invites_7d >= 1"}
        - {name: quiet, rule: "comments_14d = 0"}
      audiences:
        - {name: inviters, segment: inviters, attributes: [plan], hashed_identifiers: [email]}
        - {name: quiet, segment: quiet}
      publish:
        max_change_share: 1.0
      sinks:
        postgres: {url: "URL", user: segments, PASSWORD_SOURCE, table: crm.AudienceMembers}
      """;

  @BeforeAll
  static void startPostgresAndRun() throws Exception {
    server = PostgresServer.start(PASSWORD);
    try (Connection connection = DriverManager.getConnection(server.url(), "segments", PASSWORD)) {
      connection.createStatement().execute("create schema crm");
    }
    warehouse = Files.createTempDirectory("segments-secrets");
    dir = Files.createTempDirectory("segments-secrets-conf");
    Path passwordFile = dir.resolve("pg-password");
    Files.writeString(passwordFile, PASSWORD + "\n");
    Path config = config("segments", "password_file: " + passwordFile);
    assertEquals(0, cli(config, "generate", "--users", "150", "--days", "20", "--end", D));
    assertEquals(0, cli(config, "run", "--as-of", "2026-10-30", "--sink", "postgres"));
    assertEquals(0, cli(config, "run", "--as-of", D, "--sink", "postgres"));
    assertEquals(0, cli(config, "report", "--as-of", D, "--out", dir.resolve("report.html").toString()));
    assertEquals(0, cli(config, "sql", "select * from segments.pipeline_runs", "--format", "json"));
    assertEquals(0, cli(config, "explain", "--as-of", D, "--segment", "inviters", "--sample", "3"));
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void thePasswordReachesTheServer() throws Exception {
    long delta = SparkSession.active().table("segments.audience_members").count();
    try (Connection connection = DriverManager.getConnection(server.url(), "segments", PASSWORD);
        ResultSet rows = connection.createStatement().executeQuery("select count(*) from crm.\"AudienceMembers\"")) {
      rows.next();
      assertTrue(delta > 0, "the runs published members");
      assertEquals(delta, rows.getLong(1), "the sink holds audience_members");
    }
  }

  @Test
  void thePasswordIsInNoTableHistoryFileReportOrConsoleOutput() throws Exception {
    SparkSession spark = SparkSession.active();
    List<String> tables = new ArrayList<>();
    List<String> deltaTables = new ArrayList<>();
    for (Row database : spark.sql("show databases").collectAsList()) {
      for (Row table : spark.sql("show tables in `" + database.getString(0) + "`").where("not isTemporary")
          .collectAsList()) {
        String name = "`" + table.getString(0) + "`.`" + table.getString(1) + "`";
        tables.add(name);
        if (!spark.catalog().getTable(table.getString(0), table.getString(1)).tableType().equals("VIEW")) {
          deltaTables.add(name);
        }
      }
    }
    assertTrue(tables.size() >= 10, "the pipeline wrote its tables: " + tables);
    assertTrue(tables.contains("`segments`.`pipeline_runs`"), "the ledger is searched: " + tables);
    assertTrue(hits(spark, tables, "u0000") > 0, "the search reads table contents (user ids are found)");
    assertEquals(0, hits(spark, tables, PASSWORD), "no table holds the password");
    for (String table : deltaTables) {
      if (spark.sql("describe detail " + table).first().getString(0).equals("delta")) {
        assertFalse(spark.sql("describe history " + table).toJSON().collectAsList().stream()
            .anyMatch(r -> r.contains(PASSWORD)), "the Delta history of " + table);
      }
    }
    try (Stream<Path> files = Files.walk(warehouse)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        assertFalse(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).contains(PASSWORD),
            "warehouse file " + file);
      }
    }
    String report = Files.readString(dir.resolve("report.html"));
    assertTrue(report.contains("inviters"), "the report was written");
    assertFalse(report.contains(PASSWORD), "the report");
    assertTrue(console.toString().contains("postgres"), "the console shows the sync step");
    assertFalse(console.toString().contains(PASSWORD), "the console output");
  }

  @Test
  void aConfiguredButMissingOrEmptyPasswordIsExit2NamingItBeforeAnythingIsWritten() throws IOException {
    String variable = "SEGMENTS_TEST_UNSET_" + UUID.randomUUID().toString().substring(0, 8).toUpperCase();
    int before = console.length();
    assertEquals(2, cli(config("unset_password", "password_env: " + variable), "run", "--as-of", D, "--sink",
        "postgres"));
    String message = console.substring(before);
    assertTrue(message.contains(variable) && message.contains("not set"), message);

    Path empty = Files.writeString(dir.resolve("empty-password"), "\n");
    before = console.length();
    assertEquals(2, cli(config("empty_password", "password_file: " + empty), "run", "--as-of", D, "--sink",
        "postgres"));
    message = console.substring(before);
    assertTrue(message.contains("password_file") && message.contains("is empty"), message);
    SparkSession spark = SparkSession.active();
    for (String database : List.of("unset_password", "empty_password")) {
      List<String> tables = !spark.catalog().databaseExists(database) ? List.of()
          : spark.sql("show tables in " + database).where("not isTemporary").collectAsList().stream()
              .map(r -> r.getString(1)).toList();
      assertEquals(List.of(), tables, "nothing written in " + database);
    }
  }

  private static long hits(SparkSession spark, List<String> tables, String text) {
    long hits = 0;
    for (String table : tables) {
      hits += spark.sql("select to_json(struct(*)) as row from " + table).toJavaRDD()
          .filter(r -> r.getString(0).contains(text)).count();
    }
    return hits;
  }

  private static Path config(String database, String passwordSource) throws IOException {
    Path file = Files.createTempFile(dir, database, ".yaml");
    Files.writeString(file, TEMPLATE.replace("DATABASE", database).replace("URL", server.url())
        .replace("PASSWORD_SOURCE", passwordSource));
    return file;
  }

  private static int cli(Path config, String... command) {
    List<String> args = new ArrayList<>(List.of(command));
    args.addAll(List.of("--config", config.toString(), "--warehouse", warehouse.toString()));
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream both = new PrintStream(captured, true, StandardCharsets.UTF_8);
    System.setOut(both);
    System.setErr(both);
    try {
      return Main.run(args.toArray(String[]::new));
    } finally {
      System.setOut(out);
      System.setErr(err);
      console.append(captured.toString(StandardCharsets.UTF_8));
    }
  }
}
