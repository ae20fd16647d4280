package io.segments.features.kinds;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.segments.config.FeatureSpec;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;

/**
 * {@code trend}: the daily rate of the window's events over the daily rate of the {@code previous_days} before
 * it; null when the earlier period had none.
 */
final class TrendKind implements Kind {
  @Override
  public Carried carried(FeatureSpec spec) {
    String name = spec.name();
    int w = spec.windowDays();
    return new Carried(List.of(Carried.events(name + "__recent_events", Kind.matches(spec), w),
            Carried.sum(name + "__earlier_events", when(Kind.matches(spec.events()), col("event_count")),
                DataTypes.LongType, w, w + spec.previousDays())),
        List.of(Carried.orNull(name + "__recent_events").as(name + "__recent"),
            Carried.orNull(name + "__earlier_events").as(name + "__earlier")));
  }

  @Override
  public List<Column> aggregates(FeatureSpec spec) {
    Column earlier = col("days_ago").geq(spec.windowDays())
        .and(col("days_ago").lt(spec.windowDays() + spec.previousDays()));
    return List.of(sum(when(Kind.counted(spec), col("event_count"))).as(spec.name() + "__recent"),
        sum(when(Kind.matches(spec.events()).and(earlier), col("event_count"))).as(spec.name() + "__earlier"));
  }

  @Override
  public Dataset<Row> finish(FeatureSpec spec, Dataset<Row> result) {
    String name = spec.name();
    return result.withColumn(name, when(col(name + "__earlier").gt(0),
        col(name + "__recent").divide(lit(spec.windowDays()))
            .divide(col(name + "__earlier").divide(lit(spec.previousDays())))));
  }
}
