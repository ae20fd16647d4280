package io.segments.features.kinds;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.segments.config.FeatureSpec;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** {@code share}: the share of the window's events that fell on the chosen ISO days of week; null without any. */
final class ShareKind implements Kind {
  @Override
  public Carried carried(FeatureSpec spec) {
    String name = spec.name();
    return new Carried(List.of(
            Carried.events(name + "__part_events", Kind.matches(spec).and(chosen(spec)), spec.windowDays()),
            Carried.events(name + "__all_events", Kind.matches(spec), spec.windowDays())),
        List.of(col(name + "__part_events").as(name + "__part"), col(name + "__all_events").as(name + "__all")));
  }

  @Override
  public List<Column> aggregates(FeatureSpec spec) {
    return List.of(sum(when(Kind.counted(spec).and(chosen(spec)), col("event_count"))).as(spec.name() + "__part"),
        sum(when(Kind.counted(spec), col("event_count"))).as(spec.name() + "__all"));
  }

  @Override
  public Dataset<Row> finish(FeatureSpec spec, Dataset<Row> result) {
    String name = spec.name();
    return result.withColumn(name,
        when(col(name + "__all").gt(0), coalesce(col(name + "__part"), lit(0L)).divide(col(name + "__all"))));
  }

  /** Rollup rows on the chosen days of the week (1 Monday .. 7 Sunday). */
  private static Column chosen(FeatureSpec spec) {
    return expr("(dayofweek(activity_date) + 5) % 7 + 1").isin(spec.daysOfWeek().toArray());
  }
}
