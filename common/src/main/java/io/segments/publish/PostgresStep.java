package io.segments.publish;

import io.segments.config.PostgresSinkConfig;
import io.segments.ledger.RunLedger.Step;
import io.segments.ledger.RunLedger.StepResult;
import io.segments.step.StepContext;
import java.util.List;

/** The postgres step ({@code --sink postgres}): applies the changes of audience_members to the sink's table. */
public final class PostgresStep implements Step {
  private final StepContext context;

  public PostgresStep(StepContext context) {
    this.context = context;
  }

  @Override
  public StepResult run() {
    PostgresSinkConfig sink = context.config().postgres();
    PostgresSink.Sync sync = new PostgresSink(sink).sync(context.warehouse());
    String note = sync.fullLoad()
        ? "full load of version " + sync.toVersion() + " into " + sink.table()
        : "applied versions " + (sync.fromVersion() + 1) + ".." + sync.toVersion() + " to " + sink.table();
    return new StepResult(null, sync.deleted() + sync.upserted(),
        sync.warning() == null ? List.of() : List.of(sync.warning()), note);
  }
}
