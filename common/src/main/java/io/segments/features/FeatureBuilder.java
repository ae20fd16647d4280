package io.segments.features;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.ceil;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count_distinct;
import static org.apache.spark.sql.functions.cume_dist;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.sequence;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;

import io.segments.config.ConfigException;
import io.segments.config.ConfigLoader;
import io.segments.config.ExpressionPolicy;
import io.segments.config.Identifiers;
import io.segments.config.FeatureKind;
import io.segments.config.FeatureSpec;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The features step: {@code user_features}, one row per (as_of_date, user_id) for every user known on that
 * day, one column per declared feature. Point in time: only activity on or before the as-of day counts.
 *
 * <p>Every kind reads only the {@code user_daily_activity} rollup, so the cost grows with users x active days,
 * not events: day-level kinds share one aggregation, sequences join day rows of A and B, RFM scores and
 * expressions are computed on top.
 * Several as-of days are computed in the same pass (a replay or backfill).
 */
public final class FeatureBuilder {
  private final List<FeatureSpec> features;
  private final List<Map.Entry<String, String>> rfmMap;

  public FeatureBuilder(List<FeatureSpec> features, List<Map.Entry<String, String>> rfmMap) {
    this.features = List.copyOf(features);
    this.rfmMap = List.copyOf(rfmMap);
  }

  /**
   * Computes the features for each day in {@code asOfDates}.
   *
   * @param activity the {@code user_daily_activity} rollup
   * @param signups optional (user_id, signup_at) of the users table; null to use first seen
   */
  public Dataset<Row> build(Dataset<Row> activity, Dataset<Row> signups, List<LocalDate> asOfDates) {
    SparkSession spark = activity.sparkSession();
    Dataset<Row> days = broadcast(dates(spark, asOfDates));
    Dataset<Row> history = activity.join(days, col("activity_date").leq(col("as_of_date")))
        .withColumn("days_ago", datediff(col("as_of_date"), col("activity_date")));

    Dataset<Row> result = dayAggregates(history);
    if (signups != null) {
      Dataset<Row> signed = signups.select(col("user_id"), to_date(col("signup_at")).as("signup_on"))
          .crossJoin(days).where(col("signup_on").leq(col("as_of_date")));
      result = result.join(signed, new String[] {"as_of_date", "user_id"}, "full_outer");
    } else {
      result = result.withColumn("signup_on", lit(null).cast(DataTypes.DateType));
    }
    for (boolean weekly : new boolean[] {false, true}) {
      Dataset<Row> periods = periodAggregates(history, weekly);
      if (periods != null) {
        result = result.join(periods, new String[] {"as_of_date", "user_id"}, "left");
      }
    }
    Dataset<Row> purchases = purchaseSummaries(history);
    if (purchases != null) {
      result = result.join(purchases, new String[] {"as_of_date", "user_id"}, "left");
    }
    result = withZeroDefaults(result);
    result = withSequences(result, activity, signups, days);
    result = withRfm(result);
    for (FeatureSpec spec : ConfigLoader.orderExpressions(features, names())) {
      result = withExpression(result, spec);
    }
    List<Column> columns = new ArrayList<>(List.of(col("as_of_date"), col("user_id")));
    for (FeatureSpec spec : features) {
      columns.addAll(outputColumns(spec));
    }
    return result.select(columns.toArray(Column[]::new));
  }

  /** The schema of {@code user_features} without running a job; used to check rules. */
  public StructType schema(SparkSession spark, boolean withSignups) {
    Dataset<Row> activity = spark.createDataFrame(List.of(), new StructType()
        .add("user_id", DataTypes.StringType).add("activity_date", DataTypes.DateType)
        .add("event_name", DataTypes.StringType).add("event_count", DataTypes.LongType)
        .add("revenue_usd", DataTypes.DoubleType).add("first_event_at", DataTypes.TimestampType)
        .add("last_event_at", DataTypes.TimestampType));
    Dataset<Row> signups = withSignups ? spark.createDataFrame(List.of(), new StructType()
        .add("user_id", DataTypes.StringType).add("signup_at", DataTypes.TimestampType)) : null;
    return build(activity, signups, List.of(LocalDate.of(2000, 1, 1))).schema();
  }

  private Set<String> names() {
    Set<String> names = new LinkedHashSet<>();
    features.forEach(f -> names.add(f.name()));
    return names;
  }

