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
   * the {@code within_days} before it, or on the same day at or before its last B; within N days of the signup
   * when that first completion is (any later one is later still). The other modes, and {@code first_days}, need
   * all history.
   */
  @Override
  public Carried carried(FeatureSpec spec) {
    if ("not_followed_by".equals(spec.mode()) && spec.firstDays() == 0) {
      return notFollowed(spec);
    }
    if (!"followed_by".equals(spec.mode()) || spec.firstDays() > 0) {
      return null;
    }
    String q = completedOn(spec);
    Column aBefore = max(when(col(q + "__a_first").isNotNull(), col("day_number"))).over(Window.partitionBy("user_id")
        .orderBy("day_number").rangeBetween(-spec.withinDays(), -1));
    Column completes = col(q + "__b_last").isNotNull()
        .and(aBefore.isNotNull().or(col(q + "__a_first").leq(col(q + "__b_last"))));
    Carried.Quantity completed = new Carried.Quantity(q, Carried.Fold.FIRST_DAY, DataTypes.DateType,
        List.of(min(when(isA(spec), col("first_event_at"))).as(q + "__a_first"),
            max(when(isB(spec), col("last_event_at"))).as(q + "__b_last")),
        coalesce(completes, lit(false)), 0, 0, spec.withinDays());
    return new Carried(List.of(completed), List.of(spec.withinDaysOfSignup() > 0 ? col(q)
        : when(col(q).isNotNull(), lit(true)).as(spec.name())));
  }

  /**
   * {@code not_followed_by} is carried as the first A day that no B followed within {@code within_days} (true from
   * then on), a quantity of the days at least within_days back, whose fate is known; and as the last A day, the
   * last B day and the last A day that no B followed on the same day: the A days of the last within_days are all
   * followed when the last of them is (a B after it is within the days after each earlier one).
   */
  private static Carried notFollowed(FeatureSpec spec) {
    String p = spec.name() + "__not_followed";
    Column aLast = col(p + "__a_last");
    Column bLast = col(p + "__b_last");
    Column open = aLast.isNotNull().and(bLast.isNull().or(bLast.lt(aLast)));
    Column bAfter = max(when(bLast.isNotNull(), lit(1))).over(Window.partitionBy("user_id").orderBy("day_number")
        .rangeBetween(1, spec.withinDays()));
    Carried.Quantity never = new Carried.Quantity(p + "_on", Carried.Fold.FIRST_DAY, DataTypes.DateType,
        List.of(max(when(isA(spec), col("last_event_at"))).as(p + "__a_last"),
            max(when(isB(spec), col("last_event_at"))).as(p + "__b_last")),
        coalesce(open.and(bAfter.isNull()), lit(false)), spec.withinDays(), 0, 0);
    Column lastA = col(p + "__last_a");
    Column lastB = col(p + "__last_b");
    Column pending = datediff(col("as_of_date"), lastA).lt(spec.withinDays())
        .and(lastB.isNull().or(lastB.lt(lastA)).or(lastB.equalTo(lastA).and(col(p + "__last_open").equalTo(lastA))));
    return new Carried(List.of(never, Carried.lastDayOf(p + "__last_a", List.of(), aLast.isNotNull(), 0),
            Carried.lastDayOf(p + "__last_b", List.of(), bLast.isNotNull(), 0),
            Carried.lastDayOf(p + "__last_open", List.of(), open, 0)),
        List.of(coalesce(col(p + "_on").isNotNull().or(pending), lit(false)).as(spec.name())));
  }

  private static Column isA(FeatureSpec spec) {
    return col("event_name").equalTo(spec.first()).and(Kind.where(spec.filter().first()));
  }

  private static Column isB(FeatureSpec spec) {
    return col("event_name").equalTo(spec.then()).and(Kind.where(spec.filter().then()));
  }

  @Override
  public Dataset<Row> frame(FeatureSpec spec, Inputs inputs) {
    Dataset<Row> activity = inputs.activity();
    Dataset<Row> days = inputs.days();
    Dataset<Row> a = activity.where(isA(spec))
        .groupBy(col("user_id"), col("activity_date").as("a_day"))
        .agg(min("first_event_at").as("a_first"), max("last_event_at").as("a_last"));
    Dataset<Row> b = activity.where(isB(spec))
        .groupBy(col("user_id"), col("activity_date").as("b_day")).agg(max("last_event_at").as("b_last"));
    return switch (spec.mode()) {
      case "followed_by" -> {
        Dataset<Row> pairs = candidateDays(a, spec.withinDays()).join(b, new String[] {"user_id", "b_day"})
            .where(col("b_day").gt(col("a_day")).or(col("b_last").geq(col("a_first"))));
        if (spec.firstDays() > 0) {
          pairs = pairs.join(Kind.anchorDays(activity, inputs.signups()), "user_id")
              .where(Kind.onFirstDays("a_day", spec.firstDays()).and(Kind.onFirstDays("b_day", spec.firstDays())));
        }
        Dataset<Row> completion = pairs.groupBy("user_id").agg(min("b_day").as("completed_on"));
        yield completion.join(days, col("completed_on").leq(col("as_of_date")))
            .select(col("as_of_date"), col("user_id"), spec.withinDaysOfSignup() > 0
                ? col("completed_on").as(completedOn(spec)) : lit(true).as(spec.name()));
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

  /**
   * {@code within_days_of_signup}: the first completion on or before N days after the signup day as of the day
   * (users table), or else the first day seen.
   */
  @Override
  public Dataset<Row> finish(FeatureSpec spec, Dataset<Row> result) {
    if ("days_between".equals(spec.mode())) {
      return result;
    }
    Column value = col(spec.name());
    if ("followed_by".equals(spec.mode()) && spec.withinDaysOfSignup() > 0) {
      value = col(completedOn(spec)).leq(date_add(coalesce(col("signup_on"), col("first_seen_on")),
          spec.withinDaysOfSignup()));
    }
    return result.withColumn(spec.name(), coalesce(value, lit(false)));
  }

  private static String completedOn(FeatureSpec spec) {
    return spec.name() + "__completed_on";
  }

  /** Each A day with the days a B may complete it on: A's day and the N after (an equi-join key, skew-free). */
  private static Dataset<Row> candidateDays(Dataset<Row> a, int withinDays) {
    return a.withColumn("b_day", explode(sequence(col("a_day"), date_add(col("a_day"), withinDays))));
  }
}
