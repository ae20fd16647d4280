package io.segments.discover;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sequence;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.unix_timestamp;
import static org.apache.spark.sql.functions.when;

import io.segments.features.kinds.Kind;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;

/**
 * The candidate behaviors of discover's users, from the rollup rows of their first days: per user and event (and
 * value of a carried property), then one row per behavior a user shows ({@link Behavior}'s kinds).
 */
final class EarlyBehaviors {
  static final int MAX_TIMES = 5;
  /** Property values looked at per event and property: the most common ones. */
  static final int MAX_VALUES = 20;
  private static final int[] REACH_HOURS = {1, 24};

  private EarlyBehaviors() {}

  /**
   * Per user and event of the first days: times, first and last timestamp, with null {@code property} and
   * {@code value}. When the rollup carries properties (features' where conditions name them), also per user, event
   * and value of each carried property that at least {@code minSize} users show, the {@link #MAX_VALUES} most common
   * per event and property. For activation and conversion, only what came
   * before the user's first outcome event (the event itself is never a behavior).
   */
  static Dataset<Row> perEvent(Dataset<Row> activity, Dataset<Row> users, String outcomeEvent, int firstDays,
      int minSize) {
    Dataset<Row> rows = activity.join(users.select("user_id", "signup_on"), "user_id")
        .where(Kind.onFirstDays("activity_date", firstDays));
    if (outcomeEvent != null) {
      Dataset<Row> reached = activity.where(col("event_name").equalTo(outcomeEvent)).groupBy("user_id")
          .agg(min("first_event_at").as("outcome_at"));
      // A day row that straddles the outcome holds at least one event before it (its first) and maybe more after:
      // it counts as that one, so no event after the outcome counts.
      Column straddles = col("outcome_at").isNotNull().and(col("last_event_at").geq(col("outcome_at")));
      rows = rows.where(col("event_name").notEqual(outcomeEvent)).join(reached, new String[] {"user_id"}, "left")
          .where(col("outcome_at").isNull().or(col("first_event_at").lt(col("outcome_at"))))
          .withColumn("event_count", when(straddles, lit(1L)).otherwise(col("event_count")))
          .withColumn("last_event_at", when(straddles, col("first_event_at")).otherwise(col("last_event_at")));
    }
    Column[] times = {sum("event_count").as("times"), min("first_event_at").as("first_at"),
        max("last_event_at").as("last_at")};
    Dataset<Row> early = rows.groupBy("user_id", "event_name").agg(times[0], times[1], times[2])
        .withColumn("property", lit(null).cast(DataTypes.StringType))
        .withColumn("value", lit(null).cast(DataTypes.StringType));
    for (String property : io.segments.rollup.DailyRollup.carried(activity)) {
      Dataset<Row> valued = rows.where(col("properties").getField(property).isNotNull())
          .groupBy(col("user_id"), col("event_name"), col("properties").getField(property).as("value"))
          .agg(times[0], times[1], times[2]);
      Dataset<Row> common = valued.groupBy("event_name", "value").agg(count(lit(1)).as("users"))
          .where(col("users").geq(minSize))
          .withColumn("place", row_number().over(Window.partitionBy("event_name").orderBy(col("users").desc(),
              col("value"))))
          .where(col("place").leq(MAX_VALUES)).select("event_name", "value");
      early = early.unionByName(valued.join(common, new String[] {"event_name", "value"})
          .withColumn("property", lit(property)));
    }
    return early;
  }

  /** One row per (user, behavior) a user of the cohorts shows in the first days. */
  static Dataset<Row> behaviors(Dataset<Row> early, int firstDays) {
    Dataset<Row> atLeast = early.select(col("user_id"), lit(Behavior.AT_LEAST).as("kind"), col("event_name").as("event"),
        lit(null).cast(DataTypes.StringType).as("then_event"),
        explode(sequence(lit(1), least(col("times"), lit((long) MAX_TIMES)).cast(DataTypes.IntegerType))).as("threshold"),
        col("property"), col("value"));
    Dataset<Row> plain = early.where(col("property").isNull());
    Column none = lit(null).cast(DataTypes.StringType);
    Dataset<Row> a = plain.as("a");
    Dataset<Row> b = plain.as("b");
    Dataset<Row> then = a.join(b, col("a.user_id").equalTo(col("b.user_id"))
            .and(col("a.event_name").notEqual(col("b.event_name"))).and(col("b.last_at").geq(col("a.first_at"))))
        .select(col("a.user_id").as("user_id"), lit(Behavior.THEN).as("kind"), col("a.event_name").as("event"),
            col("b.event_name").as("then_event"), lit(firstDays).as("threshold"), none.as("property"),
            none.as("value"));
    Dataset<Row> hours = plain.join(plain.groupBy("user_id").agg(min("first_at").as("user_first")), "user_id")
        .withColumn("hours", unix_timestamp(col("first_at")).minus(unix_timestamp(col("user_first"))).divide(3600.0));
    Dataset<Row> all = atLeast.unionByName(then);
    for (int h : REACH_HOURS) {
      if (h < 24 * firstDays) {
        all = all.unionByName(hours.where(col("hours").leq(h)).select(col("user_id"), lit(Behavior.WITHIN_HOURS)
            .as("kind"), col("event_name").as("event"), lit(null).cast(DataTypes.StringType).as("then_event"),
            lit(h).as("threshold"), none.as("property"), none.as("value")));
      }
    }
    return all;
  }
}
