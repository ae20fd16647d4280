package io.segments.validate;

import static org.apache.spark.sql.functions.col;

import io.segments.io.Detached;
import io.segments.io.Warehouse;
import io.segments.ledger.RunLedger.Step;
import io.segments.ledger.RunLedger.StepResult;
import io.segments.step.PublishGuardException;
import io.segments.step.Check;
import io.segments.step.StepContext;
import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The validate step; writes {@code segment_outcomes} and {@code retention_cohorts} (and its own
 * {@code user_activity_state} and {@code retention_cell_days}), then runs the method's checks
 * ({@link OutcomeValidator#checks}); with {@code validate.gate} a failed check (a warning; not a note that a check
 * could not run yet) stops the run before publishing (exit 4). Outcomes of all cohorts, and the state rebuilt from
 * all history, when {@code replayed} is null (a backfill, --full or the first time); otherwise only the outcomes of
 * the cohorts whose row the replayed days can change: the new cohorts and those for which one of the days
 * completes an outcome's horizon ({@link OutcomeValidator#changedCohorts}), read from the state
 * ({@link ActivityState}).
 */
public final class ValidateStep implements Step {
  private static final String CELL_DAYS = "retention_cell_days";
  private final StepContext context;
  private final LocalDate asOf;
  private final List<LocalDate> replayed;

  public ValidateStep(StepContext context, LocalDate asOf, List<LocalDate> replayed) {
    this.context = context;
    this.asOf = asOf;
    this.replayed = replayed;
  }

  @Override
  public StepResult run() {
    Warehouse warehouse = context.warehouse();
    OutcomeValidator validator = new OutcomeValidator(context.config());
    ActivityState state = new ActivityState(context.config().validate());
    Dataset<Row> daily = validator.outcomeActivity(warehouse.read("user_daily_activity"));
    ActivityState.Refresh refresh = state.refresh(warehouse, daily, context.fingerprintTexts(), asOf,
        replayed == null);
    try {
      return validate(warehouse, validator, state, daily, refresh);
    } finally {
      refresh.release(); // the state kept in memory for the outcomes and the cell days
    }
  }

  private StepResult validate(Warehouse warehouse, OutcomeValidator validator, ActivityState state,
      Dataset<Row> daily, ActivityState.Refresh refresh) {
    Dataset<Row> membership = warehouse.read("segment_membership").where(col("as_of_date").leq(Date.valueOf(asOf)));
    String message = null;
    // segment_outcomes notes its rule and the state it agrees with: a rerun after a crash between the state's write
    // and this one finds it behind, and recomputes every cohort rather than lose what the late days changed.
    String rule = validator.outcomeRule();
    String stored = warehouse.exists("segment_outcomes") ? warehouse.note("segment_outcomes") : null;
    boolean sameRule = stored != null && stored.startsWith(rule + "\n");
    String note = rule + "\n" + ActivityState.follows(refresh.after());
    boolean behind = !(rule + "\n" + ActivityState.follows(refresh.before())).equals(stored);
    Dataset<Row> outcomes;
    if (replayed == null || refresh.rebuilt() || behind) {
      outcomes = validator.outcomes(membership, daily, asOf);
      if (replayed != null) {
        message = "recomputed the outcomes of all cohorts (" + (sameRule
            ? "the rollup's history, or the state they follow, changed"
            : "written by another rule than: " + rule) + ")";
      }
    } else {
      java.util.SortedSet<LocalDate> newDays = new java.util.TreeSet<>(replayed);
      for (LocalDate day = refresh.previousAsOf().plusDays(1); !day.isAfter(asOf); day = day.plusDays(1)) {
        newDays.add(day);
      }
      java.util.SortedSet<LocalDate> days = new java.util.TreeSet<>(validator.changedCohorts(List.copyOf(newDays)));
      days.addAll(validator.cohortsReaching(refresh.changedDays()));
      List<Date> cohorts = days.stream().map(Date::valueOf).toList();
      Date first = cohorts.get(0);
      Dataset<Row> members = membership.where(Warehouse.in("as_of_date", cohorts));
      Dataset<Row> recomputed = first.toLocalDate().isBefore(state.windowFrom(asOf))
          ? validator.outcomes(members, daily.where(col("activity_date").geq(first)), asOf)
          : validator.outcomesFromState(members, refresh.state(), asOf);
      // The table is small (segments x cohort days): rewritten whole, from the rows kept (detached: planned before
      // this write replaces them) and those recomputed, which the checks then read.
      outcomes = Detached.of(warehouse.read("segment_outcomes")
          .where(org.apache.spark.sql.functions.not(Warehouse.in("cohort_date", cohorts))
              .or(col("cohort_date").isNull()))).unionByName(recomputed);
      message = "recomputed the outcomes of " + cohorts.size() + " cohort days" + (refresh.changedDays().isEmpty()
          ? "" : " (late events for " + refresh.changedDays().size() + " earlier day"
              + (refresh.changedDays().size() == 1 ? "" : "s") + ")");
    }
    outcomes = outcomes.persist(org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK());
    List<Check> checks;
    Long written;
    try {
      warehouse.overwriteNoting(outcomes, "segment_outcomes", note);
      written = warehouse.rowsWritten("segment_outcomes");
      retentionTriangle(warehouse, validator, daily, refresh);
      Map<String, Long> sizes = context.segmentSizes(asOf);
      if (sizes == null) {
        sizes = io.segments.publish.AudiencePublisher.sizes(membership.where(Warehouse.on("as_of_date", asOf)));
      }
      checks = validator.checks(outcomes, sizes, context.knownUserCount(asOf), asOf);
    } finally {
      outcomes.unpersist();
    }
    List<String> failed = Check.texts(checks.stream().filter(c -> c.level() == Check.Level.WARNING).toList());
    if (context.config().validate().gate() && !failed.isEmpty()) {
      throw new PublishGuardException("validation gate: " + failed.size() + " check(s) failed, nothing was"
          + " published:\n  " + String.join("\n  ", failed),
          "revise the segments, or set validate.gate: false in " + context.config().file());
    }
    return new StepResult(null, written, Check.texts(checks), message);
  }

  /**
   * {@code retention_cohorts}, summed from {@code retention_cell_days}, whose rows a daily run replaces only for
   * the days the state read again. Each records the state it follows, so after a crash between writes the next
   * run sees which one is behind: cell days that follow neither the old nor the new state are rebuilt from all
   * history.
   */
  private void retentionTriangle(Warehouse warehouse, OutcomeValidator validator, Dataset<Row> daily,
      ActivityState.Refresh refresh) {
    String follows = ActivityState.follows(refresh.after());
    String cells = warehouse.exists(CELL_DAYS) ? warehouse.note(CELL_DAYS) : null;
    if (!follows.equals(cells)) {
      if (!refresh.rebuilt() && cells != null && cells.equals(ActivityState.follows(refresh.before()))) {
        Dataset<Row> days = OutcomeValidator.activeUserDaysFromState(refresh.state(), refresh.changedFrom());
        // The cell days follow the state before: they hold no day after its as-of day, so a first changed day
        // after it (a daily run's new day) is appended, without Delta reading the table's file list.
        boolean after = refresh.changedFrom().isAfter(refresh.previousAsOf());
        warehouse.replaceWhereNoting(validator.retentionCellDays(days), CELL_DAYS,
            after ? null : col("activity_date").geq(Date.valueOf(refresh.changedFrom())), follows);
      } else {
        warehouse.overwriteNoting(validator.retentionCellDays(validator.activeUserDays(daily, asOf)), CELL_DAYS,
            follows);
      }
    }
    retentionCohortsView(warehouse);
  }

  /**
   * {@code retention_cohorts}: a view summing {@code retention_cell_days} (a small table), so it follows the cell
   * days with no write of its own. Created once; a table of that name, written by runs before 2026-12, is dropped
   * first (its rows are the view's).
   */
  static void retentionCohortsView(Warehouse warehouse) {
    String select = io.segments.io.SqlFiles.text("marts/retention_cohorts.sql").lines()
        .filter(line -> !line.startsWith("--")).collect(java.util.stream.Collectors.joining("\n"))
        .replace("from retention_cell_days", "from " + warehouse.quoted(CELL_DAYS)).strip();
    if (warehouse.exists("retention_cohorts") && !warehouse.ddl().isView("retention_cohorts")) {
      warehouse.ddl().dropIfExists("retention_cohorts");
    }
    warehouse.ddl().view("retention_cohorts", select);
  }
}
