package io.segments.pipeline;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;

import io.segments.config.ConfigException;
import io.segments.config.PipelineConfig;
import io.segments.io.Warehouse;
import io.segments.rollup.DailyRollup;
import io.segments.segment.SegmentsStep;
import java.io.PrintStream;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The days a run replays. Segment membership on D needs membership on D-1, so a daily run replays every day since
 * the last day with segment state (or {@code segments_state.replay_days} days on a first run, from the first day
 * with events at the earliest); a backfill replays
 * its range, resuming after the last day an interrupted attempt of it completed. Days go through features and
 * segments in chunks of {@code segments_state.replay_chunk_days} (7 unless set), which bounds memory and gives resume
 * points; each chunk costs the steps' fixed cost once, so small data replays faster in one chunk. (A chunk of one
 * day takes the features step's carried-state path, which a backfill rebuilds from all history every day.)
 */
final class ReplayPlan {
  private ReplayPlan() {}

  /**
   * The days a run with these options replays, in order; refuses (exit 2) a range that would rewrite history.
   *
   * @param lastState the last day with segment state ({@link SegmentsStep#lastStateDay}), read once per run
   */
  static List<LocalDate> days(PipelineConfig config, Warehouse warehouse, DailyPipeline.RunOptions options,
      PrintStream console, LocalDate lastState) {
    LocalDate asOf = options.asOf();
    LocalDate from = options.from();
    LocalDate first;
    if (from != null) {
      if (from.isAfter(asOf)) {
        throw new ConfigException("--from", "backfill range starts (" + from + ") after it ends (" + asOf + ")",
            "give --from D1 --to D2 with D1 <= D2");
      }
      if (lastState != null && lastState.isAfter(asOf)) {
        throw new ConfigException("--to", "segment state exists through " + lastState + ", after " + asOf
            + "; a backfill that stops earlier would leave later membership built on the old history",
            "backfill through the last day: --to " + lastState);
      }
      LocalDate completed = completedByInterruptedBackfill(warehouse, options);
      first = completed == null ? from : completed.plusDays(1);
      if (completed != null) {
        console.printf("resuming the interrupted backfill %s..%s after %s, the last day it completed%n", from, asOf,
            completed);
      }
    } else if (lastState == null) {
      first = asOf.minusDays(config.replayDays() - 1L);
    } else if (lastState.isAfter(asOf)) {
      throw new ConfigException("--as-of", "segment state already exists through " + lastState + ", after " + asOf,
          "rebuild past days with: backfill --from " + asOf + " --to " + lastState);
    } else {
      first = lastState.isEqual(asOf) ? asOf : lastState.plusDays(1);
    }
    List<LocalDate> days = new ArrayList<>();
    for (LocalDate day = first; !day.isAfter(asOf); day = day.plusDays(1)) {
      days.add(day);
    }
    return days;
  }

  /**
   * A first run's days from the first day the rollup holds events: with less history than
   * {@code segments_state.replay_days}, the replay starts where the data starts (the as-of day at the latest).
   */
  static List<LocalDate> fromFirstEvent(List<LocalDate> days, java.util.Map<java.sql.Date, long[]> prints) {
    LocalDate first = prints.keySet().stream().map(java.sql.Date::toLocalDate)
        .min(LocalDate::compareTo).orElse(null);
    if (first == null || !first.isAfter(days.get(0))) {
      return days;
    }
    List<LocalDate> kept = days.stream().filter(day -> !day.isBefore(first)).toList();
    return kept.isEmpty() ? days.subList(days.size() - 1, days.size()) : kept;
  }

  static List<List<LocalDate>> chunks(List<LocalDate> days, int chunkDays) {
    List<List<LocalDate>> chunks = new ArrayList<>();
    for (int i = 0; i < days.size(); i += chunkDays) {
      chunks.add(days.subList(i, Math.min(days.size(), i + chunkDays)));
    }
    return chunks;
  }

  /**
   * The first day of events a run reads: with {@code source.lookback_days} N, the N days before the first day
   * not rolled up yet; null (all history) without a lookback, on a first run, with {@code --full} and for a
   * backfill, which rebuilds what late data older than the lookback changed; also when the rollup is rebuilt
   * because the source is read by another rule ({@link DailyRollup#rule}).
   */
  static LocalDate readFrom(PipelineConfig config, Warehouse warehouse, DailyPipeline.RunOptions options,
      java.util.Map<java.sql.Date, long[]> prints) {
    int lookback = config.source().lookbackDays();
    if (lookback == 0 || options.full() || options.from() != null || prints.isEmpty()
        || !warehouse.exists("user_daily_activity")
        || DailyRollup.readsOtherwise(warehouse, config)) {
      return null;
    }
    return DailyRollup.firstDayToRead(prints, options.asOf(), lookback);
  }

  /**
   * The last day completed by the attempts of the same backfill since it last finished (published); null to
   * start from the first day.
   */
  private static LocalDate completedByInterruptedBackfill(Warehouse warehouse, DailyPipeline.RunOptions options) {
    if (!warehouse.exists("pipeline_runs") || !warehouse.exists("segment_membership")) {
      return null;
    }
    Dataset<Row> attempts = warehouse.read("pipeline_runs")
        .where(col("command").equalTo(options.command()));
    Row lastSuccess = attempts.where(col("step").equalTo("publish").and(col("status").equalTo("succeeded")))
        .agg(max("started_at")).first();
    Dataset<Row> since = lastSuccess.isNullAt(0) ? attempts
        : attempts.where(col("started_at").gt(lastSuccess.getTimestamp(0)));
    Row done = since.where(col("step").equalTo("segments").and(col("status").equalTo("succeeded")))
        .agg(max("last_day")).first();
    if (done.isNullAt(0) || !done.getDate(0).toLocalDate().isBefore(options.asOf())) {
      return null;
    }
    return done.getDate(0).toLocalDate();
  }
}
