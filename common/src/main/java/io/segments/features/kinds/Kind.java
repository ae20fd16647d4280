package io.segments.features.kinds;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.segments.config.FeatureSpec;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * How one feature kind is computed from the {@code user_daily_activity} rollup, in up to three parts that
 * {@link io.segments.features.FeatureBuilder} runs for every declared feature: the per-user aggregates it needs
 * (one shared pass over the history), or a frame of its own joined by (as_of_date, user_id), or per-period
 * aggregates; then how it finishes on the joined row (defaults, ratios, scores); then its output columns. Each
 * kind also says what it carries from D-1 to D ({@link #carried}), which {@code user_feature_state} holds.
 * Kinds are registered in {@link Kinds}.
 */
public interface Kind {

  /** What a kind's frame may read: the history (rollup rows joined to each as-of day, with days_ago). */
  record Inputs(Dataset<Row> history, Dataset<Row> activity, Dataset<Row> signups, Dataset<Row> days) {}

  /**
   * A kind over periods (days or ISO weeks): one aggregate per (as-of day, user, period) and one per user over
   * the periods, named {@code <feature>__events} and {@code <feature>__active}.
   */
  record Periodic(boolean weekly, Column perPeriod, Column perUser) {}

  /**
   * What the kind carries from D-1 to D ({@link Carried}), or null when its value needs all history each day; a
   * config whose features are all carried computes a daily run from {@code user_feature_state}.
   */
  Carried carried(FeatureSpec spec);

  /** Aggregates over the history grouped by (as_of_date, user_id); empty when the kind needs none. */
  default List<Column> aggregates(FeatureSpec spec) {
    return List.of();
  }

  /** Per-period aggregates, or null. */
  default Periodic periodic(FeatureSpec spec) {
    return null;
  }

  /** A frame of its own keyed by (as_of_date, user_id), left-joined to the aggregates; or null. */
  default Dataset<Row> frame(FeatureSpec spec, Inputs inputs) {
    return null;
  }

  /** The feature's final columns on the joined rows. */
  default Dataset<Row> finish(FeatureSpec spec, Dataset<Row> result) {
    return result;
  }

  /** The columns it writes to user_features, in order. */
  default List<Column> output(FeatureSpec spec) {
    return spec.outputNames().stream().map(org.apache.spark.sql.functions::col).toList();
  }

  /** Rollup rows of the feature's events (all events when it names none). */
  static Column matches(List<String> events) {
    return events.isEmpty() ? lit(true) : col("event_name").isin(events.toArray());
  }

  /** Rollup rows within the last {@code windowDays} days up to the as-of day (all history when 0). */
  static Column inWindow(int windowDays) {
    return windowDays == 0 ? lit(true) : col("days_ago").lt(windowDays);
  }

  /** Events of the feature's names per period, named {@code <feature>__events}: a period kind's per-period part. */
  static Column eventsPerPeriod(FeatureSpec spec) {
    return org.apache.spark.sql.functions.sum(org.apache.spark.sql.functions.when(matches(spec.events()),
        col("event_count"))).as(spec.name() + "__events");
  }

  /**
   * Each user's anchor day, {@code signup_on}: the signup day from the users table, or else the first day with
   * activity. {@code first_days} counts from it; so does discover. ({@code within_days_of_signup} counts from the
   * signup known by the as-of day: {@code signup_on} of the joined row, else {@code first_seen_on}.)
   */
  static Dataset<Row> anchorDays(Dataset<Row> activity, Dataset<Row> signups) {
    Dataset<Row> first = activity.groupBy("user_id")
        .agg(org.apache.spark.sql.functions.min("activity_date").as("first_seen_on"));
    if (signups == null) {
      return first.select(col("user_id"), col("first_seen_on").as("signup_on"));
    }
    return first.join(signups.select(col("user_id"),
            org.apache.spark.sql.functions.to_date(col("signup_at")).as("signed_up_on")), new String[] {"user_id"},
            "full_outer")
        .select(col("user_id"),
            org.apache.spark.sql.functions.coalesce(col("signed_up_on"), col("first_seen_on")).as("signup_on"));
  }

  /** Rows on the first {@code firstDays} days from the anchor day (rows joined to {@link #anchorDays}). */
  static Column onFirstDays(String day, int firstDays) {
    Column since = org.apache.spark.sql.functions.datediff(col(day), col("signup_on"));
    return since.geq(0).and(since.lt(firstDays));
  }

  /** Rollup rows of the feature's events that meet its {@code where} (all of them without one). */
  static Column matches(FeatureSpec spec) {
    return matches(spec.events()).and(where(spec.filter().events()));
  }

  /**
   * Rollup rows whose carried properties meet a {@code where} condition; true when there is none. A property
   * {@code x} of the condition reads {@code properties.x} of the rollup.
   */
  static Column where(String condition) {
    return condition == null ? lit(true)
        : org.apache.spark.sql.functions.coalesce(io.segments.config.ExpressionPolicy.fieldsOf(condition, "properties")
            .cast("boolean"), lit(false));
  }

  /** Rollup rows of the feature's events (meeting its where) within its window. */
  static Column counted(FeatureSpec spec) {
    return matches(spec).and(inWindow(spec.windowDays()));
  }
}