  private static Dataset<Row> dates(SparkSession spark, List<LocalDate> asOfDates) {
    List<Row> rows = asOfDates.stream().map(d -> RowFactory.create(java.sql.Date.valueOf(d))).toList();
    return spark.createDataFrame(rows, new StructType().add("as_of_date", DataTypes.DateType, false));
  }

  /** The first day each user was seen and all day-level features, in one aggregation over the rollup. */
  private Dataset<Row> dayAggregates(Dataset<Row> history) {
    List<Column> aggregates = new ArrayList<>();
    for (FeatureSpec spec : features) {
      Column matches = matches(spec.events());
      Column inWindow = inWindow(spec.windowDays());
      switch (spec.kind()) {
        case COUNT -> aggregates.add(sum(when(matches.and(inWindow), col("event_count"))).as(spec.name()));
        case ACTIVE_DAYS -> aggregates.add(
            count_distinct(when(matches.and(inWindow), col("activity_date"))).as(spec.name()));
        case DISTINCT -> aggregates.add(
            count_distinct(when(matches.and(inWindow), col("event_name"))).as(spec.name()));
        case SUM -> aggregates.add(sum(when(matches.and(inWindow), col("revenue_usd"))).as(spec.name()));
        case RECENCY -> aggregates.add(min(when(matches, col("days_ago"))).as(spec.name()));
        case SHARE -> {
          Column weekday = expr("(dayofweek(activity_date) + 5) % 7 + 1");
          Column chosen = weekday.isin(spec.daysOfWeek().toArray());
          aggregates.add(sum(when(matches.and(inWindow).and(chosen), col("event_count"))).as(spec.name() + "__part"));
          aggregates.add(sum(when(matches.and(inWindow), col("event_count"))).as(spec.name() + "__all"));
        }
        case TREND -> {
          Column earlier = col("days_ago").geq(spec.windowDays())
              .and(col("days_ago").lt(spec.windowDays() + spec.previousDays()));
          aggregates.add(sum(when(matches.and(inWindow), col("event_count"))).as(spec.name() + "__recent"));
          aggregates.add(sum(when(matches.and(earlier), col("event_count"))).as(spec.name() + "__earlier"));
        }
        case RFM -> {
          aggregates.add(min(when(matches.and(inWindow), col("days_ago"))).as(spec.name() + "_recency_days"));
          aggregates.add(sum(when(matches.and(inWindow), col("event_count"))).as(spec.name() + "_frequency"));
          aggregates.add(round(sum(when(matches.and(inWindow), col("revenue_usd"))), 2).as(spec.name() + "_monetary"));
        }
        default -> { }
      }
    }
    return history.groupBy("as_of_date", "user_id")
        .agg(min("activity_date").as("first_seen_on"), aggregates.toArray(Column[]::new));
  }

  /**
   * Streak and regularly features of one period kind (days or ISO weeks): events per period, then per user the
   * run of active periods ending with the period containing D, or how many of the last N periods were active.
   */
  private Dataset<Row> periodAggregates(Dataset<Row> history, boolean weekly) {
    List<FeatureSpec> periodic = features.stream()
        .filter(f -> (f.kind() == FeatureKind.STREAK || f.kind() == FeatureKind.REGULARLY) && f.weekly() == weekly)
        .toList();
    if (periodic.isEmpty()) {
      return null;
    }
    Column offset = weekly
        ? expr("cast(datediff(date_trunc('week', as_of_date), date_trunc('week', activity_date)) / 7 as int)")
        : col("days_ago");
    List<Column> perPeriod = new ArrayList<>();
    for (FeatureSpec spec : periodic) {
      perPeriod.add(sum(when(matches(spec.events()), col("event_count"))).as(spec.name() + "__events"));
    }
    Dataset<Row> periods = history.withColumn("period_offset", offset)
        .groupBy(col("as_of_date"), col("user_id"), col("period_offset"))
        .agg(perPeriod.get(0), perPeriod.subList(1, perPeriod.size()).toArray(Column[]::new));
    List<Column> perUser = new ArrayList<>();
    for (FeatureSpec spec : periodic) {
      Column active = col(spec.name() + "__events").geq(spec.minEvents());
      if (spec.kind() == FeatureKind.STREAK) {
        perUser.add(org.apache.spark.sql.functions.collect_set(when(active, col("period_offset")))
            .as(spec.name() + "__active"));
      } else {
        perUser.add(sum(when(active.and(col("period_offset").lt(spec.periods())), 1).otherwise(0))
            .as(spec.name() + "__active"));
      }
    }
    return periods.groupBy("as_of_date", "user_id")
        .agg(perUser.get(0), perUser.subList(1, perUser.size()).toArray(Column[]::new));
  }

