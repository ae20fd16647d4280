package io.segments.features.kinds;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.min_by;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.segments.config.FeatureSpec;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * {@code purchase_summary}: per user, the summary BG/NBD and Gamma-Gamma models expect, at daily granularity:
 * repeat purchase days, recency, age and the mean value of repeat purchase days. A purchase without revenue
 * counts 0; revenue sums are exact decimals.
 */
final class PurchaseSummaryKind implements Kind {
  /** The first purchase day and its revenue: a struct led by the day, so the least is the first day's. */
  private static final StructType OPENING = new StructType().add("day", DataTypes.DateType)
      .add("revenue", Carried.MONEY);

  /** Carried as the first and last purchase day, the purchase days, the revenue and the first day's revenue. */
  @Override
  public Carried carried(FeatureSpec spec) {
    String p = spec.name();
    Column rows = Kind.matches(spec.events());
    Carried.Quantity opening = new Carried.Quantity(p + "__opening", Carried.Fold.EARLIEST, OPENING,
        List.of(max(when(rows, lit(true))).as(p + "__opening__any"),
            sum(when(rows, Carried.money(col("revenue_usd")))).as(p + "__opening__revenue")),
        when(col(p + "__opening__any"), struct(col("activity_date").as("day"),
            coalesce(col(p + "__opening__revenue"), lit(0)).cast(Carried.MONEY).as("revenue"))), 0, 0, 0);
    Column days = col(p + "__days");
    return new Carried(List.of(Carried.firstDay(p + "__first", rows), Carried.lastDay(p + "__last", rows),
            Carried.days(p + "__days", rows, 0), Carried.revenue(p + "__revenue", rows, 0), opening),
        summary(p, when(days.gt(0), days), col(p + "__first"), col(p + "__last"), col(p + "__revenue"),
            col(p + "__opening.revenue")));
  }

  @Override
  public Dataset<Row> frame(FeatureSpec spec, Inputs inputs) {
    String p = spec.name();
    Dataset<Row> days = inputs.history().where(Kind.matches(spec.events()))
        .groupBy("as_of_date", "user_id", "activity_date")
        .agg(coalesce(sum(Carried.money(col("revenue_usd"))), lit(0)).cast(Carried.MONEY).as("day_revenue"));
    Dataset<Row> users = days.groupBy("as_of_date", "user_id").agg(
        min("activity_date").as(p + "__first"),
        max("activity_date").as(p + "__last"),
        count("*").as(p + "__days"),
        sum("day_revenue").as(p + "__revenue"),
        min_by(col("day_revenue"), col("activity_date")).as(p + "__first_revenue"));
    List<Column> columns = new java.util.ArrayList<>(List.of(col("as_of_date"), col("user_id")));
    columns.addAll(summary(p, col(p + "__days"), col(p + "__first"), col(p + "__last"), col(p + "__revenue"),
        col(p + "__first_revenue")));
    return users.select(columns.toArray(Column[]::new));
  }

  /** The four columns from the purchase days (null when none), their first and last, revenue and first revenue. */
  private static List<Column> summary(String p, Column days, Column first, Column last, Column revenue,
      Column firstRevenue) {
    return List.of(days.minus(1).as(p + "_frequency"),
        datediff(last, first).as(p + "_recency"),
        datediff(col("as_of_date"), first).as(p + "_t"),
        // decimal(28, 8) on both sides: the difference keeps every decimal, then one division in double
        when(days.gt(1), revenue.cast(Carried.MONEY).minus(firstRevenue.cast(Carried.MONEY)).cast(DataTypes.DoubleType)
            .divide(days.minus(1)))
            .when(days.equalTo(1), lit(0.0)).as(p + "_monetary_value"));
  }
}
