package io.segments.stream;

import io.segments.config.ConfigException;
import io.segments.config.PipelineConfig;
import io.segments.config.PropertyFilters;
import io.segments.config.SourceConfig;
import io.segments.io.InputRefusedException;
import io.segments.io.SourceReader;
import io.segments.io.Warehouse;
import io.segments.ledger.RunLedger;
import io.segments.ledger.RunLock;
import io.segments.publish.LivePublish;
import io.segments.publish.PostgresStep;
import io.segments.segment.RuleChecker;
import io.segments.segment.SegmentsStep;
import io.segments.stage.EventStager;
import io.segments.step.StepContext;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.Trigger;

/**
 * {@code ./segments stream}: a Structured Streaming query over the events source that keeps the event-refreshed
 * segments ({@code refresh: event}) up to date between daily runs, one {@link LiveBatch} per micro-batch. It holds
 * the "stream" lock (one stream per output database), waits while the daily run holds its lock (their writes of the
 * published tables never race), checkpoints under the warehouse and records each batch in {@code pipeline_runs}.
 */
public final class EventStream {
  /** The lock a stream holds while it runs. */
  public static final String LOCK = "stream";

  private final PipelineConfig config;
  private final SparkSession spark;
  private final PrintStream console;

  public EventStream(PipelineConfig config, SparkSession spark, PrintStream console) {
    this.config = config;
    this.spark = spark;
    this.console = console;
  }

  /**
   * How to run: {@code once} processes what has arrived and stops (availableNow), else a batch every {@code every};
   * {@code asOf} fixes the day the batches evaluate (replays and tests; null: today in the config's time zone).
   */
  public record Options(boolean once, Duration every, LocalDate asOf, boolean allowLargeChange, boolean postgres,
      String checkpoint) {}

  /** Runs the stream until it is stopped or fails; with {@code once}, until what has arrived is processed. */
  public void run(Options options) {
    spark.conf().set("spark.sql.session.timeZone", config.timeZone());
    RuleChecker.check(spark, config);
    if (LiveView.eventSegments(config).isEmpty()) {
      throw new ConfigException(config.file().toString(), "no segment has refresh: event",
          "add refresh: event to the segments the stream should keep up to date (docs/config.md)");
    }
    if (options.postgres()) {
      config.requirePostgres();
    }
    Warehouse warehouse = new Warehouse(spark, config.database());
    LivePublish.requirePublished(warehouse);
    if (SegmentsStep.lastStateDay(warehouse) == null) {
      throw new ConfigException("stream", "no daily run has written segment state in " + config.database(),
          "run the daily pipeline first: ./segments run --as-of <yesterday>");
    }
    String checkpoint = options.checkpoint() != null ? options.checkpoint()
        : warehouse.location("segment_membership").replaceAll("/segment_membership/?$", "") + "/_stream_checkpoint";
    String runId = UUID.randomUUID().toString();
    Duration stale = Duration.ofMinutes(config.lockStaleMinutes());
    try (RunLock lock = RunLock.acquire(warehouse, LOCK, runId, "stream", stale)) {
      Arrivals arrivals = Arrivals.of(spark, config.source().events(), checkpoint);
      VoidFunction2<Dataset<Row>, Long> batch = (rows, batchId) -> batch(rows, batchId, options, runId, lock,
          arrivals);
      StreamingQuery query = open(warehouse, checkpoint).writeStream().queryName("segments_stream")
          .option("checkpointLocation", checkpoint)
          .trigger(options.once() ? Trigger.AvailableNow() : Trigger.ProcessingTime(options.every().toMillis()))
          .foreachBatch(batch).start();
      console.printf("stream %s on %s, checkpoint %s (%s)%n", runId, config.source().events(), checkpoint,
          options.once() ? "what has arrived, then stop" : "a batch every " + options.every().toSeconds() + "s");
      query.awaitTermination();
    } catch (StreamingQueryException e) {
      throw unwrapped(e);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("the stream did not start: " + e.getMessage(), e);
    }
  }

