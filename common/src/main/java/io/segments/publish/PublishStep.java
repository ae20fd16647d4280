package io.segments.publish;

import io.segments.config.ConfigException;
import io.segments.io.Warehouse;
import io.segments.ledger.RunLedger.Step;
import io.segments.ledger.RunLedger.StepResult;
import io.segments.step.StepContext;
import java.time.LocalDate;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The publish step; writes {@code audience_members}, {@code user_segments}, {@code segment_catalog} and the
 * audience views ({@link AudiencePublisher}), after the churn guard (exit 4).
 */
public final class PublishStep implements Step {
  private final StepContext context;
  private final LocalDate asOf;
  private final boolean allowLargeChange;

  public PublishStep(StepContext context, LocalDate asOf, boolean allowLargeChange) {
    this.context = context;
    this.asOf = asOf;
    this.allowLargeChange = allowLargeChange;
  }

  /** Before the step: D has segment state (exit 2 naming the last day that has), so nothing empty is published. */
  public PublishStep requireState(LocalDate lastStateDay) {
    if (lastStateDay == null || lastStateDay.isBefore(asOf)) {
      throw new ConfigException("publish --as-of " + asOf, "there is no segment membership for " + asOf
          + (lastStateDay == null ? " (no day has segment state yet)"
              : "; the last day with segment state is " + lastStateDay),
          "run the day first: run --as-of " + asOf + " (or publish --as-of "
              + (lastStateDay == null ? "D" : lastStateDay) + ")");
    }
    return this;
  }

  @Override
  public StepResult run() {
    Warehouse warehouse = context.warehouse();
    AudiencePublisher publisher = new AudiencePublisher(context.config());
    // Read from the table, not the rows the segments step wrote: at 200,000 users a publish from those (kept in memory)
    // took 3.5-7.3 s longer than one from the table (docs/performance.md). Cached here: the plan's two queries
    // (audiences, user_segments) read it, planned once.
    Dataset<Row> daily = warehouse.read("segment_membership").where(Warehouse.on("as_of_date", asOf))
        .persist(org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK());
    AudiencePublisher.Plan plan;
    try {
      // The event-refreshed segments as the stream has them since (their users may be new since asOf).
      Dataset<Row> membership = io.segments.stream.LiveView.overlay(warehouse, context.config(), daily, asOf);
      Dataset<Row> known = membership == daily ? context.knownUsers(asOf)
          : context.knownUsers(asOf).unionByName(membership.select("user_id")).distinct();
      Map<String, Long> sizes = membership == daily ? context.segmentSizes(asOf) : null;
      plan = publisher.plan(warehouse, membership, known, context.knownUserCount(asOf),
          sizes != null ? sizes : AudiencePublisher.sizes(membership), context.users(), asOf);
      try {
        publisher.guard(plan, allowLargeChange);
        publisher.write(warehouse, plan, asOf, context.runId());
      } finally {
        plan.audienceMembers().unpersist();
        plan.userSegments().unpersist();
      }
    } finally {
      daily.unpersist();
    }
    long published = plan.newSizes().values().stream().mapToLong(Long::longValue).sum();
    return new StepResult(plan.base(), published, plan.notes(), null);
  }
}
