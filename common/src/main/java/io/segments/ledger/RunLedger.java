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
 * {@code pipeline_runs}: one row per (run_id, step) with status, times, row counts and warnings. Each step is
 * appended as soon as it finishes (or fails), so the ledger says how far a killed or failed run got, and
 * printed as one console line. {@code last_day} is the last day a step completed (a chunk of a replay), which
 * a rerun of the same backfill resumes after.
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
      .add("message", DataTypes.StringType, true);

  /** What a step reports when it finishes. */
  public record StepResult(Long rowsIn, Long rowsOut, List<String> warnings, String message, LocalDate lastDay) {
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
  private Runnable beforeStep = () -> { };

  public RunLedger(Warehouse warehouse, String runId, String command, LocalDate asOf, PrintStream console) {
    this.warehouse = warehouse;
    this.runId = runId;
    this.command = command;
    this.asOf = asOf;
    this.console = console;
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
    warehouse.spark().sparkContext().setJobDescription("segments " + name + " as of " + asOf + " (run " + runId + ")");
    try {
      beforeStep.run();
      StepResult result = body.run();
      record(name, "succeeded", start, result);
      console.printf("  %-9s %12s in %12s out %7.1fs%s%n", name, count(result.rowsIn()), count(result.rowsOut()),
          (Instant.now().toEpochMilli() - start.toEpochMilli()) / 1000.0,
          result.warnings().isEmpty() ? "" : "  " + result.warnings().size() + " warning(s)");
      if (result.message() != null) {
        console.println("            " + result.message());
      }
      result.warnings().forEach(w -> console.println("            warning: " + w));
      return result;
    } catch (RuntimeException | org.apache.hadoop.fs.FSError e) {
      record(name, "failed", start, new StepResult(null, null, List.of(), String.valueOf(e.getMessage())));
      console.printf("  %-9s failed after %.1fs%n", name, (Instant.now().toEpochMilli() - start.toEpochMilli()) / 1000.0);
      throw e;
    }
  }

  public List<String> warnings() {
    return List.copyOf(warnings);
  }

  private void record(String step, String status, Instant start, StepResult result) {
    Instant end = Instant.now();
    warnings.addAll(result.warnings());
    Row row = RowFactory.create(runId, command, Date.valueOf(asOf), step,
        result.lastDay() == null ? null : Date.valueOf(result.lastDay()), status, Timestamp.from(start),
        Timestamp.from(end), end.toEpochMilli() - start.toEpochMilli(), result.rowsIn(), result.rowsOut(),
        result.warnings(), result.message());
    warehouse.spark().sparkContext().setJobDescription("segments ledger");
    warehouse.append(warehouse.spark().createDataFrame(List.of(row), SCHEMA), "pipeline_runs");
  }

  private static String count(Long value) {
    return value == null ? "-" : String.format("%,d", value);
  }
}
