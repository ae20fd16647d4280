package io.segments.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A warehouse on a real, small filesystem (a tmpfs, mounted by the test as root) that fills up between two
 * daily runs, in this JVM (its session's warehouse is the tmpfs): the run fails with exit code 1 and a message
 * that says the disk is full and what to do, without a stack trace; the published audience is unchanged; after
 * space is freed the same command completes.
 */
class DiskFullIT {
  @Test
  void aFullDiskFailsTheRunClearlyAndLeavesThePublishedTables() throws Exception {
    Path work = Files.createTempDirectory("segments-diskfull");
    Path warehouse = Files.createDirectories(work.resolve("warehouse"));
    Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", warehouse.toString())
        .redirectErrorStream(true).start();
    Assumptions.assumeTrue(mount.waitFor(30, TimeUnit.SECONDS) && mount.exitValue() == 0,
        "mounting a tmpfs needs root: " + new String(mount.getInputStream().readAllBytes()));
    try {
      Path config = FaultRecoveryIT.itConfig(work);
      // Not captured: the session and its logging start here, on the console as usual.
      assertEquals(0, FaultRecoveryIT.runInProcess(config, warehouse, "generate", "--users", "200", "--days", "8",
          "--end", FaultRecoveryIT.D, "--parquet", work.resolve("data").toString()));
      assertEquals(0, cli(config, warehouse, "run", "--as-of", "2026-10-30"));
      SparkSession spark = SparkSession.active();
      List<Row> published = StandaloneClusterIT.table(spark, warehouse, "audience_members", "audience", "user_id");
      assertFalse(published.isEmpty());

      Path filler = warehouse.resolve("filler");
      fill(filler);
      StringBuilder console = new StringBuilder();
      assertEquals(1, cli(console, config, warehouse, "run", "--as-of", FaultRecoveryIT.D));
      String log = console.toString();
      assertTrue(log.contains("error: the disk is full (No space left on device"), log);
      assertTrue(log.contains("fix: free space where the warehouse and spark.local.dir live"), log);
      assertFalse(log.substring(log.indexOf("error: the disk is full")).contains("\tat "),
          "no stack trace after the error without --verbose");
      assertEquals(published, StandaloneClusterIT.table(spark, warehouse, "audience_members", "audience", "user_id"),
          "the published audience is the previous version");

      Files.delete(filler);
      assertEquals(0, cli(config, warehouse, "run", "--as-of", FaultRecoveryIT.D, FaultRecoveryIT.LARGE),
          "with space again the same command completes");
    } finally {
      new ProcessBuilder("umount", "-l", warehouse.toString()).start().waitFor(30, TimeUnit.SECONDS);
    }
  }

  static int cli(Path config, Path warehouse, String... args) {
    return cli(new StringBuilder(), config, warehouse, args);
  }

  /** The command in this JVM (its session's warehouse is the tmpfs), what it prints appended to {@code console}. */
  static int cli(StringBuilder console, Path config, Path warehouse, String... args) {
    java.io.PrintStream out = System.out;
    java.io.PrintStream err = System.err;
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    java.io.PrintStream both = new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8);
    System.setOut(both);
    System.setErr(both);
    try {
      return FaultRecoveryIT.runInProcess(config, warehouse, args);
    } finally {
      System.setOut(out);
      System.setErr(err);
      console.append(captured.toString(java.nio.charset.StandardCharsets.UTF_8));
      out.print(captured.toString(java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  /** Writes zeros until the filesystem is full, then gives back 256 KiB so the next run starts and fails while writing. */
  private static void fill(Path filler) throws IOException {
    byte[] block = new byte[64 * 1024];
    long written = 0;
    try (OutputStream out = Files.newOutputStream(filler)) {
      while (true) {
        out.write(block);
        written += block.length;
      }
    } catch (IOException full) {
      // full
    }
    try (var channel = java.nio.channels.FileChannel.open(filler, java.nio.file.StandardOpenOption.WRITE)) {
      channel.truncate(Math.max(0, written - 256 * 1024));
    }
  }
}
