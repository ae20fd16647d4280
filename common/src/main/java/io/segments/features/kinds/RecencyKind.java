package io.segments.features.kinds;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.when;

import io.segments.config.FeatureSpec;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;

/** {@code recency}: days since the last of the feature's events (0 on its day); null when never. */
final class RecencyKind implements Kind {
  @Override
  public Carried carried(FeatureSpec spec) {
    return new Carried(List.of(Carried.lastDay(spec.name() + "__last", Kind.matches(spec))),
        List.of(datediff(col("as_of_date"), col(spec.name() + "__last")).as(spec.name())));
  }

  @Override
  public List<Column> aggregates(FeatureSpec spec) {
    return List.of(min(when(Kind.matches(spec), col("days_ago"))).as(spec.name()));
  }

  @Override
  public Dataset<Row> finish(FeatureSpec spec, Dataset<Row> result) {
    return result.withColumn(spec.name(), col(spec.name()).cast(DataTypes.IntegerType));
  }
}
