package io.segments.features.kinds;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.segments.config.FeatureSpec;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;

/** {@code regularly}: whether at least {@code min_periods} of the last {@code periods} periods were active. */
final class RegularlyKind implements Kind {
  /**
   * Carried as the days a period became active within the last {@code periods} periods, a sum over a window of
   * days: for weeks, one window per weekday of the as-of day (the periods' first day is a Monday), the one of
   * the as-of day's weekday read.
   */
  @Override
  public Carried carried(FeatureSpec spec) {
    String p = spec.name();
    PeriodDays days = new PeriodDays(spec, p + "__periods__events");
    Column became = when(coalesce(days.becameActive(), lit(false)), 1L).otherwise(0L);
    List<Carried.Quantity> sums = new ArrayList<>();
    Column active = null;
    int length = days.length();
    for (int place = 0; place < length; place++) {
      String name = p + "__periods_" + place;
      sums.add(new Carried.Quantity(name, Carried.Fold.SUM, DataTypes.LongType,
          place == 0 ? List.of(days.perDay()) : List.of(), became, 0, length * (spec.periods() - 1) + place + 1,
          days.lookback(false)));
      Column today = PeriodDays.dayOfPeriod(col("as_of_date"), spec.weekly()).equalTo(place);
      active = active == null ? when(today, col(name)) : active.when(today, col(name));
    }
    return new Carried(sums, List.of(active.as(p + "__active")));
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
