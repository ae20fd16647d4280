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
 * added since the table was written becomes a new column, null on the days before it existed.
 */
public final class FeaturesStep implements Step {
  private final StepContext context;
  private final List<LocalDate> days;

  public FeaturesStep(StepContext context, List<LocalDate> days) {
    this.context = context;
    this.days = days;
  }

  @Override
  public StepResult run() {
    Warehouse warehouse = context.warehouse();
    Dataset<Row> activity = warehouse.read("user_daily_activity");
    Dataset<Row> features = new FeatureBuilder(context.config().features(), context.config().rfmMap())
        .build(activity, context.signups(), days);
    warehouse.replaceWhereEvolving(features, "user_features", Warehouse.between("as_of_date", days), "as_of_date");
    long rows = warehouse.read("user_features").where(Warehouse.between("as_of_date", days)).count();
    return StepResult.of(activity.count(), rows);
  }
}
