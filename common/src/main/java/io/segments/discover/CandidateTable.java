package io.segments.discover;

import static org.apache.spark.sql.functions.col;

import io.segments.io.Warehouse;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * {@code behavior_candidates}: one row per (outcome, candidate behavior, half) of the last discover run for that
 * outcome; half is {@code earlier} (where the rank comes from) or {@code later} (the hold-out). Only candidates with
 * at least validate.min_size users on both sides of the earlier half. Rates are shares (0..1), differences points.
 * {@code property} and {@code value}: an at_least behavior of the events whose carried property has that value.
 */
public final class CandidateTable {
  public static final String TABLE = "behavior_candidates";
  public static final StructType SCHEMA = new StructType()
      .add("outcome", DataTypes.StringType, false).add("first_days", DataTypes.IntegerType, false)
      .add("cohort_from", DataTypes.DateType, false).add("cohort_to", DataTypes.DateType, false)
      .add("half", DataTypes.StringType, false).add("half_from", DataTypes.DateType, false)
      .add("half_to", DataTypes.DateType, false).add("rank", DataTypes.IntegerType, false)
      .add("behavior", DataTypes.StringType, false).add("kind", DataTypes.StringType, false)
      .add("event", DataTypes.StringType, false).add("then_event", DataTypes.StringType, true)
      .add("threshold", DataTypes.IntegerType, false)
      .add("property", DataTypes.StringType, true).add("value", DataTypes.StringType, true)
      .add("users_with", DataTypes.LongType, false).add("rate_with", DataTypes.DoubleType, true)
      .add("users_without", DataTypes.LongType, false).add("rate_without", DataTypes.DoubleType, true)
      .add("difference_points", DataTypes.DoubleType, true).add("difference_lo", DataTypes.DoubleType, true)
      .add("difference_hi", DataTypes.DoubleType, true).add("lift", DataTypes.DoubleType, true)
      .add("confirmed", DataTypes.BooleanType, false).add("computed_at", DataTypes.TimestampType, false);

  private CandidateTable() {}

  /** The rows of a result, in rank order, earlier half first per candidate. */
  public static List<Row> rows(BehaviorDiscovery.Result result) {
    Timestamp now = Timestamp.from(Instant.now());
    List<Row> rows = new ArrayList<>();
    for (BehaviorDiscovery.Candidate c : result.candidates()) {
      for (boolean later : new boolean[] {false, true}) {
        Difference d = later ? c.later() : c.earlier();
        Behavior b = c.behavior();
        rows.add(RowFactory.create(result.options().outcome().label(), result.options().firstDays(),
            Date.valueOf(result.from()), Date.valueOf(result.to()), later ? "later" : "earlier",
            Date.valueOf(later ? result.split() : result.from()),
            Date.valueOf(later ? result.to() : result.split().minusDays(1)), c.rank(),
            b.text(result.options().firstDays()), b.kind(), b.event(), b.thenEvent(), b.threshold(), b.property(),
            b.value(),
            d.withUsers(), finite(d.rateWith()), d.withoutUsers(), finite(d.rateWithout()), finite(d.points()),
            finite(d.lo()), finite(d.hi()), finite(d.lift()), c.confirmed(), now));
      }
    }
    return rows;
  }

  /** Replaces the rows of the result's outcome in one commit (a table from before property and value gains them). */
  public static void write(Warehouse warehouse, BehaviorDiscovery.Result result) {
    Dataset<Row> data = warehouse.spark().createDataFrame(rows(result), SCHEMA);
    warehouse.replaceWhereEvolving(data, TABLE, col("outcome").equalTo(result.options().outcome().label()));
  }

  private static Double finite(double value) {
    return Double.isFinite(value) ? value : null;
  }
}
