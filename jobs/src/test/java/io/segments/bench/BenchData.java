package io.segments.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The benchmark's events, generated with Spark SQL expressions (millions of rows a second, unlike the demo's
 * persona generator): an e-commerce-like vocabulary, a heavy-tailed number of events per user, users who start
 * and stop at random days, and one purchase in twenty events. Written as Parquet ordered by time, as event
 * tables usually are, so a reader of recent days skips the older files by their statistics.
 *
 * <p>{@code <dir>/events} holds the history up to the last day; {@link #appendDay} adds one more day as
 * {@code day-*.parquet} files, which {@link #removeAppendedDays} takes away again so the data can be reused.
 */
final class BenchData {
  record Spec(long users, int eventsPerUser, int days, LocalDate lastDay, long seed) {
    long expectedEvents() {
      return users * eventsPerUser;
    }

    String describe() {
      return users + " users x " + eventsPerUser + " events over " + days + " days to " + lastDay + " (seed " + seed + ")";
    }
  }

  private BenchData() {}

  /** Generates {@code <dir>/events} unless the same spec already did; returns the number of events. */
  static long ensure(SparkSession spark, Path dir, Spec spec) throws IOException {
    Path marker = dir.resolve("SPEC");
    Path events = dir.resolve("events");
    removeAppendedDays(events);
    if (Files.exists(marker) && Files.readString(marker).strip().equals(spec.describe())) {
      return spark.read().parquet(events.toString()).count();
    }
    Files.deleteIfExists(marker);
    Files.createDirectories(dir);
    int files = (int) Math.max(2, spec.expectedEvents() / 4_000_000);
    history(spark, spec).repartitionByRange(files, col("event_at")).sortWithinPartitions("event_at")
        .write().mode("overwrite").option("compression", "snappy").parquet(events.toString());
    Files.writeString(marker, spec.describe() + "\n");
    return spark.read().parquet(events.toString()).count();
  }

  /** Events of the day after the last one, added as {@code day-*} files. Returns their number. */
  static long appendDay(SparkSession spark, Path dir, Spec spec) throws IOException {
    Path events = dir.resolve("events");
    Path staging = dir.resolve("next-day");
    nextDay(spark, spec).coalesce(1).sortWithinPartitions("event_at")
        .write().mode("overwrite").parquet(staging.toString());
    try (Stream<Path> parts = Files.list(staging)) {
      for (Path part : parts.filter(p -> p.getFileName().toString().endsWith(".parquet")).toList()) {
        Files.move(part, events.resolve("day-" + part.getFileName()));
      }
    }
    deleteTree(staging);
    return spark.read().parquet(events.resolve("day-*").toString()).count();
  }

  static void removeAppendedDays(Path events) throws IOException {
    if (!Files.isDirectory(events)) {
      return;
    }
    try (Stream<Path> files = Files.list(events)) {
      for (Path file : files.filter(p -> p.getFileName().toString().startsWith("day-")).toList()) {
        Files.delete(file);
      }
    }
  }

  /**
   * Per user: a start day, an end day (half the users are still active on the last day), and a lognormal
   * number of events (mean {@code eventsPerUser}) spread uniformly over the days between.
   */
  static Dataset<Row> history(SparkSession spark, Spec spec) {
    int partitions = (int) Math.max(2, spec.users() / 50_000);
    return spark.range(0, spec.users(), 1, partitions).selectExpr(
            "id as uid",
            String.format("cast(rand(%d) * %d * 0.8 as int) as start_day", spec.seed(), spec.days()),
            String.format("rand(%d) < 0.5 as still_active", spec.seed() + 1),
            String.format("rand(%d) as stop_at", spec.seed() + 2),
            String.format("greatest(1, cast(%d * exp(randn(%d) * 0.8 - 0.32) as int)) as n_events",
                spec.eventsPerUser(), spec.seed() + 3))
        .selectExpr("uid", "start_day",
            String.format("if(still_active, %1$d, start_day + cast(stop_at * (%1$d - start_day) as int)) as end_day",
                spec.days() - 1),
            "n_events")
        .selectExpr("uid", "start_day", "end_day", "explode(sequence(1, n_events)) as k")
        .selectExpr("uid", "k",
            String.format("start_day + cast(rand(%d) * (end_day - start_day + 1) as int) as day", spec.seed() + 4),
            String.format("rand(%d) as r_name", spec.seed() + 5),
            String.format("rand(%d) as r_time", spec.seed() + 6),
            String.format("rand(%d) as r_revenue", spec.seed() + 7))
        .select(expr("concat('e', uid, '-', k)").as("event_id"), userId(), eventName(),
            expr(String.format("timestamp'%s 00:00:00' + make_interval(0, 0, 0, day, 0, 0, r_time * 86400)",
                spec.lastDay().minusDays(spec.days() - 1L))).as("event_at"),
            revenue());
  }

  /** The day after {@code lastDay}: 30% of the users, 1 to 10 events each. */
  static Dataset<Row> nextDay(SparkSession spark, Spec spec) {
    int partitions = (int) Math.max(2, spec.users() / 200_000);
    return spark.range(0, spec.users(), 1, partitions)
        .where(String.format("rand(%d) < 0.3", spec.seed() + 11)).selectExpr("id as uid",
            String.format("explode(sequence(1, 1 + cast(rand(%d) * 10 as int))) as k", spec.seed() + 12))
        .selectExpr("uid", "k", String.format("rand(%d) as r_name", spec.seed() + 13),
            String.format("rand(%d) as r_time", spec.seed() + 14),
            String.format("rand(%d) as r_revenue", spec.seed() + 15))
        .select(expr("concat('n', uid, '-', k)").as("event_id"), userId(), eventName(),
            expr(String.format("timestamp'%s 00:00:00' + make_interval(0, 0, 0, 0, 0, 0, r_time * 86400)",
                spec.lastDay().plusDays(1))).as("event_at"),
            revenue());
  }

  private static org.apache.spark.sql.Column userId() {
    return expr("concat('u', lpad(cast(uid as string), 8, '0'))").as("user_id");
  }

  private static org.apache.spark.sql.Column eventName() {
    return expr("case when r_name < 0.60 then 'page_view' when r_name < 0.85 then 'search'"
        + " when r_name < 0.95 then 'add_to_cart' else 'purchase' end").as("event_name");
  }

  private static org.apache.spark.sql.Column revenue() {
    return expr("if(r_name >= 0.95, round(5 + r_revenue * 95, 2), cast(null as double))").as("revenue_usd");
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
