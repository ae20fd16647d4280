package io.segments.rollup;

import io.segments.config.PropertyFilters;
import io.segments.ledger.RunLedger.Step;
import io.segments.ledger.RunLedger.StepResult;
import io.segments.stage.EventStager;
import io.segments.step.StepContext;
import java.time.LocalDate;
import java.util.List;

/** The rollup step; writes {@code user_daily_activity} and {@code rollup_fingerprints} ({@link DailyRollup}). */
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
    List<String> properties = PropertyFilters.properties(context.config().features());
    boolean otherProperties = DailyRollup.carriesOther(context.warehouse(), properties);
    DailyRollup.Refresh refresh = DailyRollup.refresh(context.warehouse(), staged.events(), full || otherProperties,
        readFrom, asOf);
    String note = refresh.full()
        ? "full rebuild of " + refresh.daysTotal() + " days" + (otherProperties ? " (the event properties that where"
            + " conditions name changed; now carried: " + (properties.isEmpty() ? "none" : properties) + ")" : "")
        : "recomputed " + refresh.daysRecomputed() + " of " + refresh.daysTotal() + " days";
    return new StepResult(refresh.events(), refresh.rows(), List.of(), note);
  }
}
