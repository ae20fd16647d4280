package io.segments.features.kinds;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.datediff;

import io.segments.config.FeatureSpec;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** {@code tenure}: days since signup (source.users), or since first seen without a users table. */
final class TenureKind implements Kind {
  @Override
  public Carried carried(FeatureSpec spec) {
    return Carried.NOTHING;
  }

  @Override
  public Dataset<Row> finish(FeatureSpec spec, Dataset<Row> result) {
    return result.withColumn(spec.name(),
        datediff(col("as_of_date"), coalesce(col("signup_on"), col("first_seen_on"))));
  }
}
