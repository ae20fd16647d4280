package io.segments.features;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.to_date;

import io.segments.config.FeatureConfig;
import io.segments.config.FeatureKind;
import io.segments.config.FeatureSpec;
import io.segments.features.kinds.Kind;
import io.segments.features.kinds.Kinds;
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
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * {@code user_features}: one row per (as_of_date, user_id) for every user known on that day, one column per
 * declared feature. Point in time: only activity on or before the as-of day counts.
 *
 * <p>Every kind ({@link Kind}, one class each) reads only the {@code user_daily_activity} rollup, so the cost
 * grows with users x active days, not events: per-user aggregates of all kinds share one pass, period kinds one
 * pass per period length, and kinds with a frame of their own (sequences, purchase summaries) join it; then each
 * kind finishes its columns, expressions last. Several as-of days are computed in the same pass (a replay).
 */
public final class FeatureBuilder {
  private static final String[] KEY = {"as_of_date", "user_id"};
  private final List<FeatureSpec> features;
  private final Kinds kinds;

  public FeatureBuilder(List<FeatureSpec> features, List<Map.Entry<String, String>> rfmMap) {
    this(features, rfmMap, List.of());
  }

  /** @param vocabulary {@code source.vocabulary}: lets {@code distinct} over all events be carried */
  public FeatureBuilder(List<FeatureSpec> features, List<Map.Entry<String, String>> rfmMap, List<String> vocabulary) {
    this.features = List.copyOf(features);
    this.kinds = new Kinds(rfmMap, vocabulary);
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
    Kind.Inputs inputs = new Kind.Inputs(history, activity, signups, days);

    List<Column> aggregates = new ArrayList<>();
    features.forEach(spec -> aggregates.addAll(kind(spec).aggregates(spec)));
    Dataset<Row> result = history.groupBy("as_of_date", "user_id")
        .agg(min("activity_date").as("first_seen_on"), aggregates.toArray(Column[]::new));
    for (boolean weekly : new boolean[] {false, true}) {
      Dataset<Row> periods = periodAggregates(history, weekly);
      if (periods != null) {
        result = result.join(periods, KEY, "left");
      }
    }
    for (FeatureSpec spec : features) {
      Dataset<Row> frame = kind(spec).frame(spec, inputs);
      if (frame != null) {
        result = result.join(frame, KEY, "left");
      }
    }
    return complete(result, signups, signed -> signed.crossJoin(days));
  }

  /**
   * The features on {@code asOf} from their carried columns ({@link FeatureState#compute}): what
   * {@link #build} gives for that day.
   */
  public Dataset<Row> build(Dataset<Row> carried, Dataset<Row> signups, LocalDate asOf) {
    Column day = lit(java.sql.Date.valueOf(asOf));
    return complete(carried.withColumn("as_of_date", day), signups, signed -> signed.withColumn("as_of_date", day));
  }

  /**
   * The kinds' own columns per (as_of_date, user_id) joined to the users signed up by then, finished; {@code days}
   * gives the signups their as-of days.
   */
  private Dataset<Row> complete(Dataset<Row> result, Dataset<Row> signups,
      java.util.function.UnaryOperator<Dataset<Row>> days) {
    if (signups != null) {
      Dataset<Row> signed = days.apply(signups.select(col("user_id"), to_date(col("signup_at")).as("signup_on")))
          .where(col("signup_on").leq(col("as_of_date")));
      result = result.join(signed, KEY, "full_outer");
    } else {
      result = result.withColumn("signup_on", lit(null).cast(DataTypes.DateType));
    }
    for (FeatureSpec spec : features) {
      if (spec.kind() != FeatureKind.EXPRESSION) {
        result = kind(spec).finish(spec, result);
      }
    }
    for (FeatureSpec spec : FeatureConfig.orderExpressions(features, names())) {
      result = kind(spec).finish(spec, result);
    }
    List<Column> columns = new ArrayList<>(List.of(col("as_of_date"), col("user_id")));
    features.forEach(spec -> columns.addAll(kind(spec).output(spec)));
    return result.select(columns.toArray(Column[]::new));
  }

  /** The carried state of these features, or null when one of them needs all history each day. */
  public FeatureState state(int lookbackDays) {
    return FeatureState.of(features, kinds, lookbackDays);
  }

  /** The schema of {@code user_features} without running a job; used to check rules. */
  public StructType schema(SparkSession spark, boolean withSignups) {
    Dataset<Row> activity = spark.createDataFrame(List.of(), new StructType()
        .add("user_id", DataTypes.StringType).add("activity_date", DataTypes.DateType)
        .add("event_name", DataTypes.StringType).add("event_count", DataTypes.LongType)
        .add("revenue_usd", DataTypes.DoubleType).add("first_event_at", DataTypes.TimestampType)
        .add("last_event_at", DataTypes.TimestampType));
    List<String> properties = io.segments.config.PropertyFilters.properties(features);
    if (!properties.isEmpty()) {
      StructType carried = new StructType();
      for (String property : properties) {
        carried = carried.add(property, DataTypes.StringType);
      }
      activity = activity.withColumn("properties", lit(null).cast(carried));
    }
    Dataset<Row> signups = withSignups ? spark.createDataFrame(List.of(), new StructType()
        .add("user_id", DataTypes.StringType).add("signup_at", DataTypes.TimestampType)) : null;
    return build(activity, signups, List.of(LocalDate.of(2000, 1, 1))).schema();
  }

  private Kind kind(FeatureSpec spec) {
    return kinds.of(spec.kind());
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

  /**
   * The period kinds of one period length (days or ISO weeks) in one pass: events per period, then per user
   * each kind's aggregate over its periods.
   */
  private Dataset<Row> periodAggregates(Dataset<Row> history, boolean weekly) {
    List<Kind.Periodic> periodic = new ArrayList<>();
    for (FeatureSpec spec : features) {
      Kind.Periodic p = kind(spec).periodic(spec);
      if (p != null && p.weekly() == weekly) {
        periodic.add(p);
      }
    }
    if (periodic.isEmpty()) {
      return null;
    }
    Column offset = weekly
        ? expr("cast(datediff(date_trunc('week', as_of_date), date_trunc('week', activity_date)) / 7 as int)")
        : col("days_ago");
    List<Column> perPeriod = periodic.stream().map(Kind.Periodic::perPeriod).toList();
    List<Column> perUser = periodic.stream().map(Kind.Periodic::perUser).toList();
    return history.withColumn("period_offset", offset)
        .groupBy(col("as_of_date"), col("user_id"), col("period_offset"))
        .agg(perPeriod.get(0), perPeriod.subList(1, perPeriod.size()).toArray(Column[]::new))
        .groupBy("as_of_date", "user_id")
        .agg(perUser.get(0), perUser.subList(1, perUser.size()).toArray(Column[]::new));
  }
}