  private void batch(Dataset<Row> rows, long batchId, Options options, String runId, RunLock lock,
      Arrivals arrivals) {
    Instant started = Instant.now();
    SparkSession session = rows.sparkSession();
    Warehouse warehouse = new Warehouse(session, config.database());
    lock.heartbeat();
    waitForDailyRun(warehouse);
    LocalDate asOf = options.asOf() != null ? options.asOf() : LocalDate.now(ZoneId.of(config.timeZone()));
    LocalDate lastState = SegmentsStep.lastStateDay(warehouse);
    String queryId = session.sparkContext().getLocalProperty("sql.streaming.queryId");
    // Each table records (appId, batch) with its commit; a batch run again skips the tables that recorded it.
    java.util.function.Consumer<Runnable> idempotent = writes -> warehouse.committing(
        "segments.stream_batch=" + batchId, Map.of("spark.databricks.delta.write.txnAppId",
            "segments-stream-" + queryId, "spark.databricks.delta.write.txnVersion", String.valueOf(batchId)), writes);
    StepContext context = new StepContext(config, warehouse, runId);
    RunLedger ledger = new RunLedger(warehouse, runId, "stream", asOf, console);
    try {
      ledger.step("stream", () -> {
        Dataset<Row> events = EventStager.stage(session, rows, config.source(), asOf, started,
            PropertyFilters.properties(config.features())).events();
        return new LiveBatch(context).run(events, queryId, batchId, asOf, lastState, started,
            options.allowLargeChange(), idempotent, arrivals.newest(batchId));
      });
      if (options.postgres()) {
        ledger.step("postgres", new PostgresStep(context));
      }
      idempotent.accept(ledger::flush); // once per batch, also when the batch runs again after a crash
    } catch (RuntimeException e) {
      try {
        ledger.flush(); // a failed attempt's row: the batch runs again when the stream restarts
      } catch (RuntimeException flushing) {
        e.addSuppressed(flushing);
      }
      throw e;
    } finally {
      context.close();
    }
  }

  /** Waits while the daily run holds its lock: the daily publish and a batch would otherwise race. */
  private void waitForDailyRun(Warehouse warehouse) {
    Duration stale = Duration.ofMinutes(config.lockStaleMinutes());
    boolean said = false;
    while (RunLock.held(warehouse, RunLock.RUN, stale)) {
      if (!said) {
        console.println("  waiting for the daily run to release its lock");
        said = true;
      }
      try {
        Thread.sleep(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the daily run", e);
      }
    }
  }

  /**
   * The source as a stream. A Delta source starts at {@link StartingVersion} (the first version the last daily run
   * may not have read); a path of files is read from its first file on a first start.
   */
  private Dataset<Row> open(Warehouse warehouse, String checkpoint) {
    SourceConfig source = config.source();
    String events = source.events();
    String format = SourceConfig.pathFormat(events);
    try {
      if (format == null || format.equals("delta")) {
        // a first version not committed yet (nothing arrived since the daily run) is where the stream waits
        spark.conf().set("spark.databricks.delta.changeDataFeed.timestampOutOfRange.enabled", "true");
        String first = String.valueOf(StartingVersion.of(warehouse, events, checkpoint));
        return format == null ? spark.readStream().format("delta").option("startingVersion", first).table(events)
            : spark.readStream().format("delta").option("startingVersion", first)
                .load(events.substring(format.length() + 1));
      }
      Dataset<Row> batch = SourceReader.open(spark, events, "source.events", source.options());
      return spark.readStream().format(format).options(SourceReader.readerOptions(events, source.options()))
          .schema(batch.schema()).load(events.substring(format.length() + 1));
    } catch (Exception e) {
      throw new InputRefusedException("cannot read source.events '" + events + "' as a stream: "
          + SourceReader.firstLine(e.getMessage()), "the stream reads a Delta table, or a path of delta, parquet,"
          + " json or csv files (source.events); register the table as Delta or point it at its files");
    }
  }

  /** The error a batch failed with (a guard, a refused input, a config error keep their exit codes). */
  private static RuntimeException unwrapped(StreamingQueryException e) {
    Throwable cause = e.getCause();
    while (cause != null && !(cause instanceof io.segments.config.UserError) && cause.getCause() != null
        && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return cause instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getMessage(), e);
  }
}
