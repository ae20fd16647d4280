package io.segments.stage;

import io.segments.config.SourceConfig;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Collection;

/**
 * Whether the as-of day's data has arrived, as dbt's {@code source freshness} asks before a model is built: the day
 * holds at least {@code source.freshness.min_share} of a typical day's events (the median of the days before it),
 * and its newest event is at most {@code source.freshness.max_lag_hours} before the end of the day. With neither
 * set, a day without a single event is stale. A stale day is refused ({@link StaleDataException}, exit 6) before
 * any step writes, so recency audiences never move on a failed upstream load.
 */
public final class SourceFreshness {
  private SourceFreshness() {}

  /**
   * @param dayEvents the valid events stamped on {@code asOf}
   * @param newest the newest valid event up to the end of {@code asOf} that the run read; null when none
   * @param earlierDays the events of each of the days before {@code asOf} (a week or so), for a typical day
   */
  public static void check(SourceConfig.Freshness freshness, LocalDate asOf, ZoneId zone, long dayEvents,
      Instant newest, Collection<Long> earlierDays) {
    Instant end = asOf.plusDays(1).atStartOfDay(zone).toInstant();
    String seen = newest == null ? "no event at all" : "the newest event at " + newest;
    String fix = "wait until the day's events have arrived and run again (exit 6: retry later); if the day was"
        + " really this quiet, run it with --allow-stale";
    if (dayEvents == 0) {
      throw new StaleDataException("the source has no event on " + asOf + " (it holds " + seen
          + "); a day is published only when its events have arrived", fix);
    }
    if (freshness.maxLagHours() > 0 && newest != null
        && Duration.between(newest, end).toMinutes() > 60L * freshness.maxLagHours()) {
      throw new StaleDataException(String.format("the newest event of %s is at %s, %.1f hours before the day ended,"
              + " more than source.freshness.max_lag_hours %d", asOf, newest,
          Duration.between(newest, end).toMinutes() / 60.0, freshness.maxLagHours()), fix);
    }
    long typical = median(earlierDays);
    if (freshness.minShare() > 0 && typical > 0 && dayEvents < freshness.minShare() * typical) {
      throw new StaleDataException(String.format("%s holds %,d events, %.0f%% of a typical day's %,d (the median of"
              + " the %d days before it), less than source.freshness.min_share %.0f%% (the source holds %s)", asOf, dayEvents,
          100.0 * dayEvents / typical, typical, earlierDays.size(), 100 * freshness.minShare(), seen), fix);
    }
  }

  private static long median(Collection<Long> days) {
    if (days.isEmpty()) {
      return 0;
    }
    long[] sorted = days.stream().mapToLong(Long::longValue).sorted().toArray();
    return sorted[sorted.length / 2];
  }
}
