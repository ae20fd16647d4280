package io.segments.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.segments.SparkTestBase;
import io.segments.io.Warehouse;
import java.net.InetAddress;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/** The run lock: who may take it over, the heartbeat, and a lock that cannot be written. */
class RunLockTest extends SparkTestBase {
  private static final Duration STALE = Duration.ofMinutes(30);

  private Warehouse lockHeldBy(String database, String owner, Instant heartbeat) {
    return lockHeldBy(database, "other-run", owner, heartbeat);
  }

  /** A lock table as runs since 2026-12 create it (partitioned by run) holding one row. */
  private Warehouse lockHeldBy(String database, String runId, String owner, Instant heartbeat) {
    return lockHeldBy(database, runId, owner, heartbeat, true);
  }

  /** A lock table holding one row, partitioned by run or not (as runs before 2026-12 left it). */
  private Warehouse lockHeldBy(String database, String runId, String owner, Instant heartbeat, boolean partitioned) {
    Warehouse warehouse = new Warehouse(spark(), database);
    Timestamp acquired = Timestamp.from(Instant.now().minus(Duration.ofDays(2)));
    warehouse.overwrite(frame(RunLock.SCHEMA, row("run", runId, "run --as-of D", acquired, owner,
        Timestamp.from(heartbeat))), "pipeline_lock", partitioned ? new String[] {"run_id"} : new String[0]);
    return warehouse;
  }

  private java.util.List<Object> partitionColumns(String database) {
    org.apache.spark.sql.Row detail = spark().sql("describe detail " + database + ".pipeline_lock").first();
    return detail.getList(detail.fieldIndex("partitionColumns"));
  }

  private static String thisHost() throws Exception {
    return InetAddress.getLocalHost().getHostName();
  }

  @Test
  void aLiveProcessOnThisHostKeepsItsLockHoweverOldItsHeartbeat() throws Exception {
    Process alive = new ProcessBuilder("sleep", "120").start();
    try {
      Warehouse warehouse = lockHeldBy("lock_live", thisHost() + ":" + alive.pid(),
          Instant.now().minus(Duration.ofDays(1)));
      RunLock.HeldException e = assertThrows(RunLock.HeldException.class,
          () -> RunLock.acquire(warehouse, "me", "run", STALE));
      Assertions.assertTrue(e.getMessage().contains("run other-run"), e.getMessage());
    } finally {
      alive.destroyForcibly();
    }
  }

  @Test
  void thisProcesssLockIsHeldUnlessItsRunEndedWithoutReleasingIt() {
    // Run ids of their own (as the pipeline's are UUIDs): other tests of this JVM start and end runs too.
    String first = "first-" + java.util.UUID.randomUUID();
    Warehouse warehouse = new Warehouse(spark(), "lock_self");
    RunLock lock = RunLock.acquire(warehouse, first, "run", STALE);
    try {
      RunLock.HeldException e = assertThrows(RunLock.HeldException.class, () -> RunLock.acquire(warehouse,
          "second-" + java.util.UUID.randomUUID(), "run", STALE), "a run of this process that is still going");
      Assertions.assertTrue(e.getMessage().contains("run " + first), e.getMessage());
    } finally {
      lock.close();
    }
    // Another JVM with this host:pid (containers that all run java as pid 1): a run this process never started.
    String twin = "twin-" + java.util.UUID.randomUUID();
    Warehouse other = lockHeldBy("lock_self_other", twin, RunLock.OWNER, Instant.now());
    assertThrows(RunLock.HeldException.class, () -> RunLock.acquire(other, "me", "run", STALE));
    Warehouse otherStale = lockHeldBy("lock_self_stale", twin, RunLock.OWNER, Instant.now().minus(Duration.ofHours(1)));
    RunLock.acquire(otherStale, "me", "run", STALE).close();
    assertEquals(0, otherStale.read("pipeline_lock").count(), "another JVM's row with a stale heartbeat is left");
    // The row of the first run as a release that failed (say on a full disk) leaves it: taken over at once.
    Warehouse left = lockHeldBy("lock_self_left", first, RunLock.OWNER, Instant.now());
    RunLock.acquire(left, "me", "run", STALE).close();
    assertEquals(0, left.read("pipeline_lock").count(), "taken over, then released");
  }

  @Test
  void aGoneProcessOnThisHostLeavesItsLockToTheNextRunAtOnce() throws Exception {
    Process done = new ProcessBuilder("true").start();
    done.waitFor();
    Warehouse warehouse = lockHeldBy("lock_gone", thisHost() + ":" + done.pid(), Instant.now());
    RunLock.acquire(warehouse, "me", "run", STALE).close();
    assertEquals(0, warehouse.read("pipeline_lock").count(), "taken over (the row moves to this run's partition),"
        + " then released");
    assertEquals(0L, warehouse.fileCount("pipeline_lock"));
    Warehouse before = lockHeldBy("lock_gone_before", "other-run", thisHost() + ":" + done.pid(), Instant.now(),
        false);
    RunLock.acquire(before, "me", "run", STALE).close();
    assertEquals(0, before.read("pipeline_lock").count(), "a lock table of before (no partitions) likewise");
  }

