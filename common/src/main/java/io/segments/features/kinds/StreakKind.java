package io.segments.features.kinds;

import static org.apache.spark.sql.functions.array_except;
import static org.apache.spark.sql.functions.array_min;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sequence;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.when;

import io.segments.config.FeatureSpec;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;

/**
 * {@code streak}: the run of active periods (days or ISO weeks with at least {@code min_events}) ending with the
 * period that contains the as-of day; 0 when that period is not active.
 */
final class StreakKind implements Kind {
  /**
   * Carried as the last day its period was active and the last day a period became active after an inactive one
   * (where the latest run began): the streak runs from that period to the current one when the current one is
   * active.
   */
  @Override
  public Carried carried(FeatureSpec spec) {
    String p = spec.name();
    PeriodDays days = new PeriodDays(spec, p + "__active__events");
    Carried.Quantity active = Carried.lastDayOf(p + "__active_on", List.of(days.perDay()), days.active(),
        days.lookback(false));
    Carried.Quantity runFrom = Carried.lastDayOf(p + "__run_from", List.of(),
        days.becameActive().and(days.afterAnInactivePeriod()), days.lookback(true));
    Column now = PeriodDays.period(col("as_of_date"), spec.weekly());
    Column streak = when(PeriodDays.period(col(p + "__active_on"), spec.weekly()).equalTo(now),
        now.minus(PeriodDays.period(col(p + "__run_from"), spec.weekly())).plus(1)).otherwise(0);
    return new Carried(List.of(active, runFrom), List.of(streak.cast(DataTypes.IntegerType).as(p + "__active")));
  }

  /** Per user, the smallest period offset (0: the current period) that is not active: the run's length. */
  @Override
  public Periodic periodic(FeatureSpec spec) {
    Column active = collect_set(when(col(spec.name() + "__events").geq(spec.minEvents()), col("period_offset")));
    return new Periodic(spec.weekly(), Kind.eventsPerPeriod(spec),
        array_min(array_except(sequence(lit(0), size(active)), active)).as(spec.name() + "__active"));
  }

  @Override
  public Dataset<Row> finish(FeatureSpec spec, Dataset<Row> result) {
    return result.withColumn(spec.name(), coalesce(col(spec.name() + "__active"), lit(0)).cast(DataTypes.IntegerType));
  }
}
