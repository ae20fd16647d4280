package io.segments.features.kinds;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count_distinct;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import io.segments.config.FeatureSpec;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** {@code distinct}: how many different event names of the feature's list within its window; 0 without any. */
final class DistinctKind implements Kind {
  @Override
  public Carried carried(FeatureSpec spec) {
    return null;
  }

  @Override
  public List<Column> aggregates(FeatureSpec spec) {
    return List.of(count_distinct(when(Kind.counted(spec), col("event_name"))).as(spec.name()));
  }

  @Override
  public Dataset<Row> finish(FeatureSpec spec, Dataset<Row> result) {
    return result.withColumn(spec.name(), coalesce(col(spec.name()), lit(0L)));
  }
}
