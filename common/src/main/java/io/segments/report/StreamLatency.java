package io.segments.report;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.sum;

import io.segments.io.Warehouse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Row;

/**
 * The report's section on the stream: per day, its micro-batches and the distribution of their latency (newest
 * event's arrival in the source to the commit of the audience rows), from {@code pipeline_runs}.
 */
final class StreamLatency {
  private StreamLatency() {}

  static String section(Warehouse warehouse) {
    if (!warehouse.exists("pipeline_runs")
        || !java.util.Arrays.asList(warehouse.read("pipeline_runs").columns()).contains("latency_ms")) {
      return "<p>No stream batch recorded (segments with <code>refresh: event</code> are kept up to date by"
          + " <code>./segments stream</code>).</p>";
    }
    List<Row> days = warehouse.read("pipeline_runs")
        .where(col("command").equalTo("stream").and(col("step").equalTo("stream"))
            .and(col("status").equalTo("succeeded")))
        .groupBy("as_of_date").agg(count("*"), sum("rows_in"), sum("rows_out"),
            expr("percentile(latency_ms, 0.5)"), expr("percentile(latency_ms, 0.9)"), max("latency_ms"))
        .orderBy(col("as_of_date").desc()).limit(14).collectAsList();
    if (days.isEmpty()) {
      return "<p>No stream batch recorded.</p>";
    }
    List<List<String>> rows = new ArrayList<>();
    for (Row r : days) {
      rows.add(List.of(String.valueOf(r.getDate(0)), String.format("%,d", r.getLong(1)),
          String.format("%,d", r.getLong(2)), String.format("%,d", r.getLong(3)), seconds(r, 4), seconds(r, 5),
          seconds(r, 6)));
    }
    return "<p>Micro-batches of <code>./segments stream</code> per day (the last 14), and the time from the newest"
        + " event's arrival in the source to the commit of the audience rows.</p>"
        + Html.table(List.of("day", "batches", "events", "entries and exits", "median latency", "p90 latency",
            "max latency"), rows);
  }

  private static String seconds(Row r, int i) {
    return r.isNullAt(i) ? "-" : String.format(Locale.ROOT, "%.1f s", ((Number) r.get(i)).doubleValue() / 1000);
  }
}