  @Test
  void anotherHostsLockIsTakenOverOnlyWhenItsHeartbeatIsStale() {
    Warehouse fresh = lockHeldBy("lock_fresh", "elsewhere:42", Instant.now().minus(Duration.ofMinutes(5)));
    assertThrows(RunLock.HeldException.class, () -> RunLock.acquire(fresh, "me", "run", STALE),
        "a 2-day-old lock with a 5-minute-old heartbeat is a long run, not a dead one");
    Warehouse stale = lockHeldBy("lock_stale", "elsewhere:42", Instant.now().minus(Duration.ofHours(1)));
    RunLock.acquire(stale, "me", "run", STALE).close();
    assertEquals(0, stale.read("pipeline_lock").count());
  }

  @Test
  void theHeartbeatMovesAndATakenOverLockIsNoticed() {
    Warehouse warehouse = new Warehouse(spark(), "lock_beat");
    RunLock lock = RunLock.acquire(warehouse, "me", "run", STALE);
    Timestamp old = Timestamp.from(Instant.now().minus(Duration.ofHours(3)));
    warehouse.delta("pipeline_lock").update(java.util.Map.of("heartbeat_at", org.apache.spark.sql.functions.lit(old)));
    long jobs = SparkJobs.of(spark().sparkContext()).started();
    lock.heartbeat();
    assertEquals(jobs, SparkJobs.of(spark().sparkContext()).started(),
        "a lock looked at under a sixteenth of the stale timeout ago is not read");
    lock.check();
    Timestamp beat = warehouse.read("pipeline_lock").first().getAs("heartbeat_at");
    Assertions.assertTrue(beat.toInstant().isAfter(Instant.now().minus(Duration.ofMinutes(5))),
        "the heartbeat moved from " + old + " to now, found " + beat);
    warehouse.overwrite(frame(RunLock.SCHEMA, row("run", "intruder", "run", Timestamp.from(Instant.now()),
        "elsewhere:1", Timestamp.from(Instant.now()))), "pipeline_lock");
    IllegalStateException e = assertThrows(IllegalStateException.class, lock::check);
    Assertions.assertTrue(e.getMessage().contains("no longer held by run me"), e.getMessage());
  }

  @Test
  void theHeartbeatComesEverySixteenthOfTheStaleTimeout() throws InterruptedException {
    Warehouse warehouse = new Warehouse(spark(), "lock_sixteenth");
    RunLock lock = RunLock.acquire(warehouse, "sixteenth", "run", Duration.ofSeconds(16));
    long jobs = SparkJobs.of(spark().sparkContext()).started();
    lock.heartbeat();
    assertEquals(jobs, SparkJobs.of(spark().sparkContext()).started(), "at once: not a sixteenth of 16 s");
    Thread.sleep(1_100);
    lock.heartbeat();
    Row row = warehouse.read("pipeline_lock").first();
    Timestamp beat = row.getAs("heartbeat_at");
    Assertions.assertTrue(beat.after(row.getAs("acquired_at")), "past a sixteenth of 16 s the heartbeat moved: " + row);
    lock.close();
  }

  @Test
  void aNewLockTableIsPartitionedByRunAndAReleaseLeavesNoFileWhileATableOfBeforeKeepsItsLayout() {
    Warehouse fresh = new Warehouse(spark(), "lock_layout");
    String run = "layout-" + java.util.UUID.randomUUID();
    try (RunLock lock = RunLock.acquire(fresh, run, "run", STALE)) {
      assertEquals(java.util.List.of("run_id"), partitionColumns("lock_layout"));
      assertEquals(1, fresh.read("pipeline_lock").where(org.apache.spark.sql.functions.col("run_id")
          .equalTo(run)).count());
    }
    assertEquals(0L, fresh.fileCount("pipeline_lock"), "the release dropped the run's partition");

    Warehouse before = new Warehouse(spark(), "lock_layout_before");
    before.overwrite(frame(RunLock.SCHEMA), "pipeline_lock"); // as runs before 2026-12 left it: no partitions
    String next = "layout-" + java.util.UUID.randomUUID();
    try (RunLock lock = RunLock.acquire(before, next, "run", STALE)) {
      assertEquals(1, before.read("pipeline_lock").count());
    }
    assertEquals(0, before.read("pipeline_lock").count());
    assertEquals(java.util.List.of(), partitionColumns("lock_layout_before"), "not rewritten under a live run");
  }

  @Test
  void aLockThatCannotBeWrittenIsAnErrorNotAHeldLock() {
    Warehouse warehouse = new Warehouse(spark(), "lock_broken");
    spark().sql("create table lock_broken.pipeline_lock (lock string, run_id array<int>, command string,"
        + " acquired_at timestamp, owner string, heartbeat_at timestamp) using delta");
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> RunLock.acquire(warehouse, "me", "run", STALE));
    Assertions.assertTrue(e.getMessage().contains("could not write the run lock lock_broken.pipeline_lock"),
        e.getMessage());
  }
}
