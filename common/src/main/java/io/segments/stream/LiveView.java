package io.segments.stream;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;

import io.segments.config.PipelineConfig;
import io.segments.config.SegmentSpec;
import io.segments.io.Warehouse;
import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * What the stream knows of the event-refreshed segments: {@code segment_membership} of the last day the daily run
 * wrote, then, for the days after it, the stream's own entries and exits ({@code segment_changes_live}, appended once
 * per micro-batch). The latest change of a (user, segment) says whether the user is in; the daily run stays the
 * reference, so a day's changes stop counting once the daily run has written that day.
 */
public final class LiveView {
  /** The stream's entries and exits, one row each, with the time of the event that caused them. */
  public static final String CHANGES = "segment_changes_live";

  static final StructType SCHEMA = new StructType()
      .add("as_of_date", DataTypes.DateType, false)
      .add("user_id", DataTypes.StringType, false)
      .add("segment", DataTypes.StringType, false)
      .add("family", DataTypes.StringType, true)
      .add("change", DataTypes.StringType, false)
      .add("entered_on", DataTypes.DateType, true)
      .add("changed_at", DataTypes.TimestampType, false)
      .add("query_id", DataTypes.StringType, false)
      .add("batch_id", DataTypes.LongType, false)
      .add("logged_at", DataTypes.TimestampType, false);

  private LiveView() {}

  /** The segments the stream updates. */
  public static List<SegmentSpec> eventSegments(PipelineConfig config) {
    return config.segments().stream().filter(SegmentSpec::eventDriven).toList();
  }

  /**
   * Members of the event-refreshed segments now: user_id, segment, family, entered_on; segment_membership of
   * {@code lastState} with the stream's changes of the days after it applied.
   */
  public static Dataset<Row> current(Warehouse warehouse, List<SegmentSpec> segments, LocalDate lastState) {
    return current(warehouse, segments, lastState, null, -1);
  }

  /**
   * {@link #current}, as it was before the batch {@code batchId} of the stream query {@code queryId}: an attempt of
   * the batch killed after logging its changes is run again against the same view, so it evaluates the same users
   * and finds the same changes (whose log write Delta then skips).
   */
  static Dataset<Row> current(Warehouse warehouse, List<SegmentSpec> segments, LocalDate lastState, String queryId,
      long batchId) {
    Object[] names = segments.stream().map(SegmentSpec::name).toArray();
    Dataset<Row> daily = warehouse.read("segment_membership")
        .where(Warehouse.on("as_of_date", lastState).and(col("segment").isin(names)))
        .select("user_id", "segment", "family", "entered_on");
    if (!warehouse.exists(CHANGES)) {
      return daily;
    }
    Dataset<Row> latest = warehouse.read(CHANGES)
        .where(col("as_of_date").gt(lit(Date.valueOf(lastState))).and(col("segment").isin(names))
            .and(queryId == null ? lit(true) : col("query_id").notEqual(queryId).or(col("batch_id").notEqual(batchId))))
        .withColumn("latest", row_number().over(Window.partitionBy("user_id", "segment")
            .orderBy(col("logged_at").desc(), col("batch_id").desc())))
        .where(col("latest").equalTo(1));
    return daily.join(latest, new String[] {"user_id", "segment"}, "left_anti")
        .unionByName(latest.where(col("change").equalTo("entered")).select("user_id", "segment", "family",
            "entered_on"));
  }

  /**
   * The membership a daily publish as of {@code asOf} writes: {@code membership} (segment_membership of that day)
   * with the event-refreshed segments as the stream has them since, so a daily publish never takes back what the
   * stream published of a later day.
   */
  public static Dataset<Row> overlay(Warehouse warehouse, PipelineConfig config, Dataset<Row> membership,
      LocalDate asOf) {
    List<SegmentSpec> segments = eventSegments(config);
    if (segments.isEmpty() || !warehouse.exists(CHANGES)) {
      return membership;
    }
    Object[] names = segments.stream().map(SegmentSpec::name).toArray();
    return membership.where(col("segment").isin(names).unary_$bang())
        .unionByName(current(warehouse, segments, asOf).withColumn("as_of_date", lit(Date.valueOf(asOf)))
            .select(java.util.Arrays.stream(membership.columns()).map(c -> col(c)).toArray(Column[]::new)));
  }
}
