package io.segments.ledger;

import static org.apache.spark.sql.functions.col;

import io.segments.io.Warehouse;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * One run at a time per output database: a row in the Delta table {@code pipeline_lock}. Taking the lock is a
 * Delta MERGE, so two runs racing for it conflict and only one commits. A lock whose owner process on this
 * host is gone (a run killed with kill -9), or older than the stale timeout (a run killed on another host), is
 * taken over.
 */
public final class RunLock implements AutoCloseable {
  private static final StructType SCHEMA = new StructType()
      .add("lock", DataTypes.StringType, false)
      .add("run_id", DataTypes.StringType, false)
      .add("command", DataTypes.StringType, false)
      .add("acquired_at", DataTypes.TimestampType, false)
      .add("owner", DataTypes.StringType, false);

  private final Warehouse warehouse;
  private final String runId;

  private RunLock(Warehouse warehouse, String runId) {
    this.warehouse = warehouse;
    this.runId = runId;
  }

  /** Thrown when another run holds the lock. */
  public static final class HeldException extends RuntimeException {
    HeldException(String message) {
      super(message);
    }
  }

  public static RunLock acquire(Warehouse warehouse, String runId, String command, Duration staleAfter) {
    if (!warehouse.exists("pipeline_lock")
        || !java.util.Arrays.asList(warehouse.read("pipeline_lock").columns()).contains("owner")) {
      warehouse.overwrite(warehouse.spark().createDataFrame(List.of(), SCHEMA), "pipeline_lock");
    }
    Timestamp now = Timestamp.from(Instant.now());
    Timestamp stale = Timestamp.from(Instant.now().minus(staleAfter));
    var mine = warehouse.spark().createDataFrame(List.of(RowFactory.create("run", runId, command, now, OWNER)), SCHEMA);
    var takeover = col("t.acquired_at").lt(stale);
    for (Row row : warehouse.read("pipeline_lock").collectAsList()) {
      if (deadOnThisHost(row.getString(4))) {
        takeover = takeover.or(col("t.owner").equalTo(row.getString(4)));
      }
    }
    try {
      warehouse.delta("pipeline_lock").as("t").merge(mine.as("s"), "t.lock = s.lock")
          .whenMatched(takeover).updateAll()
          .whenNotMatched().insertAll()
          .execute();
    } catch (RuntimeException e) {
      // A concurrent run committed first: report who holds it below.
    }
    Row holder = warehouse.read("pipeline_lock").where(col("lock").equalTo("run")).first();
    if (!runId.equals(holder.getString(1))) {
      throw new HeldException("another run holds the lock on " + warehouse.database() + ": run "
          + holder.getString(1) + " (" + holder.getString(2) + ") since " + holder.getTimestamp(3)
          + "\n  fix: wait for it to finish; if it was killed, the lock is taken over after " + staleAfter.toMinutes()
          + " minutes (lock.stale_after_minutes), or delete it: ./segments sql \"delete from "
          + warehouse.name("pipeline_lock") + "\"");
    }
    return new RunLock(warehouse, runId);
  }

  private static final String OWNER = host() + ":" + ProcessHandle.current().pid();

  private static String host() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return "unknown";
    }
  }

  private static boolean deadOnThisHost(String owner) {
    int colon = owner.lastIndexOf(':');
    if (colon < 0 || !owner.substring(0, colon).equals(host())) {
      return false;
    }
    try {
      return ProcessHandle.of(Long.parseLong(owner.substring(colon + 1))).map(p -> !p.isAlive()).orElse(true);
    } catch (NumberFormatException e) {
      return false;
    }
  }

  @Override
  public void close() {
    warehouse.delta("pipeline_lock").delete(col("run_id").equalTo(runId));
  }
}
