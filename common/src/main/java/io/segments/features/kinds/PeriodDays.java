package io.segments.features.kinds;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.segments.config.FeatureSpec;
import java.sql.Date;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;

/**
 * What the period kinds ({@code streak}, {@code regularly}) carry, seen from one user's days in
 * {@code user_feature_state}'s move (rows ordered by {@code day_number}): the events of the day's period so far and
 * of the period before, and the day a period becomes active (reaches {@code min_events}). A period is a day or an
 * ISO week (Monday first; day number 0, 1970-01-01, is a Thursday). A period becomes active on one day at most,
 * so counting those days counts active periods, and the last of them that follows an inactive period is where
 * the current run began.
 */
final class PeriodDays {
  private final FeatureSpec spec;
  private final String events;

  /** @param events the name of the per-day aggregate holding the day's events of the feature */
  PeriodDays(FeatureSpec spec, String events) {
    this.spec = spec;
    this.events = events;
  }

  /** The per-day aggregate: the day's events of the feature's names. */
  Column perDay() {
    return sum(when(Kind.matches(spec.events()), col("event_count"))).as(events);
  }

  /** Days in a period: 7 for weeks, 1 for days. */
  int length() {
    return spec.weekly() ? 7 : 1;
  }

  /** The rollup days a day's values look back on: its period so far, and the period before when asked. */
  int lookback(boolean previous) {
    return (previous ? length() : 0) + length() - 1;
  }

  /** Whether the day's period has at least {@code min_events} events by the end of the day. */
  Column active() {
    return soFar().geq(spec.minEvents());
  }

  /** Whether the day's period became active on it (it had fewer events by the day before). */
  Column becameActive() {
    return active().and(soFar().minus(day()).lt(spec.minEvents()));
  }

  /** Whether the period before the day's was not active. */
  Column afterAnInactivePeriod() {
    return byDayOfPeriod(d -> coalesce(sum(day()).over(Window.partitionBy("user_id").orderBy("day_number")
        .rangeBetween(-(d + length()), -(d + 1))), lit(0L))).lt(spec.minEvents());
  }

  /** The period number of a date (days since 1970-01-01, or ISO weeks since). */
  static Column period(Column date, boolean weekly) {
    Column day = dayNumber(date);
    return weekly ? floor(day.plus(3).divide(7)).cast(DataTypes.IntegerType) : day;
  }

  /** The day's place in its period: 0 on a Monday (or on any day, for days) to 6 on a Sunday. */
  static Column dayOfPeriod(Column date, boolean weekly) {
    return weekly ? weekday(dayNumber(date)) : lit(0);
  }

  private static Column dayNumber(Column date) {
    return datediff(date, lit(Date.valueOf("1970-01-01")));
  }

  /** 0 on a Monday to 6 on a Sunday, of a day number. */
  private static Column weekday(Column dayNumber) {
    return pmod(dayNumber.plus(3), lit(7));
  }

  private Column day() {
    return coalesce(col(events), lit(0L));
  }

  private Column soFar() {
    return byDayOfPeriod(d -> sum(day()).over(Window.partitionBy("user_id").orderBy("day_number")
        .rangeBetween(-d, 0)));
  }

  /** One window per place in the period (a range frame has fixed bounds), the one of the day's place chosen. */
  private Column byDayOfPeriod(java.util.function.IntFunction<Column> frame) {
    if (!spec.weekly()) {
      return frame.apply(0);
    }
    Column place = weekday(col("day_number"));
    Column chosen = null;
    for (int d = 0; d < length(); d++) {
      chosen = chosen == null ? when(place.equalTo(d), frame.apply(d)) : chosen.when(place.equalTo(d), frame.apply(d));
    }
    return chosen;
  }
}
