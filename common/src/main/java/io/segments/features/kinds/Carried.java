package io.segments.features.kinds;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.when;

import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * What a kind carries per user from one day to the next in {@code user_feature_state}, so that a daily run reads
 * the rollup rows of the new days and of the days that leave each window, and one state row per user, never all
 * history: its quantities, and the columns its {@link Kind#finish} reads, computed from the quantities' values on
 * the as-of day (each a column of the quantity's name, beside {@code as_of_date} and {@code first_seen_on}; the
 * signups are joined after). Only rollup rows feed a quantity, never {@code days_ago}: the window is the
 * quantity's.
 */
public record Carried(List<Quantity> quantities, List<Column> columns) {
  /** Revenue sums are exact decimals, so a sum carried day by day equals the sum over all history. */
  public static final DataType MONEY = DataTypes.createDecimalType(28, 8);

  /** A kind whose columns follow from first_seen_on, signup_on or other features alone (tenure, expressions). */
  static final Carried NOTHING = new Carried(List.of(), List.of());

  public enum Fold {
    /**
     * The values of the days whose days_ago is in [from, to), to 0 for all history: a day's move adds the days
     * that enter the window and subtracts those that leave it.
     */
    SUM,
    /** The first day whose value is true, over all history. */
    FIRST_DAY,
    /** The last day whose value is true, over all history. */
    LAST_DAY,
    /**
     * The least value that is not null, over all history: of a struct led by the day, the value of the first day
     * that has one.
     */
    EARLIEST
  }

  /**
   * One carried value of type {@code type}. Per (user, day): the {@code perDay} aggregates over the day's rollup
   * rows, then {@code value} over those, which may look back up to {@code lookback} days (a window over the
   * user's days, ordered by {@code day_number}); then folded over the days ({@link Fold}). A first or last day or
   * an earliest value with {@code from} > 0 folds only the days at least {@code from} days back, whose value may
   * look ahead that far (a day whose fate is known {@code from} days later).
   */
  public record Quantity(String name, Fold fold, DataType type, List<Column> perDay, Column value, int from, int to,
      int lookback) {}

  /** Events of the rows within the last {@code windowDays} days (all history when 0). */
  static Quantity events(String name, Column rows, int windowDays) {
    return sum(name, when(rows, col("event_count")), DataTypes.LongType, 0, windowDays);
  }

  /** Revenue of the rows within the last {@code windowDays} days (all history when 0), as {@link #MONEY}. */
  static Quantity revenue(String name, Column rows, int windowDays) {
    return sum(name, when(rows, money(col("revenue_usd"))), MONEY, 0, windowDays);
  }

  /** The sum of {@code perRow} over the rows of the days whose days_ago is in [from, to). */
  static Quantity sum(String name, Column perRow, DataType type, int from, int to) {
    return new Quantity(name, Fold.SUM, type, List.of(org.apache.spark.sql.functions.sum(perRow).as(name + "__day")),
        coalesce(col(name + "__day"), lit(0)).cast(type), from, to, 0);
  }

  /** Days with one of the rows within the last {@code windowDays} days (all history when 0). */
  static Quantity days(String name, Column rows, int windowDays) {
    return new Quantity(name, Fold.SUM, DataTypes.LongType, List.of(max(when(rows, lit(1L))).as(name + "__day")),
        coalesce(col(name + "__day"), lit(0L)), 0, windowDays, 0);
  }

  /** The first day with one of the rows. */
  static Quantity firstDay(String name, Column rows) {
    return new Quantity(name, Fold.FIRST_DAY, DataTypes.DateType,
        List.of(max(when(rows, lit(true))).as(name + "__day")), coalesce(col(name + "__day"), lit(false)), 0, 0, 0);
  }

  /** The last day with one of the rows. */
  static Quantity lastDay(String name, Column rows) {
    return lastDayOf(name, List.of(max(when(rows, lit(true))).as(name + "__day")), col(name + "__day"), 0);
  }

  /**
   * The last day whose {@code value} is true: a condition over the day's {@code perDay} aggregates (of this or
   * another quantity), which may look back {@code lookback} days.
   */
  static Quantity lastDayOf(String name, List<Column> perDay, Column value, int lookback) {
    return new Quantity(name, Fold.LAST_DAY, DataTypes.DateType, perDay, coalesce(value, lit(false)), 0, 0, lookback);
  }

  /** A revenue value as {@link #MONEY}: the old path sums it the same way, so both give the same double. */
  public static Column money(Column revenue) {
    return revenue.cast(MONEY);
  }

  /** A carried sum of events as the aggregate's null when there was none (each rollup row counts 1 or more). */
  static Column orNull(String quantity) {
    return when(col(quantity).notEqual(0), col(quantity));
  }
}
