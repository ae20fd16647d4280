package io.segments.rollup;

import io.segments.io.SqlFiles;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The rollup step: {@code user_daily_activity}, one row per (user_id, activity_date, event_name) with the
 * day's count, revenue and first and last timestamps.
 */
public final class DailyRollup {
  private DailyRollup() {}

  public static Dataset<Row> compute(Dataset<Row> stagedEvents) {
    stagedEvents.createOrReplaceTempView("stg_events");
    return SqlFiles.run(stagedEvents.sparkSession(), "intermediate/user_daily_activity.sql");
  }
}
