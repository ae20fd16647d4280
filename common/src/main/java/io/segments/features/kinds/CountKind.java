package io.segments.features.kinds;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.segments.config.FeatureSpec;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * {@code count}: events of the feature's names within its window; 0 without any. With {@code first_days: K} only
 * the events of the user's first K days count (from {@link Kind#anchorDays}): a frame of its own.
 */
final class CountKind implements Kind {
  @Override
  public Carried carried(FeatureSpec spec) {
    return spec.firstDays() > 0 ? null : new Carried(
        List.of(Carried.events(spec.name() + "__events", Kind.matches(spec), spec.windowDays())),
        List.of(col(spec.name() + "__events").as(spec.name())));
  }

  @Override
  public List<Column> aggregates(FeatureSpec spec) {
    return spec.firstDays() > 0 ? List.of() : List.of(sum(when(Kind.counted(spec), col("event_count"))).as(spec.name()));
  }

  @Override
  public Dataset<Row> frame(FeatureSpec spec, Inputs inputs) {
    if (spec.firstDays() == 0) {
      return null;
    }
    return inputs.history().join(Kind.anchorDays(inputs.activity(), inputs.signups()), "user_id")
        .where(Kind.counted(spec).and(Kind.onFirstDays("activity_date", spec.firstDays())))
        .groupBy("as_of_date", "user_id").agg(sum("event_count").as(spec.name()));
  }

  @Override
  public Dataset<Row> finish(FeatureSpec spec, Dataset<Row> result) {
    return result.withColumn(spec.name(), coalesce(col(spec.name()), lit(0L)));
  }
}
