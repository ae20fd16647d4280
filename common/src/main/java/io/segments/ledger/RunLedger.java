package io.segments.ledger;

import io.segments.io.Warehouse;
import java.io.PrintStream;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * {@code pipeline_runs}: one row per (run_id, step) with status, times, row counts, the Spark jobs and Delta commits
 * the step made, and warnings. Each step is printed as one console line when it finishes (or fails); its row is
 * kept until {@link #flush}, which appends every kept row in one commit: at the end of a run, failed or not, and
 * after each chunk of a backfill. {@code last_day} is the last day a step completed (a chunk of a replay), which
 * a rerun of the same backfill resumes after. A run killed outright leaves no rows of its own (its lock row names
 * it until the next run takes the lock over).
 */
public final class RunLedger {
  public static final StructType SCHEMA = new StructType()
      .add("run_id", DataTypes.StringType, false)
      .add("command", DataTypes.StringType, false)
      .add("as_of_date", DataTypes.DateType, false)
      .add("step", DataTypes.StringType, false)
      .add("last_day", DataTypes.DateType, true)
      .add("status", DataTypes.StringType, false)
      .add("started_at", DataTypes.TimestampType, false)
      .add("ended_at", DataTypes.TimestampType, false)
      .add("duration_ms", DataTypes.LongType, false)
      .add("rows_in", DataTypes.LongType, true)
      .add("rows_out", DataTypes.LongType, true)
      .add("warnings", DataTypes.createArrayType(DataTypes.StringType), false)
      .add("message", DataTypes.StringType, true)
      .add("spark_jobs", DataTypes.LongType, true)
      .add("delta_commits", DataTypes.LongType, true)
      .add("latency_ms", DataTypes.LongType, true);

  /**
   * What a step reports when it finishes; {@code latencyMs} is a stream batch's time from the newest event's arrival
   * in the source to the commit of its audience rows (null for the daily run's steps).
   */
  public record StepResult(Long rowsIn, Long rowsOut, List<String> warnings, String message, LocalDate lastDay,
      Long latencyMs) {
    public StepResult(Long rowsIn, Long rowsOut, List<String> warnings, String message, LocalDate lastDay) {
      this(rowsIn, rowsOut, warnings, message, lastDay, null);
    }

    public StepResult(Long rowsIn, Long rowsOut, List<String> warnings, String message) {
      this(rowsIn, rowsOut, warnings, message, null);
    }

    public static StepResult of(long rowsIn, long rowsOut) {
      return new StepResult(rowsIn, rowsOut, List.of(), null, null);
    }
  }

  /** A step's body. */
  @FunctionalInterface
  public interface Step {
    StepResult run();
  }

  private final Warehouse warehouse;
  private final String runId;
  private final String command;
  private final LocalDate asOf;
  private final PrintStream console;
  private final List<String> warnings = new ArrayList<>();
  private final List<Row> pending = new ArrayList<>();
  private final SparkJobs jobs;
  private Runnable beforeStep = () -> { };

  public RunLedger(Warehouse warehouse, String runId, String command, LocalDate asOf, PrintStream console) {
    this.warehouse = warehouse;
    this.runId = runId;
    this.command = command;
    this.asOf = asOf;
    this.console = console;
    this.jobs = SparkJobs.of(warehouse.spark().sparkContext());
  }

  public String runId() {
    return runId;
  }

  /** Runs before every step, e.g. the run lock's heartbeat. */
  public RunLedger beforeEachStep(Runnable action) {
    this.beforeStep = action;
    return this;
  }

  /** Runs and records one step; a failure is recorded and rethrown. */
  public StepResult step(String name, Step body) {
    Instant start = Instant.now();
    Cost before = cost();
    warehouse.spark().sparkContext().setJobDescription("segments " + name + " as of " + asOf + " (run " + runId + ")");
    try {
      beforeStep.run();
      before = cost(); // the lock's heartbeat is the run's bookkeeping (its total line), not the step's
      StepResult result = body.run();
      Cost cost = cost().minus(before);
      record(name, "succeeded", start, result, cost);
      console.printf("  %-9s %12s in %12s out %7.1fs %5d jobs %3d commits%s%n", name, count(result.rowsIn()),
          count(result.rowsOut()), (Instant.now().toEpochMilli() - start.toEpochMilli()) / 1000.0, cost.jobs(),
          cost.commits(), result.warnings().isEmpty() ? "" : "  " + result.warnings().size() + " warning(s)");
      if (result.message() != null) {
        console.println("            " + result.message());
      }
      result.warnings().forEach(w -> console.println("            warning: " + w));
      return result;
    } catch (RuntimeException | org.apache.hadoop.fs.FSError e) {
      record(name, "failed", start, new StepResult(null, null, List.of(), String.valueOf(e.getMessage())),
          cost().minus(before));
      console.printf("  %-9s failed after %.1fs%n", name, (Instant.now().toEpochMilli() - start.toEpochMilli()) / 1000.0);
      throw e;
    }
  }

  public List<String> warnings() {
    return List.copyOf(warnings);
  }

  /** Spark jobs started and Delta commits made so far in this process, or between two such points. */
  public record Cost(long jobs, long commits) {
    public Cost minus(Cost earlier) {
      return new Cost(jobs - earlier.jobs, commits - earlier.commits);
    }
  }

  /** Jobs and commits so far: a run's total is the difference of two. */
  public Cost cost() {
    return new Cost(jobs.started(), warehouse.commits());
  }

  /** Appends the rows of the steps recorded since the last flush, in one commit; nothing when there are none. */
  public void flush() {
    if (pending.isEmpty()) {
      return;
    }
    warehouse.spark().sparkContext().setJobDescription("segments ledger");
    warehouse.append(warehouse.spark().createDataFrame(List.copyOf(pending), SCHEMA), "pipeline_runs");
    pending.clear();
  }

  private void record(String step, String status, Instant start, StepResult result, Cost cost) {
    Instant end = Instant.now();
    warnings.addAll(result.warnings());
    pending.add(RowFactory.create(runId, command, Date.valueOf(asOf), step,
        result.lastDay() == null ? null : Date.valueOf(result.lastDay()), status, Timestamp.from(start),
        Timestamp.from(end), end.toEpochMilli() - start.toEpochMilli(), result.rowsIn(), result.rowsOut(),
        result.warnings(), result.message(), cost.jobs(), cost.commits(), result.latencyMs()));
  }

  private static String count(Long value) {
    return value == null ? "-" : String.format("%,d", value);
  }
}
