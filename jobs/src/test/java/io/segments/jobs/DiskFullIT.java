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
 * daily runs: the run fails with exit code 1 and a message that says the disk is full and what to do, without a
 * stack trace; the published audience is unchanged; after space is freed the same command completes.
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
      Path data = work.resolve("data");
      assertEquals(0, Main.run(new String[] {"generate", "--users", "200", "--days", "8", "--end", FaultRecoveryIT.D,
          "--parquet", data.toString(), "--config", config.toString(), "--warehouse", work.resolve("gen").toString()}));
      assertEquals(0, FaultRecoveryIT.run(config, warehouse, "run", "--as-of", "2026-10-30"));
      SparkSession spark = SparkSession.active();
      List<Row> published = StandaloneClusterIT.table(spark, warehouse, "audience_members", "audience", "user_id");
      assertFalse(published.isEmpty());

      Path filler = warehouse.resolve("filler");
      fill(filler);
      assertEquals(1, FaultRecoveryIT.run(config, warehouse, "run", "--as-of", FaultRecoveryIT.D));
      String log = Files.readString(work.resolve("warehouse-run.log"));
      assertTrue(log.contains("error: the disk is full (No space left on device"), log);
      assertTrue(log.contains("fix: free space where the warehouse and spark.local.dir live"), log);
      // Spark's own task-failure logs keep their traces; the command's error output has none.
      assertFalse(log.substring(log.indexOf("error: the disk is full")).contains("\tat "),
          "no stack trace after the error without --verbose");
      assertEquals(published, StandaloneClusterIT.table(spark, warehouse, "audience_members", "audience", "user_id"),
          "the published audience is the previous version");

      Files.delete(filler);
      assertEquals(0, FaultRecoveryIT.run(config, warehouse, "run", "--as-of", FaultRecoveryIT.D,
          FaultRecoveryIT.LARGE), "with space again the same command completes");
    } finally {
      new ProcessBuilder("umount", "-l", warehouse.toString()).start().waitFor(30, TimeUnit.SECONDS);
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
