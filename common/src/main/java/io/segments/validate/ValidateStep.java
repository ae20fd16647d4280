package io.segments.validate;

import static org.apache.spark.sql.functions.col;

import io.segments.io.Warehouse;
import io.segments.ledger.RunLedger.Step;
import io.segments.ledger.RunLedger.StepResult;
import io.segments.step.PublishGuardException;
import io.segments.step.Check;
import io.segments.step.StepContext;
import java.sql.Date;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The validate step; writes {@code segment_outcomes} and {@code retention_cohorts}, then runs the method's checks
 * ({@link OutcomeValidator#checks}); with {@code validate.gate} a failed check (a warning; not a note that a check
 * could not run yet) stops the run before publishing (exit 4). Outcomes of all cohorts when {@code replayed} is null (a backfill, --full or the first time);
 * otherwise only of the cohorts whose row the replayed days can change: the new cohorts and those for which one
 * of the days completes an outcome's horizon ({@link OutcomeValidator#changedCohorts}).
 */
public final class ValidateStep implements Step {
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
    Dataset<Row> membership = warehouse.read("segment_membership").where(col("as_of_date").leq(Date.valueOf(asOf)));
    Dataset<Row> daily = validator.outcomeActivity(warehouse.read("user_daily_activity"));
    String message = null;
    if (replayed == null || !warehouse.exists("segment_outcomes")) {
      warehouse.overwrite(validator.outcomes(membership, daily, asOf), "segment_outcomes");
    } else {
      List<Date> cohorts = validator.changedCohorts(replayed).stream().map(Date::valueOf).toList();
      Date first = cohorts.stream().min(Date::compareTo).orElseThrow();
      warehouse.replaceWhere(validator.outcomes(membership.where(Warehouse.in("as_of_date", cohorts)),
          daily.where(col("activity_date").geq(first)), asOf), "segment_outcomes", Warehouse.in("cohort_date", cohorts));
      message = "recomputed the outcomes of " + cohorts.size() + " cohort days";
    }
    warehouse.overwrite(validator.retentionCohorts(daily, asOf), "retention_cohorts");
    Dataset<Row> outcomes = warehouse.read("segment_outcomes");
    Map<String, Long> sizes = new LinkedHashMap<>();
    membership.where(Warehouse.on("as_of_date", asOf)).groupBy("segment").count().collectAsList()
        .forEach(r -> sizes.put(r.getString(0), r.getLong(1)));
    List<Check> checks = validator.checks(outcomes, sizes, context.knownUsers(asOf).count(), asOf);
    List<String> failed = Check.texts(checks.stream().filter(c -> c.level() == Check.Level.WARNING).toList());
    if (context.config().validate().gate() && !failed.isEmpty()) {
      throw new PublishGuardException("validation gate: " + failed.size() + " check(s) failed, nothing was"
          + " published:\n  " + String.join("\n  ", failed),
          "revise the segments, or set validate.gate: false in " + context.config().file());
    }
    return new StepResult(null, outcomes.count(), Check.texts(checks), message);
  }
}
