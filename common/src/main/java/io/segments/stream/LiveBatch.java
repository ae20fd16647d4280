package io.segments.stream;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;

import io.segments.config.PipelineConfig;
import io.segments.config.PropertyFilters;
import io.segments.config.SegmentSpec;
import io.segments.features.FeatureBuilder;
import io.segments.io.Warehouse;
import io.segments.ledger.RunLedger.StepResult;
import io.segments.publish.LivePublish;
import io.segments.rollup.DailyRollup;
import io.segments.segment.SegmentEngine;
import io.segments.stage.EventStager;
import io.segments.step.StepContext;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;

/**
 * One micro-batch of the stream, as of day T after the daily run's last day L: the users whose events the batch
 * holds, and the members of the event-refreshed segments (whose exits by time alone come due on a new day), are
 * evaluated the way the daily run evaluates everyone. Their events are staged again from the source by the same
 * rules (the batch's duplicates and late events are judged against all of their events), rolled up, their features
 * computed for L+1..T and the segments replayed from their membership on L. Their membership is compared with what
 * the stream last published of them: the differences are the batch's entries and exits.
 *
 * <p>Each write is a Delta idempotent write keyed by (query, batch): a batch run again after a crash skips the tables
 * it wrote and writes the others. Its changes are computed against the changes already logged, so an entry is
 * logged once even when the log was written before the crash.
 */
final class LiveBatch {
  private final StepContext context;
  private final List<SegmentSpec> segments;
  private final LivePublish publish;

  LiveBatch(StepContext context) {
    this.context = context;
    this.segments = LiveView.eventSegments(context.config());
    this.publish = new LivePublish(context.config(), segments);
  }

