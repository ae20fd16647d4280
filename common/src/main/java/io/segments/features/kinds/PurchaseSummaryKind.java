package io.segments.features.kinds;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.min_by;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.segments.config.FeatureSpec;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * {@code purchase_summary}: per user, the summary BG/NBD and Gamma-Gamma models expect, at daily granularity:
 * repeat purchase days, recency, age and the mean value of repeat purchase days.
 */
final class PurchaseSummaryKind implements Kind {
  @Override
  public Carried carried(FeatureSpec spec) {
    return null;
  }

  @Override
  public Dataset<Row> frame(FeatureSpec spec, Inputs inputs) {
    String p = spec.name();
    Dataset<Row> days = inputs.history().where(Kind.matches(spec.events()))
        .groupBy("as_of_date", "user_id", "activity_date").agg(sum("revenue_usd").as("day_revenue"));
    return days.groupBy("as_of_date", "user_id").agg(
            min("activity_date").as(p + "__first"),
            max("activity_date").as(p + "__last"),
            count("*").as(p + "__days"),
            sum("day_revenue").as(p + "__revenue"),
            min_by(col("day_revenue"), col("activity_date")).as(p + "__first_revenue"))
        .select(col("as_of_date"), col("user_id"),
            col(p + "__days").minus(1).as(p + "_frequency"),
            datediff(col(p + "__last"), col(p + "__first")).as(p + "_recency"),
            datediff(col("as_of_date"), col(p + "__first")).as(p + "_t"),
            when(col(p + "__days").gt(1),
                col(p + "__revenue").minus(col(p + "__first_revenue")).divide(col(p + "__days").minus(1)))
                .otherwise(lit(0.0)).as(p + "_monetary_value"));
  }
}
