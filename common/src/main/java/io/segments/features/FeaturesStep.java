package io.segments.features;

import io.segments.io.Warehouse;
import io.segments.ledger.RunLedger.Step;
import io.segments.ledger.RunLedger.StepResult;
import io.segments.step.StepContext;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The features step; writes {@code user_features} for the days of a replay chunk, from the rollup. A feature
 * added since the table was written becomes a new column, null on the days before it existed. A chunk of one
 * day whose features are all carried is computed from {@code user_feature_state} ({@link FeatureState}), which
 * the step keeps; {@code rebuild} (a full run or a backfill) rebuilds it from all history. A chunk of several days
 * is computed from all history and leaves the state as it is. What it read is counted in events, those of the rollup
 * days it read (their fingerprints), which needs no count of its own.
 */
public final class FeaturesStep implements Step {
  private final StepContext context;
  private final List<LocalDate> days;
  private final boolean rebuild;

  public FeaturesStep(StepContext context, List<LocalDate> days, boolean rebuild) {
    this.context = context;
    this.days = days;
    this.rebuild = rebuild;
  }

  @Override
  public StepResult run() {
    Warehouse warehouse = context.warehouse();
    Dataset<Row> activity = warehouse.read("user_daily_activity");
    FeatureBuilder builder = new FeatureBuilder(context.config().features(), context.config().rfmMap(),
        context.config().source().vocabulary());
    FeatureState state = days.size() == 1 ? builder.state(context.config().source().lookbackDays()) : null;
    FeatureState.Computed carried = state == null ? null
        : state.compute(warehouse, activity, days.get(0), context.fingerprintTexts(), rebuild);
    long read;
    try {
      Dataset<Row> features;
      if (carried != null) {
        features = builder.build(carried.columns(), context.signups(), days.get(0));
        read = carried.eventsRead();
      } else {
        features = builder.build(activity, context.signups(), days);
        LocalDate last = days.get(days.size() - 1);
        read = context.fingerprints().entrySet().stream().filter(e -> !e.getKey().toLocalDate().isAfter(last))
            .mapToLong(e -> e.getValue()[0]).sum();
      }
      if (days.size() == 1) {
        // A day's features are kept in memory as written (the write computes them): the steps after this one read
        // them there, not the table's new version. A replay of several days is not kept (its size is history's).
        features = features.persist(org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK());
        context.featuresWritten(days.get(0), features);
      }
      io.segments.io.DayPartitions.replace(warehouse, features, "user_features", "as_of_date", days, true);
    } finally {
      if (carried != null) {
        carried.release(); // the day's features are in memory now (or the step failed)
      }
    }
    Long rows = warehouse.rowsWritten("user_features");
    if (rows == null) { // a commit without Delta's row count: count what was written
      rows = warehouse.read("user_features").where(Warehouse.between("as_of_date", days)).count();
    }
    if (days.size() == 1) {
      context.knownUserCount(days.get(0), rows);
    }
    return StepResult.of(read, rows);
  }
}