  /**
   * Evaluates and publishes one batch.
   *
   * @param events the batch's staged events
   * @param write runs the batch's writes as idempotent Delta writes
   * @param arrival when the batch's newest events arrived in the source (null: not known), for its latency
   */
  StepResult run(Dataset<Row> events, String queryId, long batchId, LocalDate asOf, LocalDate lastState,
      Instant started, boolean allowLargeChange, java.util.function.Consumer<Runnable> write, Instant arrival) {
    Dataset<Row> touched = events.groupBy("user_id").agg(max("event_at").as("newest_at"), count(lit(1)).as("n"))
        .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      Row sizes = touched.agg(coalesce(org.apache.spark.sql.functions.sum("n"), lit(0L)), count(lit(1))).first();
      long eventCount = sizes.getLong(0);
      long touchedCount = sizes.getLong(1);
      if (!asOf.isAfter(lastState)) {
        return new StepResult(eventCount, 0L, List.of(), "the daily run has written " + lastState + " already: "
            + "nothing to update for " + asOf, asOf, null);
      }
      Warehouse warehouse = context.warehouse();
      Dataset<Row> before = LiveView.current(warehouse, segments, lastState, queryId, batchId);
      Dataset<Row> evaluated = touched.select("user_id").union(before.select("user_id")).distinct()
          .persist(StorageLevel.MEMORY_AND_DISK());
      long evaluatedCount = evaluated.count();
      SegmentEngine.Result replay = replay(evaluated, asOf, lastState, started);
      Dataset<Row> membership = replay.membership().where(Warehouse.on("as_of_date", asOf))
          .select("user_id", "segment", "family", "entered_on").persist(StorageLevel.MEMORY_AND_DISK());
      Dataset<Row> changes = null;
      try {
        changes = changes(before.join(evaluated, new String[] {"user_id"}, "left_semi"), membership,
            touched, asOf, queryId, batchId, started)
            .persist(StorageLevel.MEMORY_AND_DISK());
        Map<String, Long> moved = new HashMap<>();
        long entries = 0;
        long exits = 0;
        for (Row r : changes.groupBy("segment", "change").count().collectAsList()) {
          moved.merge(r.getString(0), r.getLong(2), Long::sum);
          entries += r.getString(1).equals("entered") ? r.getLong(2) : 0;
          exits += r.getString(1).equals("exited") ? r.getLong(2) : 0;
        }
        publish.guard(warehouse, moved, batchId, allowLargeChange);
        String note = "segments.stream_batch=" + batchId + "\nsegments.as_of_date=" + asOf;
        Dataset<Row> logged = changes;
        write.accept(() -> {
          if (!moved.isEmpty() && warehouse.exists(LiveView.CHANGES)) {
            warehouse.append(logged, LiveView.CHANGES);
          } else if (!moved.isEmpty()) {
            warehouse.overwrite(logged, LiveView.CHANGES, "as_of_date");
          }
          // the evaluated users' rows as computed, also without a change: what the log says is what is published
          publish.write(warehouse, membership, evaluated, context.users(), note);
        });
        Long latency = arrival == null ? null : Instant.now().toEpochMilli() - arrival.toEpochMilli();
        return new StepResult(eventCount, entries + exits, List.of(), String.format("batch %d as of %s: %,d users"
            + " touched, %,d evaluated, %,d entries, %,d exits%s", batchId, asOf, touchedCount,
            evaluatedCount, entries, exits, latency == null ? "" : String.format(", latency %.1fs",
                latency / 1000.0)), asOf, latency);
      } finally {
        if (changes != null) {
          changes.unpersist();
        }
        membership.unpersist();
        replay.replay().unpersist();
        evaluated.unpersist();
      }
    } finally {
      touched.unpersist();
    }
  }

  /**
   * The event segments replayed for the evaluated users over the days after {@code lastState} up to {@code asOf}, as
   * the daily run would replay them from the source as it is now (its replay is cached: unpersist it).
   */
  private SegmentEngine.Result replay(Dataset<Row> evaluated, LocalDate asOf, LocalDate lastState, Instant now) {
    PipelineConfig config = context.config();
    Warehouse warehouse = context.warehouse();
    List<LocalDate> days = new ArrayList<>();
    for (LocalDate day = lastState.plusDays(1); !day.isAfter(asOf); day = day.plusDays(1)) {
      days.add(day);
    }
    Dataset<Row> signups = context.signups() == null ? null
        : context.signups().join(evaluated, new String[] {"user_id"}, "left_semi");
    Dataset<Row> features = new FeatureBuilder(config.features(), config.rfmMap(), config.source().vocabulary())
        .build(activity(evaluated, asOf, now), signups, days);
    Dataset<Row> prior = warehouse.read("segment_membership")
        .where(Warehouse.on("as_of_date", lastState)
            .and(col("segment").isin(segments.stream().map(SegmentSpec::name).toArray())))
        .join(evaluated, new String[] {"user_id"}, "left_semi");
    return new SegmentEngine(segments).assign(features, prior);
  }

  /**
   * The evaluated users' rollup rows: staged again from the source (the days from where the daily run as of
   * {@code asOf} would read, {@code source.lookback_days}), the stored rollup before them.
   */
  private Dataset<Row> activity(Dataset<Row> evaluated, LocalDate asOf, Instant now) {
    PipelineConfig config = context.config();
    int lookback = config.source().lookbackDays();
    // where the daily run as of asOf would read from (ReplayPlan.readFrom): all history when the stored rollup was
    // read by another source rule, which the next daily run rebuilds
    LocalDate readFrom = lookback > 0 && !context.fingerprints().isEmpty()
        && !DailyRollup.readsOtherwise(context.warehouse(), config)
        ? DailyRollup.firstDayToRead(context.fingerprints(), asOf, lookback) : null;
    EventStager.Staged staged = EventStager.stage(context.spark(), config.source(), asOf, now, readFrom,
        PropertyFilters.properties(config.features()), evaluated);
    Dataset<Row> fresh = DailyRollup.compute(staged.events());
    if (readFrom == null) {
      return fresh;
    }
    return context.warehouse().read("user_daily_activity").where(col("activity_date").lt(lit(Date.valueOf(readFrom))))
        .join(evaluated, new String[] {"user_id"}, "left_semi").unionByName(fresh, true);
  }

  /**
   * Entries (in {@code after}, not in {@code before}) and exits (the other way), stamped with the user's newest event
   * of the batch, or the batch's start for a member whose exit came with the new day.
   */
  private static Dataset<Row> changes(Dataset<Row> before, Dataset<Row> after, Dataset<Row> touched, LocalDate asOf,
      String queryId, long batchId, Instant started) {
    String[] key = {"user_id", "segment"};
    Dataset<Row> entered = after.join(before, key, "left_anti").withColumn("change", lit("entered"));
    Dataset<Row> exited = before.join(after, key, "left_anti").withColumn("change", lit("exited"));
    Timestamp batchTime = Timestamp.from(started);
    return entered.unionByName(exited).join(touched.select("user_id", "newest_at"), new String[] {"user_id"}, "left")
        .select(lit(Date.valueOf(asOf)).as("as_of_date"), col("user_id"), col("segment"), col("family"),
            col("change"), col("entered_on"), coalesce(col("newest_at"), lit(batchTime)).as("changed_at"),
            lit(queryId).as("query_id"), lit(batchId).as("batch_id"), lit(batchTime).as("logged_at"));
  }
}
