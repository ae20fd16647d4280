package io.segments.features.kinds;

import static org.apache.spark.sql.functions.ceil;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.cume_dist;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.segments.config.ExpressionPolicy;
import io.segments.config.FeatureSpec;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.types.DataTypes;

/**
 * {@code rfm}: recency, frequency and monetary value within the window, scored ceil(5 x cume_dist) over the
 * users active in it (better values scoring higher), their code (r*100 + f*10 + m) and the first named segment
 * of {@code rfm_map} whose condition holds.
 */
final class RfmKind implements Kind {
  private final List<Map.Entry<String, String>> rfmMap;

  RfmKind(List<Map.Entry<String, String>> rfmMap) {
    this.rfmMap = List.copyOf(rfmMap);
  }

  @Override
  public Carried carried(FeatureSpec spec) {
    String p = spec.name();
    Column last = col(p + "__last");
    Column recency = datediff(col("as_of_date"), last);
    return new Carried(List.of(Carried.lastDay(p + "__last", Kind.matches(spec)),
            Carried.events(p + "__events", Kind.matches(spec), spec.windowDays()),
            Carried.revenue(p + "__revenue", Kind.matches(spec), spec.windowDays())),
        List.of((spec.windowDays() == 0 ? recency : when(recency.lt(spec.windowDays()), recency))
                .as(p + "_recency_days"),
            col(p + "__events").as(p + "_frequency"),
            round(col(p + "__revenue").cast(DataTypes.DoubleType), 2).as(p + "_monetary")));
  }

  @Override
  public List<Column> aggregates(FeatureSpec spec) {
    Column counted = Kind.counted(spec);
    return List.of(min(when(counted, col("days_ago"))).as(spec.name() + "_recency_days"),
        sum(when(counted, col("event_count"))).as(spec.name() + "_frequency"),
        round(sum(when(counted, Carried.money(col("revenue_usd")))).cast(DataTypes.DoubleType), 2)
            .as(spec.name() + "_monetary"));
  }

  @Override
  public Dataset<Row> finish(FeatureSpec spec, Dataset<Row> result) {
    String p = spec.name();
    Column inPopulation = col(p + "_recency_days").isNotNull();
    WindowSpec byDay = Window.partitionBy("as_of_date", p + "__population");
    Dataset<Row> scored = result
        .withColumn(p + "__population", inPopulation)
        .withColumn(p + "_frequency", coalesce(col(p + "_frequency"), lit(0L)))
        .withColumn(p + "_monetary", coalesce(col(p + "_monetary"), lit(0.0)))
        .withColumn(p + "_r", score(inPopulation, byDay.orderBy(col(p + "_recency_days").desc())))
        .withColumn(p + "_f", score(inPopulation, byDay.orderBy(col(p + "_frequency"))))
        .withColumn(p + "_m", score(inPopulation, byDay.orderBy(col(p + "_monetary"))))
        .withColumn(p + "_code", col(p + "_r").multiply(100).plus(col(p + "_f").multiply(10)).plus(col(p + "_m"))
            .cast(DataTypes.IntegerType));
    Column named = lit(null).cast(DataTypes.StringType);
    for (int i = rfmMap.size() - 1; i >= 0; i--) {
      Column condition = ExpressionPolicy.column(rfmMap.get(i).getValue(),
          Map.of("r", p + "_r", "f", p + "_f", "m", p + "_m"));
      named = when(inPopulation.and(condition), lit(rfmMap.get(i).getKey())).otherwise(named);
    }
    return scored.withColumn(p + "_segment", named);
  }

  @Override
  public List<Column> output(FeatureSpec spec) {
    String p = spec.name();
    return List.of(col(p + "_recency_days").cast(DataTypes.IntegerType), col(p + "_frequency"), col(p + "_monetary"),
        col(p + "_r"), col(p + "_f"), col(p + "_m"), col(p + "_code"), col(p + "_segment"));
  }

  private static Column score(Column inPopulation, WindowSpec window) {
    return when(inPopulation, ceil(cume_dist().over(window).multiply(5)).cast(DataTypes.IntegerType));
  }
}
