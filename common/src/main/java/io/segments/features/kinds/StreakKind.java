package io.segments.features.kinds;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.when;

import io.segments.config.FeatureSpec;
import io.segments.config.Identifiers;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;

/**
 * {@code streak}: the run of active periods (days or ISO weeks with at least {@code min_events}) ending with the
 * period that contains the as-of day; 0 when that period is not active.
 */
final class StreakKind implements Kind {
  @Override
  public Carried carried(FeatureSpec spec) {
    return null;
  }

  @Override
  public Periodic periodic(FeatureSpec spec) {
    return new Periodic(spec.weekly(), Kind.eventsPerPeriod(spec), collect_set(when(
        col(spec.name() + "__events").geq(spec.minEvents()), col("period_offset"))).as(spec.name() + "__active"));
  }

  @Override
  public Dataset<Row> finish(FeatureSpec spec, Dataset<Row> result) {
    return result.withColumn(spec.name(), expr(String.format(
        "coalesce(array_min(array_except(sequence(0, size(coalesce(%1$s, array()))), coalesce(%1$s, array()))), 0)",
        Identifiers.spark(spec.name() + "__active"))).cast(DataTypes.IntegerType));
  }
}
