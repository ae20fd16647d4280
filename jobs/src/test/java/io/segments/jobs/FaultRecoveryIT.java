package io.segments.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import io.segments.io.FaultPoint;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Crashes and kill -9 of the job, against one uninterrupted reference run in this JVM: a crash matrix in this JVM
 * (a 3-day replay and a single day, each crashed right after one table of the segments or publish step committed
 * and before the next, then rerun), and real SIGKILLs of other JVMs (a first run killed, its lock taken over; a
 * halt after a commit of the publish step): every published table is always a whole Delta version, and the final
 * tables equal those of the uninterrupted run.
 */
class FaultRecoveryIT {
  static final Path TARGET = Path.of("target").toAbsolutePath();
  static final String D = "2026-10-31";
  static final String NEXT = "2026-11-01";
  /** 12 days of 300 users move the small audiences by more than the publish guard allows; not the point here. */
  static final String LARGE = "--allow-large-change";
  static final List<String[]> TABLES = List.of(new String[] {"audience_members", "audience", "user_id"},
      new String[] {"user_segments", "user_id"},
      new String[] {"segment_membership", "as_of_date", "user_id", "segment"},
      new String[] {"segment_changes", "as_of_date", "user_id", "segment", "change"},
      new String[] {"segment_history", "user_id", "segment", "entered_on"},
      new String[] {"segment_outcomes", "segment", "cohort_date"},
      new String[] {"user_features", "as_of_date", "user_id"},
      new String[] {"user_daily_activity", "user_id", "activity_date", "event_name"});

  static List<String> command(Path config, Path warehouse, String... args) throws Exception {
    return command("1g", config, warehouse, args);
  }

