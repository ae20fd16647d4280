package io.segments.ledger;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.delta.exceptions.DeltaConcurrentModificationException;
import io.segments.io.Warehouse;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * One run at a time per output database: a row in the Delta table {@code pipeline_lock} (partitioned by run in a
 * table created since 2026-12, so a release drops its partition). Taking the lock is a Delta MERGE, so two runs
 * racing for it conflict and only one commits. A running job checks the row before a step and refreshes its
 * {@code heartbeat_at} every sixteenth of the stale timeout ({@link #heartbeat}). A lock is taken over only when it
 * was left: in this process, when its run has ended; on this host, when its process is gone (a run killed with
 * kill -9); on another host, or by another JVM with this host:pid, when its heartbeat is older than the stale
 * timeout. A failure to write the lock is an error of its own, never read as "held".
 */
public final class RunLock implements AutoCloseable {
  static final StructType SCHEMA = new StructType()
      .add("lock", DataTypes.StringType, false)
      .add("run_id", DataTypes.StringType, false)
      .add("command", DataTypes.StringType, false)
      .add("acquired_at", DataTypes.TimestampType, false)
      .add("owner", DataTypes.StringType, false)
      .add("heartbeat_at", DataTypes.TimestampType, false);

  private final Warehouse warehouse;
  private final String runId;
  private final Duration staleAfter;
  private Instant checked = Instant.now();

  private RunLock(Warehouse warehouse, String runId, Duration staleAfter) {
    this.warehouse = warehouse;
    this.runId = runId;
    this.staleAfter = staleAfter;
  }

  /** Another run holds the lock: exit code 5, try again later (not a crash). */
  public static final class HeldException extends io.segments.config.UserError {
    private final String holder;

    /** @param holder the holder's command, or null when it has just released the lock */
    HeldException(String problem, String fix, String holder) {
      super(null, problem, fix);
      this.holder = holder;
    }

    /** Whether waiting a little is the answer: a stream batch holds the lock, or its holder has just released it. */
    boolean brief() {
      return holder == null || holder.startsWith(STREAM_BATCH);
    }

    @Override
    public int exitCode() {
      return 5;
    }
  }

  /**
   * The daily run's lock ("run"): one run, backfill or step at a time. A stream batch holds it for its seconds of
   * writes: then, or when two writers of the lock table collide, this waits and tries again (up to
   * {@link #BRIEF_WAIT}) instead of giving up with exit 5.
   */
  public static RunLock acquire(Warehouse warehouse, String runId, String command, Duration staleAfter) {
    Instant giveUp = Instant.now().plus(BRIEF_WAIT);
    while (true) {
      try {
        return acquire(warehouse, RUN, runId, command, staleAfter);
      } catch (HeldException e) {
        if (!e.brief() || Instant.now().isAfter(giveUp)) {
          throw e;
        }
        pause();
      }
    }
  }

  /**
   * The "run" lock for a stream batch: waits as long as it takes while a daily run holds it, so a batch's writes of
   * the published tables and a daily run's never interleave.
   */
  public static RunLock acquireForBatch(Warehouse warehouse, String runId, long batchId, Duration staleAfter,
      java.io.PrintStream console) {
    boolean said = false;
    while (true) {
      try {
        return acquire(warehouse, RUN, runId, STREAM_BATCH + batchId, staleAfter);
      } catch (HeldException e) {
        if (!said && !e.brief()) {
          console.println("  waiting for the daily run to release its lock");
          said = true;
        }
        pause();
      }
    }
  }

  /** The command a stream batch holds the "run" lock with. */
  static final String STREAM_BATCH = "stream batch ";

  /** How long a daily run waits for a stream batch (seconds, usually) before it gives up with exit 5. */
  static final Duration BRIEF_WAIT = Duration.ofMinutes(10);

  private static void pause() {
    try {
      Thread.sleep(2000);
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the run lock", interrupted);
    }
  }

  /** The lock every daily run, backfill and single step takes. */
  public static final String RUN = "run";

  /** Whether a lock row was left by a run that is gone (see the class comment). */
  private static boolean left(Row row, Timestamp stale) {
    String owner = row.getAs("owner");
    Timestamp heartbeat = row.getAs("heartbeat_at");
    String id = row.getAs("run_id");
    // A row of this host:pid that no run of this process wrote is another JVM's (containers that all run
    // java as pid 1): left when its heartbeat is stale, as another host's.
    return owner.equals(OWNER) ? ENDED.contains(id) || !STARTED.contains(id) && heartbeat.before(stale)
        : onThisHost(owner) ? !alive(owner) : heartbeat.before(stale);
  }

  /**
   * Takes the lock named {@code lock} ("run" for the daily run, "stream" for the stream); locks of other names are
   * independent rows of the same table.
   */
  public static RunLock acquire(Warehouse warehouse, String lock, String runId, String command, Duration staleAfter) {
    boolean exists = warehouse.exists("pipeline_lock");
    // An empty lock table (the usual case: the last run released it) is told by its checksum file: no read.
    boolean empty = exists && Long.valueOf(0).equals(warehouse.fileCount("pipeline_lock"));
    // A new lock table is partitioned by run: a release drops its run's partition without finding and rewriting
    // rows. A table written before (unpartitioned) is kept as it is: rewriting it here could race another run.
    if (!exists || !java.util.Arrays.asList(warehouse.read("pipeline_lock").columns()).contains("heartbeat_at")) {
      warehouse.overwrite(warehouse.spark().createDataFrame(List.of(), SCHEMA), "pipeline_lock", "run_id");
      empty = true;
    }
    Timestamp now = Timestamp.from(Instant.now());
    Timestamp stale = Timestamp.from(Instant.now().minus(staleAfter));
    var mine = warehouse.spark().createDataFrame(List.of(RowFactory.create(lock, runId, command, now, OWNER, now)),
        SCHEMA);
    Column takeover = null; // no row seen that was left
    List<Row> rows = empty ? List.of() : warehouse.read("pipeline_lock").collectAsList();
    for (Row row : rows) {
      Timestamp heartbeat = row.getAs("heartbeat_at");
      String id = row.getAs("run_id");
      if (lock.equals(row.getAs("lock")) && left(row, stale)) {
        // Only the row as it was seen: a heartbeat written since means its run is alive after all.
        Column seen = col("t.run_id").equalTo(id).and(col("t.heartbeat_at").equalTo(lit(heartbeat)));
        takeover = takeover == null ? seen : takeover.or(seen);
      }
    }
    STARTED.add(runId);
    try {
      return acquired(warehouse, lock, runId, mine, takeover, staleAfter);
    } catch (HeldException e) {
      throw e; // this run wrote no row: it may try again under the same id
    } catch (Throwable e) {
      ENDED.add(runId); // a row this run may have written is left, not held
      throw e;
    }
  }

  private static RunLock acquired(Warehouse warehouse, String lock, String runId,
      org.apache.spark.sql.Dataset<Row> mine, Column takeover, Duration staleAfter) {
    try {
      // Without a row to take over, the MERGE only inserts: a row written since by another run conflicts with it
      // all the same (it read the table), and Delta neither copies the source nor looks for rows to update.
      var merge = warehouse.delta("pipeline_lock").as("t").merge(mine.as("s"), "t.lock = s.lock");
      var write = (takeover == null ? merge : merge.whenMatched(takeover).updateAll()).whenNotMatched().insertAll();
      warehouse.commit("pipeline_lock", write::execute);
      // The MERGE's own figures say whether it wrote this run's row: no read of the lock when it did.
      Long inserted = warehouse.written("pipeline_lock", "numTargetRowsInserted");
      Long updated = warehouse.written("pipeline_lock", "numTargetRowsUpdated");
      if (inserted != null && updated != null && inserted + updated == 1) {
        return new RunLock(warehouse, runId, staleAfter);
      }
    } catch (DeltaConcurrentModificationException e) {
      // A concurrent run committed first: report who holds it below.
    } catch (Exception e) {
      throw new IllegalStateException("could not write the run lock " + warehouse.name("pipeline_lock") + ": "
          + io.segments.io.SourceReader.firstLine(e.getMessage()) + "\n  fix: check that the warehouse is writable;"
          + " nothing was run", e);
    }
    List<Row> holders = warehouse.read("pipeline_lock").where(col("lock").equalTo(lock)).collectAsList();
    if (holders.isEmpty()) {
      throw new HeldException("another run held the " + named(lock) + " on " + warehouse.database()
          + " and has just released it", "run again (exit code 5 means: try again later)", null);
    }
    Row holder = holders.get(0);
    if (!runId.equals(holder.getString(1))) {
      throw new HeldException("another run holds the " + named(lock) + " on " + warehouse.database() + ": run "
          + holder.getString(1) + " (" + holder.getString(2) + ") since " + holder.getTimestamp(3) + " on "
          + holder.getString(4) + ", last heartbeat " + holder.getTimestamp(5),
          "wait for it to finish (exit code 5 means: try again later); a killed run's lock is taken over"
          + " once its process is gone (same host) or its heartbeat is " + staleAfter.toMinutes()
          + " minutes old (lock.stale_after_minutes), or delete it: ./segments sql \"delete from "
          + warehouse.name("pipeline_lock") + "\"", holder.getString(2));
    }
    return new RunLock(warehouse, runId, staleAfter);
  }

  private static String named(String lock) {
    return lock.equals(RUN) ? "lock" : lock + " lock";
  }

  /**
   * Checks that the lock is still this run's and refreshes its heartbeat, every sixteenth of the stale timeout (15
   * minutes by default): called before every step, it reads and writes the lock only when its last look is that old,
   * so a takeover needs a step that outlasts fifteen sixteenths of the timeout, and a run shorter than a sixteenth (a
   * daily run's usual length) pays no read and no commit; fails (exit 1, an alert, not "try later") when the lock is
   * no longer this run's: it was taken over while this run was alive.
   */
  public void heartbeat() {
    if (!Instant.now().isBefore(checked.plus(every()))) {
      check();
    }
  }

  private Duration every() {
    return staleAfter.dividedBy(16);
  }

  /** The heartbeat's read and write, now. */
  void check() {
    checked = Instant.now();
    List<Row> mine = warehouse.read("pipeline_lock").where(col("run_id").equalTo(runId)).collectAsList();
    if (mine.isEmpty()) {
      throw new IllegalStateException("the run lock on " + warehouse.database() + " is no longer held by run " + runId
          + " (another run took it over)\n  fix: make sure only one scheduler runs this job; rerun when the other"
          + " run has finished");
    }
    warehouse.commit("pipeline_lock", () -> warehouse.delta("pipeline_lock").update(col("run_id").equalTo(runId),
        Map.of("heartbeat_at", lit(Timestamp.from(Instant.now())))));
  }

  static final String OWNER = host() + ":" + ProcessHandle.current().pid();

  /**
   * The runs of this process that have ended. A lock row of this process whose run is among them was left by a
   * run that could not release it (say the disk was full): the next run of this process, or of a scheduler that
   * calls the job in-process, takes it over as it would a dead process's. A run of this process still going
   * keeps its lock.
   */
  private static final java.util.Set<String> ENDED = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** The runs this process has started: a row of this process whose run is not among them is another JVM's. */
  private static final java.util.Set<String> STARTED = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private static String host() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return "unknown";
    }
  }

  private static boolean onThisHost(String owner) {
    int colon = owner.lastIndexOf(':');
    return colon > 0 && owner.substring(0, colon).equals(host());
  }

  private static boolean alive(String owner) {
    try {
      return ProcessHandle.of(Long.parseLong(owner.substring(owner.lastIndexOf(':') + 1)))
          .map(ProcessHandle::isAlive).orElse(false);
    } catch (NumberFormatException e) {
      return true;
    }
  }

  @Override
  public void close() {
    try {
      warehouse.commit("pipeline_lock", () -> warehouse.delta("pipeline_lock").delete(col("run_id").equalTo(runId)));
    } finally {
      ENDED.add(runId);
    }
  }
}
