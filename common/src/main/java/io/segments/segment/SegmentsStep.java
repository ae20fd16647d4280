package io.segments.segment;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.segments.config.ConfigException;
import io.segments.io.DayPartitions;
import io.segments.io.Detached;
import io.segments.io.Warehouse;
import io.segments.ledger.RunLedger.Step;
import io.segments.ledger.RunLedger.StepResult;
import io.segments.step.Check;
import io.segments.step.StepContext;
import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * The segments step; writes {@code segment_membership}, {@code segment_changes}, {@code segment_history} for the
 * days of a replay chunk, from {@code user_features} and the membership of the day before; segment_history's
 * commit notes the last day whose three tables are all written (a run killed between them replays the day again).
 */
public final class SegmentsStep implements Step {
  private static final StructType NO_MEMBERS = new StructType().add("user_id", "string").add("segment", "string")
      .add("entered_on", "date").add("family", "string");

  private final StepContext context;
  private final List<LocalDate> days;

  public SegmentsStep(StepContext context, List<LocalDate> days) {
    this.context = context;
    this.days = days;
  }

  /** Before the step: every day of the chunk has features (exit 2 naming the command that computes them). */
  public SegmentsStep requireFeatures() {
    Warehouse warehouse = context.warehouse();
    long present = warehouse.exists("user_features") ? warehouse.read("user_features")
        .where(Warehouse.between("as_of_date", days)).select("as_of_date").distinct().count() : 0;
    if (present < days.size()) {
      throw new ConfigException("segments", "user_features holds " + present + " of the " + days.size()
          + " days to replay (" + days.get(0) + ".." + last() + ")",
          "compute them first: features --as-of " + last() + " (or use run)");
    }
    return this;
  }

  @Override
  public StepResult run() {
    Warehouse warehouse = context.warehouse();
    Dataset<Row> features = context.features(days);
    // Detached: the replay, cached, reads it, and this step writes segment_membership before its last use.
    Dataset<Row> prior = warehouse.exists("segment_membership") ? Detached.of(priorDay(warehouse))
        : context.spark().createDataFrame(List.of(), NO_MEMBERS);
    SegmentEngine.Result result = new SegmentEngine(context.config().segments()).assign(features, prior);
    List<Check> checks;
    try {
      // The checks read the rows computed, not the tables once written: no read of a new table version.
      Dataset<Row> today = result.membership().where(Warehouse.on("as_of_date", last()));
      Dataset<Row> changes = !warehouse.exists("segment_changes") ? result.changes() : result.changes()
          .unionByName(warehouse.read("segment_changes").where(col("as_of_date").lt(Date.valueOf(days.get(0)))));
      SegmentChecklist.Result checked = SegmentChecklist.checks(context.config().segments(), today, changes, last());
      context.segmentSizes(last(), checked.sizes());
      checks = checked.checks();
      DayPartitions.replace(warehouse, result.membership(), "segment_membership", "as_of_date", days, false);
      DayPartitions.replace(warehouse, result.changes(), "segment_changes", "as_of_date", days, false);
      Column first = lit(Date.valueOf(days.get(0)));
      // The last of the three writes notes the day they are all written through: a run killed before it replays
      // the chunk. Recorded even when it changes no row (Delta would skip that commit).
      warehouse.committing(STATE_THROUGH + last() + "\nrun_id=" + context.runId(),
          Map.of("spark.databricks.delta.skipRecordingEmptyCommits", "false"),
          () -> warehouse.replaceWhere(result.stays(), "segment_history",
              col("exited_on").isNull().or(col("exited_on").geq(first)).or(col("entered_on").geq(first))));
      // The note holds the state day now: a table kept by runs before 2026-12 would go stale.
      warehouse.ddl().dropIfExists("segment_state");
    } finally {
      result.replay().unpersist();
    }
    long read = days.size() == 1 ? context.knownUserCount(last()) : features.count();
    return new StepResult(read, warehouse.rowsWritten("segment_membership"), Check.texts(checks),
        days.size() == 1 ? null : "days " + days.get(0) + ".." + last(), last());
  }

  /** The membership of the day before the chunk: the columns the replay reads (family: where the table has it). */
  private Dataset<Row> priorDay(Warehouse warehouse) {
    Dataset<Row> stored = warehouse.read("segment_membership");
    List<String> used = List.of("user_id", "segment", "entered_on", "family");
    Column[] columns = java.util.Arrays.stream(stored.columns()).filter(used::contains)
        .map(org.apache.spark.sql.functions::col).toArray(Column[]::new);
    return stored.where(Warehouse.on("as_of_date", days.get(0).minusDays(1))).select(columns);
  }

  private LocalDate last() {
    return days.get(days.size() - 1);
  }

  private static final String STATE_THROUGH = "state_through=";

  /**
   * The last day whose segment tables are all written: the day noted by segment_history's last write (null before
   * a first segment_history). Warehouses written before that note fall back to the table {@code segment_state} they
   * kept, then to the last day of segment_membership.
   */
  public static LocalDate lastStateDay(Warehouse warehouse) {
    if (!warehouse.exists("segment_history")) {
      return null; // a first run killed before its last segment write: nothing is done yet
    }
    String note = warehouse.note("segment_history");
    if (note != null && note.startsWith(STATE_THROUGH)) {
      return LocalDate.parse(note.lines().findFirst().orElseThrow().substring(STATE_THROUGH.length()));
    }
    String table = warehouse.exists("segment_state") ? "segment_state"
        : warehouse.exists("segment_membership") ? "segment_membership" : null;
    if (table == null) {
      return null;
    }
    Row row = warehouse.read(table).agg(org.apache.spark.sql.functions.max(
        table.equals("segment_state") ? "state_through" : "as_of_date")).first();
    return row.isNullAt(0) ? null : row.getDate(0).toLocalDate();
  }
}