  static List<String> command(String heap, Path config, Path warehouse, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("java", "-Xmx" + heap));
    command.addAll(EndToEnd.jitFlags());
    command.addAll(List.of(StandaloneClusterIT.OPENS.split(" ")));
    command.addAll(List.of("-cp", TARGET.resolve("segments.jar") + File.pathSeparator
        + Files.readString(TARGET.resolve("spark-classpath.txt")).strip(), "io.segments.jobs.Main"));
    command.addAll(List.of(args));
    command.addAll(List.of("--config", config.toString(), "--warehouse", warehouse.toString()));
    return command;
  }

  static int run(Path config, Path warehouse, String... args) throws Exception {
    return runWithHeap("1g", config, warehouse, args);
  }

  /** Runs the CLI in a new JVM with this heap; its output goes to {@code <warehouse>-<command>.log}. */
  static int runWithHeap(String heap, Path config, Path warehouse, String... args) throws Exception {
    return runHalting(null, heap, config, warehouse, args);
  }

  /** As {@link #runWithHeap}, halting the JVM right after the first commit to {@code faultAfter} (if not null). */
  static int runHalting(String faultAfter, String heap, Path config, Path warehouse, String... args) throws Exception {
    Path log = warehouse.resolveSibling(warehouse.getFileName() + "-" + args[0] + ".log");
    ProcessBuilder builder = new ProcessBuilder(command(heap, config, warehouse, args)).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    if (faultAfter != null) {
      builder.environment().put("SEGMENTS_TEST_FAULT_AFTER", faultAfter);
    }
    return Child.await(builder.start(), Child.RUN_LIMIT, "the child JVM '" + String.join(" ", args) + "'", log);
  }

  /** Runs as of {@code asOf} and kills the JVM with SIGKILL as soon as the step {@code after} has printed its line. */
  static void runAndKillDuring(Path config, Path warehouse, String asOf, String step, String after) throws Exception {
    Process process = new ProcessBuilder(command(config, warehouse, "run", "--as-of", asOf))
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    boolean killed = false;
    try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
        StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        if (line.startsWith("  " + after + " ")) {
          process.destroyForcibly();
          killed = true;
          break;
        }
      }
    }
    process.waitFor(1, TimeUnit.MINUTES);
    assertTrue(killed, "the run got killed during " + step);
  }

  /**
   * An in-process run as of {@code asOf} that fails right after the first commit to {@code table} (as a crash
   * there leaves it; FaultPoint throws instead of halting), then checks the audience is a whole version.
   */
  static void failAfter(String table, Path config, Path warehouse, Path database, String asOf, List<Row> before,
      List<Row> after) {
    FaultPoint.failAfter(table, 1);
    try {
      assertEquals(Main.FAILED, runInProcess(config, warehouse, "run", "--as-of", asOf, LARGE),
          "failed after " + table);
    } finally {
      FaultPoint.failAfter(null, 0);
    }
    List<Row> now = rows(database, TABLES.get(0));
    assertTrue(now.equals(before) || now.equals(after), "audience_members is the old or the new version after a"
        + " crash after " + table);
  }

  static int runInProcess(Path config, Path warehouse, String... args) {
    return Main.run(concat(args, new String[] {"--config", config.toString(), "--warehouse", warehouse.toString()}));
  }

  /** Every compared table of a database directory ({@code <warehouse>/<db>.db}), ordered by its key. */
  static Map<String, List<Row>> tables(Path database) {
    Map<String, List<Row>> all = new LinkedHashMap<>();
    TABLES.forEach(t -> all.put(t[0], rows(database, t)));
    return all;
  }

  static List<Row> rows(Path database, String[] table) {
    return StandaloneClusterIT.rows(SparkSession.active(), database, table[0],
        java.util.Arrays.copyOfRange(table, 1, table.length));
  }


  /** The uninterrupted reference both tests compare with: tables after runs as of 10-28, D and NEXT. */
  static Path work;
  static List<Row> audienceOn1028;
  static List<Row> audienceOnD;
  static Map<String, List<Row>> tablesOnD;
  static List<Row> audienceOnNext;
  static Map<String, List<Row>> tablesOnNext;

  /** Generates 12 days of 300 users and runs them uninterrupted in this JVM (database {@code reference}). */
  @BeforeAll
  static void generateAndRunUninterrupted() throws Exception {
    work = Files.createTempDirectory("segments-faults");
    Path config = itConfig(work, "reference");
    Path warehouse = work.resolve("warehouse");
    assertEquals(0, runInProcess(config, warehouse, "generate", "--users", "300", "--days", "12", "--end", NEXT,
        "--parquet", work.resolve("data").toString()));
    assertEquals(0, runInProcess(config, warehouse, "run", "--as-of", "2026-10-28", LARGE));
    Path reference = database("reference");
    audienceOn1028 = rows(reference, TABLES.get(0));
    assertEquals(0, runInProcess(config, warehouse, "run", "--as-of", D, LARGE));
    audienceOnD = rows(reference, TABLES.get(0));
    tablesOnD = tables(reference);
    assertEquals(0, runInProcess(config, warehouse, "run", "--as-of", NEXT, LARGE));
    audienceOnNext = rows(reference, TABLES.get(0));
    tablesOnNext = tables(reference);
  }

  /**
   * The crash matrix, in this JVM: a second database (the same config and events, another {@code database})
   * crashes right after a table of the step committed and before the next, inside the segments and publish steps
   * of a 3-day replay and of a single day, each crash followed by a rerun that may crash at the next point, then a
   * rerun that completes: every published table is always a whole Delta version, and the final tables equal the
   * uninterrupted reference's. (A crash right after audience_members committed is the SIGKILL test's.)
   */
  @Test
  void crashedRunsNeverLeaveHalfAPublishAndTheRerunEqualsAnUninterruptedRun() throws Exception {
    Path config = itConfig(work, "crash_faulty");
    Path warehouse = work.resolve("warehouse");
    assertEquals(0, runInProcess(config, warehouse, "run", "--as-of", "2026-10-28", LARGE));
    Path faulty = database("crash_faulty");
    assertEquals(audienceOn1028, rows(faulty, TABLES.get(0)), "same start");

    // A 3-day replay (10-29..10-31), crashed inside the segments step, twice.
    for (String table : List.of("segment_membership", "segment_changes")) {
      failAfter(table, config, warehouse, faulty, D, audienceOn1028, audienceOnD);
    }
    assertEquals(0, runInProcess(config, warehouse, "run", "--as-of", D, LARGE));
    assertEquals(tablesOnD, tables(faulty), "3-day replay");

    // A single day (11-01), crashed inside the segments and the publish step.
    for (String table : List.of("segment_history", "user_segments")) {
      failAfter(table, config, warehouse, faulty, NEXT, audienceOnD, audienceOnNext);
    }
    assertEquals(0, runInProcess(config, warehouse, "run", "--as-of", NEXT, LARGE));
    assertEquals(tablesOnNext, tables(faulty), "single day");
  }

  /**
   * kill -9 for real, in other JVMs, on a warehouse of their own: a first run killed by SIGKILL while its segments
   * step runs leaves some tables and the run lock of a dead process; the rerun takes the lock over and completes;
   * a 3-day replay halted (exit 137, as SIGKILL leaves it) right after {@code audience_members} committed, inside
   * publish, leaves the lock again; the next rerun takes it over and completes. The audience is a whole version
   * after the halt, and the final tables equal the uninterrupted reference's.
   */
  @Test
  void aRunKilledWithSigkillIsTakenOverAndTheRerunEqualsAnUninterruptedRun() throws Exception {
    Path config = itConfig(work, "segments");
    Path killed = work.resolve("wh-killed");
    Path database = killed.resolve("segments.db");
    runAndKillDuring(config, killed, "2026-10-28", "segments", "features");
    assertEquals(0, run(config, killed, "run", "--as-of", "2026-10-28", LARGE),
        "the rerun takes over the dead run's lock");
    assertEquals(audienceOn1028, rows(database, TABLES.get(0)), "the rerun of a killed first run");

    assertEquals(137, runHalting("audience_members", "1g", config, killed, "run", "--as-of", D, LARGE),
        "halted after audience_members");
    List<Row> now = rows(database, TABLES.get(0));
    assertTrue(now.equals(audienceOn1028) || now.equals(audienceOnD), "audience_members is a whole version");
    assertEquals(0, run(config, killed, "run", "--as-of", D, LARGE), "the last rerun takes over the lock again");
    assertEquals(tablesOnD, tables(database));
  }

  /** Where this JVM's session keeps a database (its warehouse is whichever in-process command started it). */
  static Path database(String name) throws Exception {
    return Path.of(java.net.URI.create(SparkSession.active().catalog().getDatabase(name).locationUri()));
  }

  /** {@link #itConfig(Path)} writing to {@code database}, as {@code work/conf/<database>.yaml}. */
  static Path itConfig(Path work, String database) throws Exception {
    Path base = itConfig(work);
    Path config = base.resolveSibling(database + ".yaml");
    Files.writeString(config, Files.readString(base).replace("database: segments", "database: " + database)
);
    return config;
  }

  /** The integration-test config under {@code work/conf}, reading generated Parquet from {@code work/data}. */
  static Path itConfig(Path work) throws Exception {
    Path config = work.resolve("conf").resolve("local.yaml");
    Files.createDirectories(config.getParent().resolve("segments"));
    try (var files = Files.list(Path.of("..", "conf", "segments"))) {
      for (Path file : files.toList()) {
        Files.copy(file, config.getParent().resolve("segments").resolve(file.getFileName()),
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
    Files.writeString(config, Files.readString(Path.of("src", "test", "resources", "it.yaml"))
        .replace("SOURCE", work.resolve("data").toString()));
    return config;
  }

  static String[] concat(String[] a, String[] b) {
    String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
