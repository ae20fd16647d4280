package io.segments.features.kinds;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sequence;
import static org.apache.spark.sql.functions.when;

import io.segments.config.FeatureSpec;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;

/**
 * {@code sequence}: A then B ({@code followed_by}), A without B after it ({@code not_followed_by}), or the days
 * from the first A to the B after it ({@code days_between}), from the rollup's first and last timestamps per
 * (user, day, event): "within N days" means B on A's day at or after it, or on one of the N calendar days after
 * A's day. A day's first A is the best start for a completion and its last A the hardest to follow, so the
 * rollup answers exactly, scaling with users x days instead of events. {@code first_where} and {@code then_where}
 * keep only the rollup rows of a step whose properties meet them (the rollup then has a row per property value).
 */
final class SequenceKind implements Kind {
  /**
   * {@code followed_by} is carried as the day it was first completed: a B day completes when an A day lies within
   * the {@code within_days} before it, or on the same day at or before its last B. The other modes, and windows
   * from the signup, need all history.
   */
  @Override
  public Carried carried(FeatureSpec spec) {
    if (!"followed_by".equals(spec.mode()) || spec.withinDaysOfSignup() > 0 || spec.firstDays() > 0) {
      return null;
    }
    String q = spec.name() + "__completed_on";
    Column isA = col("event_name").equalTo(spec.first()).and(Kind.where(spec.filter().first()));
    Column isB = col("event_name").equalTo(spec.then()).and(Kind.where(spec.filter().then()));
    Column aBefore = max(when(col(q + "__a_first").isNotNull(), col("day_number"))).over(Window.partitionBy("user_id")
        .orderBy("day_number").rangeBetween(-spec.withinDays(), -1));
    Column completes = col(q + "__b_last").isNotNull()
        .and(aBefore.isNotNull().or(col(q + "__a_first").leq(col(q + "__b_last"))));
    Carried.Quantity completed = new Carried.Quantity(q, Carried.Fold.FIRST_DAY, DataTypes.DateType,
        List.of(min(when(isA, col("first_event_at"))).as(q + "__a_first"),
            max(when(isB, col("last_event_at"))).as(q + "__b_last")),
        coalesce(completes, lit(false)), 0, 0, spec.withinDays());
    return new Carried(List.of(completed), List.of(when(col(q).isNotNull(), lit(true)).as(spec.name())));
  }

  @Override
  public Dataset<Row> frame(FeatureSpec spec, Inputs inputs) {
    Dataset<Row> activity = inputs.activity();
    Dataset<Row> days = inputs.days();
    Dataset<Row> a = activity.where(col("event_name").equalTo(spec.first()).and(Kind.where(spec.filter().first())))
        .groupBy(col("user_id"), col("activity_date").as("a_day"))
        .agg(min("first_event_at").as("a_first"), max("last_event_at").as("a_last"));
    Dataset<Row> b = activity.where(col("event_name").equalTo(spec.then()).and(Kind.where(spec.filter().then())))
        .groupBy(col("user_id"), col("activity_date").as("b_day")).agg(max("last_event_at").as("b_last"));
    return switch (spec.mode()) {
      case "followed_by" -> {
        Dataset<Row> pairs = candidateDays(a, spec.withinDays()).join(b, new String[] {"user_id", "b_day"})
            .where(col("b_day").gt(col("a_day")).or(col("b_last").geq(col("a_first"))));
        if (spec.withinDaysOfSignup() > 0 || spec.firstDays() > 0) {
          pairs = pairs.join(Kind.anchorDays(activity, inputs.signups()), "user_id");
        }
        if (spec.withinDaysOfSignup() > 0) {
          pairs = pairs.where(col("b_day").leq(date_add(col("signup_on"), spec.withinDaysOfSignup())));
        }
        if (spec.firstDays() > 0) {
          pairs = pairs.where(Kind.onFirstDays("a_day", spec.firstDays()).and(Kind.onFirstDays("b_day", spec.firstDays())));
        }
        Dataset<Row> completion = pairs.groupBy("user_id").agg(min("b_day").as("completed_on"));
        yield completion.join(days, col("completed_on").leq(col("as_of_date")))
            .select(col("as_of_date"), col("user_id"), lit(true).as(spec.name()));
      }
      case "not_followed_by" -> {
        Dataset<Row> followed = candidateDays(a, spec.withinDays()).join(b, new String[] {"user_id", "b_day"})
            .where(col("b_day").gt(col("a_day")).or(col("b_last").geq(col("a_last"))))
            .groupBy("user_id", "a_day").agg(min("b_day").as("next_b_day"));
        yield a.join(followed, new String[] {"user_id", "a_day"}, "left")
            .join(days, col("a_day").leq(col("as_of_date")))
            .where(col("next_b_day").isNull().or(col("next_b_day").gt(col("as_of_date"))))
            .select("as_of_date", "user_id").distinct().withColumn(spec.name(), lit(true));
      }
      default -> {
        Dataset<Row> firstA = a.groupBy("user_id").agg(min("a_day").as("a_day"))
            .join(a, new String[] {"user_id", "a_day"});
        Dataset<Row> nextB = firstA.join(b, "user_id")
            .where(col("b_day").gt(col("a_day")).or(col("b_day").equalTo(col("a_day"))
                .and(col("b_last").geq(col("a_first")))))
            .groupBy("user_id", "a_day").agg(min("b_day").as("b_day"));
        yield nextB.join(days, col("b_day").leq(col("as_of_date")))
            .select(col("as_of_date"), col("user_id"), datediff(col("b_day"), col("a_day")).as(spec.name()));
      }
    };
  }

  @Override
  public Dataset<Row> finish(FeatureSpec spec, Dataset<Row> result) {
    return "days_between".equals(spec.mode()) ? result
        : result.withColumn(spec.name(), coalesce(col(spec.name()), lit(false)));
  }

  /** Each A day with the days a B may complete it on: A's day and the N after (an equi-join key, skew-free). */
  private static Dataset<Row> candidateDays(Dataset<Row> a, int withinDays) {
    return a.withColumn("b_day", explode(sequence(col("a_day"), date_add(col("a_day"), withinDays))));
  }
}
