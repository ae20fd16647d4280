package io.segments.stage;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min_by;
import static org.apache.spark.sql.functions.struct;

import io.segments.config.SourceConfig;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * {@code source.identity.stitch}: an event with only an anonymous id gets the user id that its anonymous id is
 * identified as, from the events read that carry both and from the identify table's rows. An anonymous id
 * identified as several users goes to the first: the earliest event carrying both, then the table's rows by user id.
 * Limits (docs/sources.md): only the events a run reads count (all history unless source.lookback_days), and a
 * user identified later changes the days of the earlier events, which the rollup recomputes by their checksums.
 */
final class IdentityStitch {
  private IdentityStitch() {}

  /**
   * @param events source rows renamed to the pipeline's columns, with event_at_parsed
   * @param identifies the identify table, or null
   */
  static Dataset<Row> stitch(Dataset<Row> events, Dataset<Row> identifies, SourceConfig.Identity identity) {
    Dataset<Row> pairs = events.select(id("anonymous_id").as("anonymous_id"), id("user_id").as("identified_as"),
            col("event_at_parsed").as("identified_at"))
        .where(col("anonymous_id").isNotNull().and(col("identified_as").isNotNull()));
    if (identifies != null) {
      pairs = pairs.unionByName(identifies.select(id(identity.anonymousIdColumn()).as("anonymous_id"),
              id(identity.userIdColumn()).as("identified_as"), lit(null).cast("timestamp").as("identified_at"))
          .where(col("anonymous_id").isNotNull().and(col("identified_as").isNotNull())));
    }
    Dataset<Row> first = pairs.groupBy("anonymous_id").agg(min_by(col("identified_as"),
        struct(col("identified_at").isNull(), col("identified_at"), col("identified_as"))).as("identified_as"));
    return events.withColumn("anonymous_key", id("anonymous_id"))
        .join(first, col("anonymous_key").equalTo(first.col("anonymous_id")), "left")
        .drop(first.col("anonymous_id"))
        .withColumn("user_id", coalesce(id("user_id"), col("identified_as")))
        .drop("anonymous_key", "identified_as");
  }

  /** An id as the pipeline reads it: a trimmed string, null when empty. */
  private static Column id(String column) {
    return expr("nullif(trim(cast(" + io.segments.config.Identifiers.spark(column) + " as string)), '')");
  }
}
