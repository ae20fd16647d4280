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
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
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
    String checkpoint = options.checkpoint() != null ? options.checkpoint() : defaultCheckpoint();
    String runId = UUID.randomUUID().toString();
    Duration stale = Duration.ofMinutes(config.lockStaleMinutes());
    AtomicReference<RuntimeException> lost = new AtomicReference<>();
    ScheduledExecutorService beat = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "segments-stream-heartbeat");
      thread.setDaemon(true);
      return thread;
    });
    try (RunLock lock = RunLock.acquire(warehouse, LOCK, runId, "stream", stale)) {
      Arrivals arrivals = Arrivals.of(spark, config.source().events(), checkpoint);
      Dataset<Row> source = open(warehouse, checkpoint);
      VoidFunction2<Dataset<Row>, Long> batch = (rows, batchId) -> batch(rows, batchId, options, runId, arrivals);
      StreamingQuery query = source.writeStream().queryName("segments_stream")
          .option("checkpointLocation", checkpoint)
          .trigger(options.once() ? Trigger.AvailableNow() : Trigger.ProcessingTime(options.every().toMillis()))
          .foreachBatch(batch).start();
      // The stream lock's heartbeat, also while no batch runs (quiet hours) or a batch waits for the daily run.
      beat.scheduleWithFixedDelay(() -> {
        try {
          lock.heartbeat();
        } catch (RuntimeException e) {
          lost.set(e);
          stopQuietly(query);
        }
      }, 30, 30, TimeUnit.SECONDS);
      console.printf("stream %s on %s, checkpoint %s (%s)%n", runId, config.source().events(), checkpoint,
          options.once() ? "what has arrived, then stop" : "a batch every " + options.every().toSeconds() + "s");
      query.awaitTermination();
    } catch (StreamingQueryException e) {
      throw unwrapped(e);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("the stream did not start: " + e.getMessage(), e);
    } finally {
      beat.shutdownNow();
    }
    if (lost.get() != null) {
      throw lost.get();
    }
  }

  private static void stopQuietly(StreamingQuery query) {
    try {
      query.stop();
    } catch (java.util.concurrent.TimeoutException e) {
      // stopping anyway: the lock is no longer the stream's
    }
  }

  /**
   * One micro-batch, under the "run" lock (a daily run and a batch never write the published tables at once; the
   * batch waits while a daily run holds it). Its day is the day it was triggered on (the offset log keeps the
   * trigger time), so a batch run again after midnight evaluates the same day.
   */
  private void batch(Dataset<Row> rows, long batchId, Options options, String runId, Arrivals arrivals) {
    SparkSession session = rows.sparkSession();
    Warehouse warehouse = new Warehouse(session, config.database());
    Duration stale = Duration.ofMinutes(config.lockStaleMinutes());
    try (RunLock writing = RunLock.acquireForBatch(warehouse, runId + ":" + batchId, batchId, stale, console)) {
      Instant started = Instant.now();
      Instant triggered = arrivals.triggeredAt(batchId);
      LocalDate asOf = options.asOf() != null ? options.asOf()
          : LocalDate.ofInstant(triggered != null ? triggered : started, ZoneId.of(config.timeZone()));
      LocalDate lastState = SegmentsStep.lastStateDay(warehouse);
      String queryId = session.sparkContext().getLocalProperty("sql.streaming.queryId");
      // Each table records (appId, batch) with its commit; a batch run again skips the tables that recorded it.
      java.util.function.Consumer<Runnable> idempotent = writes -> warehouse.committing(
          "segments.stream_batch=" + batchId, Map.of("spark.databricks.delta.write.txnAppId",
              "segments-stream-" + queryId, "spark.databricks.delta.write.txnVersion", String.valueOf(batchId)),
          writes);
      StepContext context = new StepContext(config, warehouse, runId);
      RunLedger ledger = new RunLedger(warehouse, runId, "stream", asOf, console);
      try {
        ledger.step("stream", () -> {
          List<String> properties = PropertyFilters.properties(config.features());
          Dataset<Row> events = EventStager.stage(session, rows, config.source(), asOf, started, properties).events();
          if (batchId == 0) {
            // A new stream's first batch also takes the events of the days after the daily run's already in the
            // source: they may have been committed before its starting version (StartingVersion).
            events = events.unionByName(EventStager.stage(session, config.source(), asOf, started,
                lastState.plusDays(1), properties).events());
          }
          return new LiveBatch(context).run(events, queryId, batchId, asOf, lastState, started,
              options.allowLargeChange(), idempotent, arrivals.newest(batchId));
        });
        idempotent.accept(ledger::flush); // once per batch, also when the batch runs again after a crash
        if (options.postgres()) {
          ledger.step("postgres", new PostgresStep(context));
          ledger.flush();
        }
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
  }

  /**
   * The source as a stream. A Delta source starts at {@link StartingVersion} (the first version that may hold events
   * of the days after the last daily run); a path of files is read from its first file on a first start.
   */
  private Dataset<Row> open(Warehouse warehouse, String checkpoint) {
    SourceConfig source = config.source();
    String events = source.events();
    String format = SourceConfig.pathFormat(events);
    String first = null;
    if (format == null || format.equals("delta")) {
      // a first version not committed yet (nothing arrived since the daily run) is where the stream waits
      spark.conf().set("spark.databricks.delta.changeDataFeed.timestampOutOfRange.enabled", "true");
      first = String.valueOf(StartingVersion.of(warehouse, config, checkpoint));
    }
    try {
      if (format == null) {
        return spark.readStream().format("delta").option("startingVersion", first).table(events);
      }
      if (format.equals("delta")) {
        return spark.readStream().format("delta").option("startingVersion", first)
            .load(events.substring(format.length() + 1));
      }
      Dataset<Row> batch = SourceReader.open(spark, events, "source.events", source.options());
      return spark.readStream().format(format).options(SourceReader.readerOptions(events, source.options()))
          .schema(batch.schema()).load(events.substring(format.length() + 1));
    } catch (RuntimeException e) {
      throw new InputRefusedException("cannot read source.events '" + events + "' as a stream: "
          + SourceReader.firstLine(e.getMessage()), "the stream reads a Delta table, or a path of delta, parquet,"
          + " json or csv files (source.events); register the table as Delta or point it at its files");
    }
  }

  /**
   * {@code _stream_checkpoint} in the output database's directory (never inside a table's, which VACUUM would clean);
   * a database without a directory of its own (a Unity Catalog schema) needs {@code --checkpoint}.
   */
  private String defaultCheckpoint() {
    String location = null;
    if (!config.database().contains(".")) {
      try {
        location = spark.catalog().getDatabase(config.database()).locationUri();
      } catch (org.apache.spark.sql.AnalysisException e) {
        location = null;
      }
    }
    if (location == null || location.isBlank()) {
      throw new ConfigException("--checkpoint", "the database " + config.database() + " has no directory of its own"
          + " for the stream's checkpoint", "give one: --checkpoint s3://bucket/segments/stream_checkpoint");
    }
    return location.replaceAll("/$", "") + "/_stream_checkpoint";
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
