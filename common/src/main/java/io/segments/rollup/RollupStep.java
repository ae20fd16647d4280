package io.segments.rollup;

import io.segments.ledger.RunLedger.Step;
import io.segments.ledger.RunLedger.StepResult;
import io.segments.stage.EventStager;
import io.segments.step.StepContext;
import java.time.LocalDate;
import java.util.List;

/** The rollup step; writes {@code user_daily_activity}, its commits noting the fingerprints ({@link DailyRollup}). */
public final class RollupStep implements Step {
  private final StepContext context;
  private final EventStager.Staged staged;
  private final boolean full;
  private final LocalDate readFrom;
  private final LocalDate asOf;

  public RollupStep(StepContext context, EventStager.Staged staged, boolean full, LocalDate readFrom,
      LocalDate asOf) {
    this.context = context;
    this.staged = staged;
    this.full = full;
    this.readFrom = readFrom;
    this.asOf = asOf;
  }

  @Override
  public StepResult run() {
    boolean otherwise = DailyRollup.readsOtherwise(context.warehouse(), context.config());
    DailyRollup.Refresh refresh = DailyRollup.refresh(context.warehouse(), staged.events(), full || otherwise,
        readFrom, asOf, context.fingerprints());
    context.fingerprints(refresh.stored());
    DailyRollup.recordRule(context.warehouse(), context.config());
    String note = refresh.full()
        ? "full rebuild of " + refresh.daysTotal() + " days" + (otherwise ? " (the source is read by another rule than"
            + " the stored rollup was: " + DailyRollup.rule(context.config()) + ")" : "")
        : "recomputed " + refresh.daysRecomputed() + " of " + refresh.daysTotal() + " days";
    return new StepResult(refresh.events(), refresh.rows(), List.of(), note);
  }
}
