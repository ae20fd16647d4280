package io.segments.stage;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.to_date;

import io.segments.config.PropertyFilters;
import io.segments.io.DayPartitions;
import io.segments.io.InputRefusedException;
import io.segments.io.Warehouse;
import io.segments.ledger.RunLedger.Step;
import io.segments.ledger.RunLedger.StepResult;
import io.segments.step.StepContext;
import java.sql.Date;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The stage step; writes {@code quarantine_events}. Counts the rows in scope by reason in one pass (no event is
 * kept in memory), writes the newly refused ones and refuses the run (exit 3) when too many of the day's rows are
 * bad. The day's rows are those stamped on D (or later) or without a usable stamp, less the ones an earlier run
 * already quarantined; rows set aside by the bot filter are their own figure and do not count. The staged events
 * stay lazy: the rollup reads them once ({@link #staged()}). Before it writes, it checks that the day's events have
 * arrived ({@link SourceFreshness}; exit 6).
 */
public final class StageStep implements Step {
  private final StepContext context;
  private final LocalDate asOf;
  private final LocalDate readFrom;
  private final boolean allowStale;
  private EventStager.Staged staged;

  /** @param readFrom the first day of events to read (source.lookback_days), or null for all */
  public StageStep(StepContext context, LocalDate asOf, LocalDate readFrom) {
    this(context, asOf, readFrom, false);
  }

  /** @param allowStale stage a day whose events have not arrived ({@link SourceFreshness}): a known-quiet day */
  public StageStep(StepContext context, LocalDate asOf, LocalDate readFrom, boolean allowStale) {
    this.context = context;
    this.asOf = asOf;
    this.readFrom = readFrom;
    this.allowStale = allowStale;
  }

  /** The staged events, once the step has run. */
  public EventStager.Staged staged() {
    return staged;
  }

  @Override
  public StepResult run() {
    Warehouse warehouse = context.warehouse();
    EventStager.Staged stagedNow = EventStager.stage(context.spark(), context.config().source(), asOf, Instant.now(),
        readFrom, PropertyFilters.properties(context.config().features()));
    Column ofTheDay = col("event_at").isNull().or(to_date(col("event_at")).geq(lit(Date.valueOf(asOf))));
    // An empty quarantine (its checksum counts no file: a clean source) has no earlier rows to repeat: not read.
    Dataset<Row> earlier = warehouse.exists("quarantine_events")
        && !Long.valueOf(0).equals(warehouse.fileCount("quarantine_events"))
        ? warehouse.read("quarantine_events").where(col("as_of_date").lt(lit(Date.valueOf(asOf)))) : null;
    Dataset<Row> marked = EventStager.markRepeats(stagedNow.checked(), earlier);
    Map<String, Long> reasons = new LinkedHashMap<>();
    long valid = 0;
    long validToday = 0;
    long refusedToday = 0;
    long bots = 0;
    long repeats = 0;
    long anonymous = 0;
    java.sql.Timestamp newest = null;
    for (Row r : marked.groupBy(col("quarantine_reason"), ofTheDay.as("of_the_day"), col("is_repeat"))
        .agg(count(lit(1)), max("event_at")).collectAsList()) {
      long n = r.getLong(3);
      if (r.isNullAt(0)) {
        valid += n;
        validToday += r.getBoolean(1) ? n : 0;
        newest = r.isNullAt(4) || newest != null && newest.after(r.getTimestamp(4)) ? newest : r.getTimestamp(4);
      } else if (r.getBoolean(2)) {
        repeats += n;
      } else if (r.getString(0).equals(EventStager.ANONYMOUS)) {
        anonymous += n;
      } else if (r.getString(0).startsWith("bot_over_")) {
        bots += n;
      } else {
        reasons.merge(r.getString(0), n, Long::sum);
        refusedToday += r.getBoolean(1) ? n : 0;
      }
    }
    long refused = reasons.values().stream().mapToLong(Long::longValue).sum();
    if (!allowStale) {
      SourceFreshness.check(context.config().source().freshness(), asOf,
          java.time.ZoneId.of(context.spark().conf().get("spark.sql.session.timeZone")), validToday,
          newest == null ? null : newest.toInstant(), typicalDays(warehouse));
    }
    quarantine(warehouse, marked, refused + bots > 0);
    refuseOverTheCeiling(reasons, validToday, refusedToday);
    List<String> warnings = new ArrayList<>();
    reasons.forEach((reason, n) -> warnings.add(String.format("quarantined %,d rows: %s", n, reason)));
    if (bots > 0) {
      warnings.add(String.format("bot filter set aside %,d rows (user-days over source.bot_filter."
          + "max_events_per_day); not counted toward source.max_quarantine_share", bots));
    }
    String note = repeats == 0 ? null : String.format("%,d refused rows were quarantined by an earlier run and"
        + " are not stored or counted again", repeats);
    if (anonymous > 0) {
      note = (note == null ? "" : note + "; ") + String.format("set aside %,d events with only an anonymous id (%s)",
          anonymous, context.config().source().identity().stitch() ? "not identified as a user yet"
              : "source.identity.stitch is off");
    }
    if (readFrom != null) {
      note = (note == null ? "" : note + "; ") + "read events from " + readFrom + " (source.lookback_days)";
    }
    staged = stagedNow;
    return new StepResult(valid + refused + bots + repeats + anonymous, valid, warnings, note);
  }

  /**
   * Replaces the as-of day's rows of quarantine_events with the newly refused ones (none: deletes the day's rows, a
   * rerun's), as a table partitioned by day ({@link DayPartitions}): a new day is appended, and a day after the last
   * one written has nothing to delete.
   */
  private void quarantine(Warehouse warehouse, Dataset<Row> marked, boolean any) {
    String table = "quarantine_events";
    if (any || !warehouse.exists(table)) {
      Dataset<Row> quarantined = EventStager.refused(marked.where(not(col("is_repeat"))))
          .withColumn("run_id", lit(context.runId())).withColumn("as_of_date", lit(Date.valueOf(asOf)));
      DayPartitions.replace(warehouse, quarantined, table, "as_of_date", List.of(asOf), false);
    } else {
      DayPartitions.delete(warehouse, table, "as_of_date", asOf);
    }
  }

  /** The events of each of the seven days before the as-of day that the rollup holds (for a typical day). */
  private List<Long> typicalDays(Warehouse warehouse) {
    if (context.config().source().freshness().minShare() == 0) {
      return List.of();
    }
    List<Long> days = new ArrayList<>();
    context.fingerprints().forEach((day, print) -> {
      if (day.toLocalDate().isBefore(asOf) && !day.toLocalDate().isBefore(asOf.minusDays(7))) {
        days.add(print[0]);
      }
    });
    return days;
  }

  /** The step's check: source.max_quarantine_share of the day's rows (exit 3). */
  private void refuseOverTheCeiling(Map<String, Long> reasons, long validToday, long refusedToday) {
    double ceiling = context.config().source().maxQuarantineShare();
    double share = validToday + refusedToday == 0 ? 0 : refusedToday / (double) (validToday + refusedToday);
    if (share > ceiling) {
      throw new InputRefusedException(String.format("%.1f%% of the rows of %s were quarantined (%,d of %,d), more"
              + " than source.max_quarantine_share %.1f%%; new refused rows by reason: %s", 100 * share, asOf,
              refusedToday, validToday + refusedToday, 100 * ceiling, reasons),
          "inspect " + context.warehouse().name("quarantine_events") + " for as_of_date " + asOf
              + ", fix the source, or raise source.max_quarantine_share");
    }
  }
}
