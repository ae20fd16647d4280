package io.segments.bench;

import static org.apache.spark.sql.functions.col;

import io.segments.config.ConfigLoader;
import io.segments.config.PipelineConfig;
import io.segments.generate.EventGenerator;
import io.segments.io.SparkSessions;
import io.segments.io.Warehouse;
import io.segments.pipeline.DailyPipeline;
import io.segments.stream.EventStream;
import io.segments.stream.LiveView;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * {@code ./segments bench --stream}: the event-refreshed segments' latency on the demo's users. Generates the demo's
 * events, runs the daily pipeline as of D-1 on all but D's events (and D-1's evening, which arrives late), starts
 * {@code stream --trigger T} and appends D's events to the Delta source hour by hour every few seconds (the late
 * evening with the fourth append, copies of the first with the seventh). Prints each batch and, per append, the time
 * from its commit to the commit of the audience rows of the first batch that read it; then runs the daily pipeline
 * as of D and counts the users whose event-refreshed membership differs from what the stream had.
 */
final class StreamBench {
  private StreamBench() {}

  static int run(Path dir, Path template, long users, Duration gap, Duration trigger) throws Exception {
    Files.createDirectories(dir.resolve("conf"));
    Path source = dir.resolve("source");
    for (Path f : List.of(source, dir.resolve("warehouse"), dir.resolve("data"))) {
      org.apache.commons.io.FileUtils.deleteDirectory(f.toFile());
    }
    org.apache.commons.io.FileUtils.copyDirectory(template.toAbsolutePath().getParent().resolve("segments").toFile(),
        dir.resolve("conf").resolve("segments").toFile());
    Path file = dir.resolve("conf").resolve("local.yaml");
    Files.writeString(file, Files.readString(template)
        .replaceFirst("(?m)^(\\s+)events: .*$", "$1events: delta:" + source)
        .replaceFirst("(?m)^(\\s+)users: .*$", "$1users: parquet:" + dir.resolve("data/users"))
        .replaceFirst("(?m)^(\\s+)warehouse: .*$", "$1warehouse: " + dir.resolve("warehouse")));
    PipelineConfig config = ConfigLoader.load(file);
    SparkSession spark = SparkSessions.create(config, "segments bench --stream");
    LocalDate day = LocalDate.of(2026, 10, 31);
    LocalDate previous = day.minusDays(1);
    EventGenerator.Spec spec = new EventGenerator.Spec(users, day, 120, 42, config.timeZone());
    EventGenerator.events(spark, spec).write().parquet(dir.resolve("data/events").toString());
    EventGenerator.users(spark, spec).write().parquet(dir.resolve("data/users").toString());
    Dataset<Row> events = spark.read().parquet(dir.resolve("data/events").toString());
    String late = "(to_date(event_at) = '" + previous + "' and hour(event_at) >= 17)";
    events.where("to_date(event_at) < '" + day + "' and not " + late).write().format("delta").save(source.toString());
    DailyPipeline daily = new DailyPipeline(config, spark, System.out);
    daily.run(new DailyPipeline.RunOptions(previous, null, true, false, EnumSet.allOf(DailyPipeline.Step.class),
        false));

    Thread stream = new Thread(() -> new EventStream(config, spark, System.out).run(new EventStream.Options(false,
        trigger, day, true, false, null)), "segments-stream");
    stream.start();
    List<Instant> appended = new ArrayList<>();
    for (int hour = 0; hour < 24; hour++) {
      Dataset<Row> rows = events.where("to_date(event_at) = '" + day + "' and hour(event_at) = " + hour);
      if (rows.isEmpty()) {
        continue;
      }
      int k = appended.size();
      rows = k == 3 ? rows.unionByName(events.where(late)) : k == 6
          ? rows.unionByName(events.where("to_date(event_at) = '" + day + "' and hour(event_at) < 11")) : rows;
      appended.add(Instant.now()); // before the commit: a batch whose newest source commit is later has read it
      rows.write().format("delta").mode("append").save(source.toString());
      Thread.sleep(gap.toMillis());
    }
    Warehouse warehouse = new Warehouse(spark, config.database());
    List<Row> batches = awaitBatches(warehouse, appended.get(appended.size() - 1));
    spark.streams().active()[0].stop();
    stream.join();
    List<Row> streamed = LiveView.current(warehouse, LiveView.eventSegments(config), previous)
        .select("user_id", "segment").collectAsList();
    daily.run(new DailyPipeline.RunOptions(day, null, true, false, EnumSet.allOf(DailyPipeline.Step.class), false));
    Object[] names = LiveView.eventSegments(config).stream().map(s -> s.name()).toArray();
    Dataset<Row> reference = warehouse.read("segment_membership")
        .where(Warehouse.on("as_of_date", day).and(col("segment").isin(names))).select("user_id", "segment");
    Dataset<Row> mine = spark.createDataFrame(streamed, reference.schema());
    long differ = reference.except(mine).union(mine.except(reference)).select("user_id").distinct().count();
    print(batches, appended, reference.count(), differ);
    return differ == 0 ? 0 : 1;
  }

  /** When a batch's newest source commit arrived: its end less its latency. */
  private static Instant arrival(Row batch) {
    Long latency = batch.getAs("latency_ms");
    return latency == null ? Instant.MIN
        : batch.getTimestamp(batch.fieldIndex("ended_at")).toInstant().minusMillis(latency);
  }

  /** The stream's ledger rows once a batch has read the commit that began after {@code last}. */
  private static List<Row> awaitBatches(Warehouse warehouse, Instant last) throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofMinutes(15));
    while (Instant.now().isBefore(deadline)) {
      if (warehouse.exists("pipeline_runs")) {
        List<Row> rows = warehouse.read("pipeline_runs").where(col("command").equalTo("stream")
            .and(col("step").equalTo("stream"))).orderBy("started_at").collectAsList();
        if (rows.stream().anyMatch(r -> !arrival(r).isBefore(last))) {
          return rows;
        }
      }
      Thread.sleep(5000);
    }
    throw new IllegalStateException("the stream did not read the last append within 15 minutes");
  }

  private static void print(List<Row> batches, List<Instant> appended, long members, long differ) {
    System.out.printf("%nstream batches (trigger as given; appends of an hour of day D's events):%n");
    System.out.printf("  %-8s %9s %8s %9s %s%n", "status", "events", "seconds", "latency", "batch");
    for (Row r : batches) {
      Long latency = r.getAs("latency_ms");
      System.out.printf("  %-8s %,9d %8.1f %9s %s%n", r.<String>getAs("status"), r.<Long>getAs("rows_in"),
          r.<Long>getAs("duration_ms") / 1000.0, latency == null ? "-" : String.format("%.1fs", latency / 1000.0),
          r.<String>getAs("message"));
    }
    List<Double> waits = new ArrayList<>();
    for (Instant at : appended) {
      batches.stream().filter(r -> r.getString(r.fieldIndex("status")).equals("succeeded")
              && !arrival(r).isBefore(at)).findFirst()
          .ifPresent(r -> waits.add((r.getTimestamp(r.fieldIndex("ended_at")).getTime() - at.toEpochMilli()) / 1000.0));
    }
    List<Double> sorted = waits.stream().sorted().toList();
    System.out.printf("%nappend -> audience rows committed, %d appends: median %.1fs, max %.1fs (targets: median"
        + " under 120 s, every batch under 300 s)%n", sorted.size(), sorted.get(sorted.size() / 2),
        sorted.get(sorted.size() - 1));
    System.out.printf("end of day: %,d event-refreshed memberships in the daily run as of D; %,d users differ from"
        + " the stream%n", members, differ);
  }
}