  /** Per user, the summary BG/NBD and Gamma-Gamma models expect, at daily granularity. */
  private Dataset<Row> purchaseSummaries(Dataset<Row> history) {
    List<FeatureSpec> summaries = features.stream().filter(f -> f.kind() == FeatureKind.PURCHASE_SUMMARY).toList();
    Dataset<Row> result = null;
    for (FeatureSpec spec : summaries) {
      String p = spec.name();
      Dataset<Row> days = history.where(matches(spec.events()))
          .groupBy("as_of_date", "user_id", "activity_date").agg(sum("revenue_usd").as("day_revenue"));
      Dataset<Row> summary = days.groupBy("as_of_date", "user_id").agg(
          min("activity_date").as(p + "__first"),
          max("activity_date").as(p + "__last"),
          org.apache.spark.sql.functions.count("*").as(p + "__days"),
          sum("day_revenue").as(p + "__revenue"),
          org.apache.spark.sql.functions.min_by(col("day_revenue"), col("activity_date")).as(p + "__first_revenue"))
          .select(col("as_of_date"), col("user_id"),
              col(p + "__days").minus(1).as(p + "_frequency"),
              datediff(col(p + "__last"), col(p + "__first")).as(p + "_recency"),
              datediff(col("as_of_date"), col(p + "__first")).as(p + "_t"),
              when(col(p + "__days").gt(1),
                  col(p + "__revenue").minus(col(p + "__first_revenue")).divide(col(p + "__days").minus(1)))
                  .otherwise(lit(0.0)).as(p + "_monetary_value"));
      result = result == null ? summary : result.join(summary, new String[] {"as_of_date", "user_id"}, "full_outer");
    }
    return result;
  }

  private static Dataset<Row> withExpression(Dataset<Row> result, FeatureSpec spec) {
    try {
      Dataset<Row> next = result.withColumn(spec.name(), ExpressionPolicy.column(spec.expression()));
      next.schema();
      return next;
    } catch (ConfigException e) {
      throw e;
    } catch (Exception e) {
      String message = e.getMessage() == null ? e.toString() : e.getMessage().strip().split("\n")[0];
      throw new ConfigException(spec.where(), "feature '" + spec.name() + "': expression '" + spec.expression()
          + "' is invalid: " + message, "refer only to features declared before or after it, with Spark SQL syntax");
    }
  }

  private Dataset<Row> withZeroDefaults(Dataset<Row> result) {
    for (FeatureSpec spec : features) {
      String name = spec.name();
      switch (spec.kind()) {
        case COUNT, ACTIVE_DAYS, DISTINCT -> result = result.withColumn(name, coalesce(col(name), lit(0L)));
        case SUM -> result = result.withColumn(name, coalesce(col(name), lit(0.0)));
        case RECENCY -> result = result.withColumn(name, col(name).cast(DataTypes.IntegerType));
        case TENURE -> result = result.withColumn(name,
            datediff(col("as_of_date"), coalesce(col("signup_on"), col("first_seen_on"))));
        case SHARE -> result = result.withColumn(name,
            when(col(name + "__all").gt(0), coalesce(col(name + "__part"), lit(0L)).divide(col(name + "__all"))));
        case STREAK -> result = result.withColumn(name, expr(String.format(
            "coalesce(array_min(array_except(sequence(0, size(coalesce(%1$s, array()))),"
                + " coalesce(%1$s, array()))), 0)", Identifiers.spark(name + "__active"))).cast(DataTypes.IntegerType));
        case REGULARLY -> result = result.withColumn(name,
            coalesce(col(name + "__active"), lit(0)).geq(spec.minPeriods()));
        case TREND -> result = result.withColumn(name,
            when(col(name + "__earlier").gt(0),
                col(name + "__recent").divide(lit(spec.windowDays()))
                    .divide(col(name + "__earlier").divide(lit(spec.previousDays())))));
        default -> { }
      }
    }
    return result;
  }

