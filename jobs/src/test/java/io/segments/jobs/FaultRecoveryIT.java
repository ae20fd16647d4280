package io.segments.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * kill -9 of the job, as a matrix: a 3-day replay and a single day, each killed inside the rollup, the segments
 * and the publish step (at a precise point, right after one table of the step committed and before the next:
 * {@code SEGMENTS_TEST_FAULT_AFTER} halts the JVM there as SIGKILL would; and at step boundaries, by a real SIGKILL
 * when a step's line is printed), each kill followed by a rerun that may be killed at the next point, then a rerun
 * that completes: every published table is always a whole Delta version, and the final tables equal those of an
 * uninterrupted run.
 */
class FaultRecoveryIT {
  static final Path TARGET = Path.of("target").toAbsolutePath();
  static final String D = "2026-10-31";
  static final String NEXT = "2026-11-01";
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
    ProcessBuilder builder = new ProcessBuilder(command(heap, config, warehouse, args)).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(
            warehouse.resolveSibling(warehouse.getFileName() + "-" + args[0] + ".log").toFile()));
    if (faultAfter != null) {
      builder.environment().put("SEGMENTS_TEST_FAULT_AFTER", faultAfter);
    }
    Process process = builder.start();
    assertTrue(process.waitFor(5, TimeUnit.MINUTES));
    return process.exitValue();
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

  /** Kills a run right after {@code table} committed (exit 137), then checks the audience is a whole version. */
  static void killAfter(String table, Path config, Path faulty, String asOf, List<Row> before, List<Row> after)
      throws Exception {
    assertEquals(137, runHalting(table, "1g", config, faulty, "run", "--as-of", asOf), "halted after " + table);
    List<Row> now = StandaloneClusterIT.table(SparkSession.active(), faulty, "audience_members", "audience", "user_id");
    assertTrue(now.equals(before) || now.equals(after), "audience_members is the old or the new version after a"
        + " kill after " + table);
  }

  static void assertSameTables(Path reference, Path faulty, String label) {
    SparkSession spark = SparkSession.active();
    for (String[] t : TABLES) {
      String[] order = java.util.Arrays.copyOfRange(t, 1, t.length);
      assertEquals(StandaloneClusterIT.table(spark, reference, t[0], order),
          StandaloneClusterIT.table(spark, faulty, t[0], order), label + ": " + t[0]);
    }
  }

  @Test
  void killedRunsNeverLeaveHalfAPublishAndTheRerunEqualsAnUninterruptedRun() throws Exception {
    Path work = Files.createTempDirectory("segments-faults");
    Path data = work.resolve("data");
    Path config = itConfig(work);
    // The reference (uninterrupted) runs in this JVM; the faulty warehouse is only touched by killed processes.
    Path reference = work.resolve("wh-reference");
    Path faulty = work.resolve("wh-faulty");
    String[] where = {"--config", config.toString(), "--warehouse", reference.toString()};
    assertEquals(0, Main.run(concat(new String[] {"generate", "--users", "300", "--days", "30", "--end", NEXT,
        "--parquet", data.toString()}, where)));
    assertEquals(0, Main.run(concat(new String[] {"run", "--as-of", "2026-10-28"}, where)));
    assertEquals(0, run(config, faulty, "run", "--as-of", "2026-10-28"));
    SparkSession spark = SparkSession.active();
    List<Row> before = StandaloneClusterIT.table(spark, reference, "audience_members", "audience", "user_id");
    assertEquals(before, StandaloneClusterIT.table(spark, faulty, "audience_members", "audience", "user_id"),
        "same start");

    // A 3-day replay (10-29..10-31), killed inside the rollup, the segments and the publish step.
    assertEquals(0, Main.run(concat(new String[] {"run", "--as-of", D}, where)));
    List<Row> after = StandaloneClusterIT.table(spark, reference, "audience_members", "audience", "user_id");
    killAfter("user_daily_activity", config, faulty, D, before, after);
    killAfter("segment_membership", config, faulty, D, before, after);
    killAfter("segment_changes", config, faulty, D, before, after);
    killAfter("audience_members", config, faulty, D, before, after);
    assertEquals(0, run(config, faulty, "run", "--as-of", D), "the rerun takes over the dead run's lock");
    assertSameTables(reference, faulty, "3-day replay");

    // A single day (11-01): killed by SIGKILL at step boundaries, then inside the segments and publish steps.
    before = after;
    assertEquals(0, Main.run(concat(new String[] {"run", "--as-of", NEXT}, where)));
    after = StandaloneClusterIT.table(spark, reference, "audience_members", "audience", "user_id");
    runAndKillDuring(config, faulty, NEXT, "rollup", "stage");
    runAndKillDuring(config, faulty, NEXT, "segments", "features");
    killAfter("segment_membership", config, faulty, NEXT, before, after);
    runAndKillDuring(config, faulty, NEXT, "publish", "validate");
    killAfter("user_segments", config, faulty, NEXT, before, after);
    assertEquals(0, run(config, faulty, "run", "--as-of", NEXT));
    assertSameTables(reference, faulty, "single day");
  }

  /** The integration-test config under {@code work/conf}, reading generated Parquet from {@code work/data}. */
  static Path itConfig(Path work) throws Exception {
    Path config = work.resolve("conf").resolve("local.yaml");
    Files.createDirectories(config.getParent().resolve("segments"));
    try (var files = Files.list(Path.of("..", "conf", "segments"))) {
      for (Path file : files.toList()) {
        Files.copy(file, config.getParent().resolve("segments").resolve(file.getFileName()));
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
