package io.segments.features.kinds;

import io.segments.config.ConfigException;
import io.segments.config.ExpressionPolicy;
import io.segments.config.FeatureSpec;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * {@code expression}: Spark SQL over other features of the same row, checked by {@link ExpressionPolicy};
 * finished after every other kind, in dependency order.
 */
final class ExpressionKind implements Kind {
  @Override
  public Carried carried(FeatureSpec spec) {
    return Carried.NOTHING;
  }

  @Override
  public Dataset<Row> finish(FeatureSpec spec, Dataset<Row> result) {
    try {
      Dataset<Row> next = result.withColumn(spec.name(), ExpressionPolicy.column(spec.expression()));
      next.schema();
      return next;
    } catch (ConfigException e) {
      throw e;
    } catch (Exception e) {
      String message = e.getMessage() == null ? e.toString() : e.getMessage().strip().split("\n")[0];
      throw new ConfigException(spec.where(), "feature '" + spec.name() + "': expression '" + spec.expression()
          + "' is invalid: " + message, "refer only to features declared before or after it, with Spark SQL syntax");
    }
  }
}