  /**
   * Sequence features from the rollup's first and last timestamps per (user, day, event): "within N days" means
   * B on A's day at or after it, or on one of the N calendar days after A's day. A day's first A is the best
   * start for a completion and its last A the hardest to follow, so the rollup answers exactly, scaling with
   * users x days instead of events.
   */
  private Dataset<Row> withSequences(Dataset<Row> result, Dataset<Row> activity, Dataset<Row> signups,
      Dataset<Row> days) {
    for (FeatureSpec spec : features) {
      if (spec.kind() != FeatureKind.SEQUENCE) {
        continue;
      }
      Dataset<Row> a = activity.where(col("event_name").equalTo(spec.first()))
          .select(col("user_id"), col("activity_date").as("a_day"), col("first_event_at").as("a_first"),
              col("last_event_at").as("a_last"));
      Dataset<Row> b = activity.where(col("event_name").equalTo(spec.then()))
          .select(col("user_id"), col("activity_date").as("b_day"), col("last_event_at").as("b_last"));
      Dataset<Row> perDay;
      switch (spec.mode()) {
        case "followed_by" -> {
          Dataset<Row> pairs = candidateDays(a, spec.withinDays()).join(b, new String[] {"user_id", "b_day"})
              .where(col("b_day").gt(col("a_day")).or(col("b_last").geq(col("a_first"))));
          if (spec.withinDaysOfSignup() > 0) {
            pairs = pairs.join(signupDays(activity, signups), "user_id")
                .where(col("b_day").leq(date_add(col("signup_on"), spec.withinDaysOfSignup())));
          }
          Dataset<Row> completion = pairs.groupBy("user_id").agg(min("b_day").as("completed_on"));
          perDay = completion.join(days, col("completed_on").leq(col("as_of_date")))
              .select(col("as_of_date"), col("user_id"), lit(true).as(spec.name()));
        }
        case "not_followed_by" -> {
          Dataset<Row> followed = candidateDays(a, spec.withinDays()).join(b, new String[] {"user_id", "b_day"})
              .where(col("b_day").gt(col("a_day")).or(col("b_last").geq(col("a_last"))))
              .groupBy("user_id", "a_day").agg(min("b_day").as("next_b_day"));
          perDay = a.join(followed, new String[] {"user_id", "a_day"}, "left")
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
          perDay = nextB.join(days, col("b_day").leq(col("as_of_date")))
              .select(col("as_of_date"), col("user_id"), datediff(col("b_day"), col("a_day")).as(spec.name()));
        }
      }
      result = result.join(perDay, new String[] {"as_of_date", "user_id"}, "left");
      if (!"days_between".equals(spec.mode())) {
        result = result.withColumn(spec.name(), coalesce(col(spec.name()), lit(false)));
      }
    }
    return result;
  }

  /** Each A day with the days a B may complete it on: A's day and the N after (an equi-join key, skew-free). */
  private static Dataset<Row> candidateDays(Dataset<Row> a, int withinDays) {
    return a.withColumn("b_day", explode(sequence(col("a_day"), date_add(col("a_day"), withinDays))));
  }

  private static Dataset<Row> signupDays(Dataset<Row> activity, Dataset<Row> signups) {
    return signups != null
        ? signups.select(col("user_id"), to_date(col("signup_at")).as("signup_on"))
        : activity.groupBy("user_id").agg(min("activity_date").as("signup_on"));
  }

  /** RFM scores: ceil(5 x cume_dist) over the users active in the window, better values scoring higher. */
  private Dataset<Row> withRfm(Dataset<Row> result) {
    for (FeatureSpec spec : features) {
      if (spec.kind() != FeatureKind.RFM) {
        continue;
      }
      String p = spec.name();
      Column inPopulation = col(p + "_recency_days").isNotNull();
      WindowSpec byDay = Window.partitionBy("as_of_date", p + "__population");
      result = result
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
      result = result.withColumn(p + "_segment", named);
    }
    return result;
  }

  private static Column score(Column inPopulation, WindowSpec window) {
    return when(inPopulation, ceil(cume_dist().over(window).multiply(5)).cast(DataTypes.IntegerType));
  }

  private static List<Column> outputColumns(FeatureSpec spec) {
    if (spec.kind() == FeatureKind.RFM) {
      String p = spec.name();
      return List.of(col(p + "_recency_days").cast(DataTypes.IntegerType), col(p + "_frequency"), col(p + "_monetary"),
          col(p + "_r"), col(p + "_f"), col(p + "_m"), col(p + "_code"), col(p + "_segment"));
    }
    return spec.outputNames().stream().map(org.apache.spark.sql.functions::col).toList();
  }

  private static Column matches(List<String> events) {
    return events.isEmpty() ? lit(true) : col("event_name").isin(events.toArray());
  }

  private static Column inWindow(int windowDays) {
    return windowDays == 0 ? lit(true) : col("days_ago").lt(windowDays);
  }
}
