package io.segments.features.kinds;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.segments.config.FeatureSpec;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** {@code regularly}: whether at least {@code min_periods} of the last {@code periods} periods were active. */
final class RegularlyKind implements Kind {
  @Override
  public Carried carried(FeatureSpec spec) {
    return null;
  }

  @Override
  public Periodic periodic(FeatureSpec spec) {
    Column active = col(spec.name() + "__events").geq(spec.minEvents()).and(col("period_offset").lt(spec.periods()));
    return new Periodic(spec.weekly(), Kind.eventsPerPeriod(spec),
        sum(when(active, 1).otherwise(0)).as(spec.name() + "__active"));
  }

  @Override
  public Dataset<Row> finish(FeatureSpec spec, Dataset<Row> result) {
    return result.withColumn(spec.name(), coalesce(col(spec.name() + "__active"), lit(0)).geq(spec.minPeriods()));
  }
}
