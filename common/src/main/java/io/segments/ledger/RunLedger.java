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
 * {@code pipeline_runs}: one row per (run_id, step) with status, times, row counts and warnings. Steps are
 * recorded as they finish and printed as one console line each; the rows are appended when the run ends,
 * whether it succeeded or failed.
 */
public final class RunLedger {
  public static final StructType SCHEMA = new StructType()
      .add("run_id", DataTypes.StringType, false)
      .add("as_of_date", DataTypes.DateType, false)
      .add("step", DataTypes.StringType, false)
      .add("status", DataTypes.StringType, false)
      .add("started_at", DataTypes.TimestampType, false)
      .add("ended_at", DataTypes.TimestampType, false)
      .add("duration_ms", DataTypes.LongType, false)
      .add("rows_in", DataTypes.LongType, true)
      .add("rows_out", DataTypes.LongType, true)
      .add("warnings", DataTypes.createArrayType(DataTypes.StringType), false)
      .add("message", DataTypes.StringType, true);

  /** What a step reports when it finishes. */
  public record StepResult(Long rowsIn, Long rowsOut, List<String> warnings, String message) {
    public static StepResult of(long rowsIn, long rowsOut) {
      return new StepResult(rowsIn, rowsOut, List.of(), null);
    }
  }

  /** A step's body. */
  @FunctionalInterface
  public interface Step {
    StepResult run();
  }

  private final String runId;
  private final LocalDate asOf;
  private final PrintStream console;
  private final List<Row> rows = new ArrayList<>();
  private final List<String> warnings = new ArrayList<>();

  public RunLedger(String runId, LocalDate asOf, PrintStream console) {
    this.runId = runId;
    this.asOf = asOf;
    this.console = console;
  }

  public String runId() {
    return runId;
  }

  /** Runs and records one step; a failure is recorded and rethrown. */
  public StepResult step(String name, Step body) {
    Instant start = Instant.now();
    try {
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
    } catch (RuntimeException e) {
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
    rows.add(RowFactory.create(runId, Date.valueOf(asOf), step, status, Timestamp.from(start), Timestamp.from(end),
        end.toEpochMilli() - start.toEpochMilli(), result.rowsIn(), result.rowsOut(), result.warnings(),
        result.message()));
  }

  /** Appends the recorded steps to {@code pipeline_runs}. */
  public void write(Warehouse warehouse) {
    if (!rows.isEmpty()) {
      warehouse.append(warehouse.spark().createDataFrame(rows, SCHEMA), "pipeline_runs");
    }
  }

  private static String count(Long value) {
    return value == null ? "-" : String.format("%,d", value);
  }
}
