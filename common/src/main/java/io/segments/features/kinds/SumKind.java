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
import org.apache.spark.sql.types.DataTypes;

/** {@code sum}: revenue of the feature's events within its window; 0.0 without any. */
final class SumKind implements Kind {
  @Override
  public Carried carried(FeatureSpec spec) {
    return new Carried(List.of(Carried.revenue(spec.name() + "__revenue", Kind.matches(spec), spec.windowDays())),
        List.of(col(spec.name() + "__revenue").cast(DataTypes.DoubleType).as(spec.name())));
  }

  @Override
  public List<Column> aggregates(FeatureSpec spec) {
    return List.of(sum(when(Kind.counted(spec), Carried.money(col("revenue_usd")))).cast(DataTypes.DoubleType)
        .as(spec.name()));
  }

  @Override
  public Dataset<Row> finish(FeatureSpec spec, Dataset<Row> result) {
    return result.withColumn(spec.name(), coalesce(col(spec.name()), lit(0.0)));
  }
}
