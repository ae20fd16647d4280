package io.segments.pipeline;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.to_date;

import io.segments.config.ConfigException;
import io.segments.config.PipelineConfig;
import io.segments.features.FeatureBuilder;
import io.segments.io.InputRefusedException;
import io.segments.io.SourceReader;
import io.segments.io.Warehouse;
import io.segments.ledger.RunLedger;
import io.segments.ledger.RunLock;
import io.segments.ledger.RunLedger.StepResult;
import io.segments.rollup.DailyRollup;
import io.segments.publish.AudiencePublisher;
import io.segments.publish.PostgresSink;
import io.segments.publish.PublishGuardException;
import io.segments.config.SegmentSpec;
import io.segments.segment.RuleChecker;
import io.segments.segment.SegmentChecklist;
import io.segments.segment.SegmentPreview;
import io.segments.segment.SegmentEngine;
import io.segments.stage.EventStager;
import io.segments.validate.OutcomeValidator;
import java.io.PrintStream;
import java.sql.Date;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/**
 * One daily run as of D: stage -> rollup -> features -> segments -> validate -> publish, each step recorded
 * in {@code pipeline_runs}. Segment membership on D needs membership on D-1, so a run replays every day since
 * the last day with state (or {@code segments_state.replay_days} days on a first run); a backfill replays an
 * explicit range. Validation runs before publishing so that {@code validate.gate} can stop a publish.
 */
public final class DailyPipeline {
  private final PipelineConfig config;
  private final SparkSession spark;
  private final Warehouse warehouse;
  private final PrintStream console;

  public DailyPipeline(PipelineConfig config, SparkSession spark, PrintStream console) {
    this.config = config;
    this.spark = spark;
    this.warehouse = new Warehouse(spark, config.database());
    this.console = console;
  }

  public Warehouse warehouse() {
    return warehouse;
  }

  /** The outcome of a run: its id, the replayed days and the warnings of all steps. */
  public record RunSummary(String runId, List<LocalDate> days, List<String> warnings) {}

  /**
   * Runs the whole pipeline as of {@code asOf}.
   *
   * @param from first day of a backfill, or null for a daily run (which replays from the last state)
   */
  public RunSummary run(LocalDate asOf, LocalDate from, boolean allowLargeChange) {
    return run(new RunOptions(asOf, from, allowLargeChange, false, EnumSet.allOf(Step.class), false));
  }

  /**
   * What to run.
   *
   * @param from first day of a backfill, or null for a daily run (which replays from the last state)
   * @param full rebuild the rollup from all events instead of the days whose events changed
   * @param steps the steps to run; each reads what the earlier ones wrote
   * @param postgres after publishing, apply the changes of audience_members to the PostgreSQL sink
   */
  public record RunOptions(LocalDate asOf, LocalDate from, boolean allowLargeChange, boolean full, Set<Step> steps,
      boolean postgres) {

    String describe() {
      return (from == null ? "run --as-of " + asOf : "backfill --from " + from + " --to " + asOf)
          + (steps.size() == Step.values().length ? "" : " " + steps);
    }
  }

  /** The steps of a run, in order. */
  public enum Step { STAGE, FEATURES, SEGMENTS, VALIDATE, PUBLISH }

  /**
   * Runs some steps; each step reads what the earlier ones wrote, so running the steps one by one gives what
   * one {@code run} gives. {@code FEATURES} includes staging and the rollup.
   */
  public RunSummary run(RunOptions options) {
    RuleChecker.check(spark, config);
    if (options.postgres() && config.postgres() == null) {
      throw new ConfigException(config.file().toString(), "--sink postgres needs a sinks.postgres block",
          "add sinks: {postgres: {url: jdbc:postgresql://host:5432/db, user: ..., password_env: ...}}");
    }
    if (options.postgres()) {
      // Before anything is written: a configured but missing URL or password is a config error (exit 2).
      config.postgres().resolvedUrl();
      config.postgres().password();
    }
    String runId = UUID.randomUUID().toString();
    try (RunLock lock = RunLock.acquire(warehouse, runId, options.describe(),
        Duration.ofMinutes(config.lockStaleMinutes()))) {
      return runLocked(options, runId, lock);
    }
  }

  private RunSummary runLocked(RunOptions options, String runId, RunLock lock) {
    LocalDate asOf = options.asOf();
    Set<Step> steps = options.steps();
    boolean allowLargeChange = options.allowLargeChange();
    List<LocalDate> days = plan(asOf, options.from());
    RunLedger ledger = new RunLedger(warehouse, runId, options.describe(), asOf, console)
        .beforeEachStep(lock::heartbeat);
    console.printf("run %s as of %s (%d day%s replayed from %s)%n", runId, asOf, days.size(),
        days.size() == 1 ? "" : "s", days.get(0));
    try {
      if (steps.contains(Step.STAGE) || steps.contains(Step.FEATURES)) {
        LocalDate readFrom = readFrom(options);
        EventStager.Staged staged = stage(ledger, asOf, runId, readFrom);
        rollup(ledger, staged, options.full(), readFrom, asOf);
      }
      for (List<LocalDate> chunk : chunks(days)) {
        if (steps.contains(Step.FEATURES)) {
          features(ledger, chunk);
        }
        if (steps.contains(Step.SEGMENTS)) {
          requireFeatures(chunk);
          segments(ledger, chunk);
        }
      }
      if (steps.contains(Step.VALIDATE)) {
        validate(ledger, asOf, options.full() || options.from() != null ? null : days);
      }
      if (steps.contains(Step.PUBLISH)) {
        publish(ledger, asOf, allowLargeChange, runId);
      }
      if (options.postgres()) {
        syncPostgres(ledger);
      }
      return new RunSummary(runId, days, ledger.warnings());
    } finally {
      spark.sparkContext().setJobDescription(null);
    }
  }

  /**
   * The first day of events a run reads: with {@code source.lookback_days} N, the N days before the first day
   * not rolled up yet; null (all history) without a lookback, on a first run, with {@code --full} and for a
   * backfill, which rebuilds what late data older than the lookback changed.
   */
  LocalDate readFrom(RunOptions options) {
    int lookback = config.source().lookbackDays();
    if (lookback == 0 || options.full() || options.from() != null || !warehouse.exists("rollup_fingerprints")
        || !warehouse.exists("user_daily_activity")) {
      return null;
    }
    Row last = warehouse.read("rollup_fingerprints").agg(org.apache.spark.sql.functions.max("activity_date")).first();
    if (last.isNullAt(0)) {
      return null;
    }
    LocalDate firstNew = last.getDate(0).toLocalDate().plusDays(1);
    return (firstNew.isBefore(options.asOf()) ? firstNew : options.asOf()).minusDays(lookback);
  }

  /** The days to replay: from the day after the last state through D, or the backfill range. */
  List<LocalDate> plan(LocalDate asOf, LocalDate from) {
    LocalDate lastState = lastStateDay();
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
      LocalDate completed = completedByInterruptedBackfill(from, asOf);
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

  /** Days of a replay handled per features + segments pass: bounds memory and gives resume points. */
  static final int CHUNK_DAYS = 7;

  static List<List<LocalDate>> chunks(List<LocalDate> days) {
    List<List<LocalDate>> chunks = new ArrayList<>();
    for (int i = 0; i < days.size(); i += CHUNK_DAYS) {
      chunks.add(days.subList(i, Math.min(days.size(), i + CHUNK_DAYS)));
    }
    return chunks;
  }

  /**
   * The last day completed by the attempts of the same backfill since it last finished (published); null to
   * start from the first day.
   */
  private LocalDate completedByInterruptedBackfill(LocalDate from, LocalDate to) {
    if (!warehouse.exists("pipeline_runs") || !warehouse.exists("segment_membership")) {
      return null;
    }
    String command = new RunOptions(to, from, false, false, EnumSet.allOf(Step.class), false).describe();
    Dataset<Row> attempts = warehouse.read("pipeline_runs").where(col("command").equalTo(command));
    Row lastSuccess = attempts.where(col("step").equalTo("publish").and(col("status").equalTo("succeeded")))
        .agg(org.apache.spark.sql.functions.max("started_at")).first();
    Dataset<Row> since = lastSuccess.isNullAt(0) ? attempts
        : attempts.where(col("started_at").gt(lastSuccess.getTimestamp(0)));
    Row done = since.where(col("step").equalTo("segments").and(col("status").equalTo("succeeded")))
        .agg(org.apache.spark.sql.functions.max("last_day")).first();
    if (done.isNullAt(0) || !done.getDate(0).toLocalDate().isBefore(to)) {
      return null;
    }
    return done.getDate(0).toLocalDate();
  }

  private void requireFeatures(List<LocalDate> days) {
    long present = warehouse.exists("user_features")
        ? warehouse.read("user_features").where(between("as_of_date", days)).select("as_of_date").distinct().count()
        : 0;
    if (present < days.size()) {
      throw new ConfigException("segments", "user_features holds " + present + " of the " + days.size()
          + " days to replay (" + days.get(0) + ".." + days.get(days.size() - 1) + ")",
          "compute them first: features --as-of " + days.get(days.size() - 1) + " (or use run)");
    }
  }

  /**
   * The last day whose segment tables (membership, changes and history) are all written: the day recorded in
   * {@code segment_state}, which the segments step writes after the three of them, so a run killed between
   * them replays the day again. Warehouses written before segment_state existed fall back to the last day of
   * segment_membership.
   */
  LocalDate lastStateDay() {
    String table = warehouse.exists("segment_state") ? "segment_state"
        : warehouse.exists("segment_membership") ? "segment_membership" : null;
    if (table == null) {
      return null;
    }
    Row row = warehouse.read(table).agg(org.apache.spark.sql.functions.max(
        table.equals("segment_state") ? "state_through" : "as_of_date")).first();
    return row.isNullAt(0) ? null : row.getDate(0).toLocalDate();
  }

  private void recordState(LocalDate through, String runId) {
    warehouse.overwrite(spark.createDataFrame(List.of(RowFactory.create(Date.valueOf(through), runId,
        new java.sql.Timestamp(System.currentTimeMillis()))), new org.apache.spark.sql.types.StructType()
        .add("state_through", "date").add("run_id", "string").add("written_at", "timestamp")), "segment_state");
  }

  /**
   * Counts the rows in scope by reason in one pass (no event is kept in memory), writes the newly refused ones
   * to {@code quarantine_events} and refuses the run when too many of the day's rows are bad. The day's rows
   * are those stamped on D (or later) or without a usable stamp, less the ones an earlier run already
   * quarantined; rows set aside by the bot filter are their own figure and do not count. The staged events stay
   * lazy: the rollup reads them once.
   */
  EventStager.Staged stage(RunLedger ledger, LocalDate asOf, String runId, LocalDate readFrom) {
    EventStager.Staged[] result = new EventStager.Staged[1];
    ledger.step("stage", () -> {
      EventStager.Staged staged = EventStager.stage(spark, config.source(), asOf, Instant.now(), readFrom);
      // Rows of the day: stamped on D (or later), or without a usable stamp; the ceiling applies to those.
      Column ofTheDay = col("event_at").isNull().or(to_date(col("event_at")).geq(lit(Date.valueOf(asOf))));
      Dataset<Row> earlier = warehouse.exists("quarantine_events")
          ? warehouse.read("quarantine_events").where(col("as_of_date").lt(lit(Date.valueOf(asOf)))) : null;
      Dataset<Row> marked = EventStager.markRepeats(staged.checked(), earlier);
      Map<String, Long> reasons = new LinkedHashMap<>();
      long valid = 0;
      long validToday = 0;
      long refusedToday = 0;
      long bots = 0;
      long repeats = 0;
      for (Row r : marked.groupBy(col("quarantine_reason"), ofTheDay.as("of_the_day"), col("is_repeat")).count()
          .collectAsList()) {
        long n = r.getLong(3);
        if (r.isNullAt(0)) {
          valid += n;
          validToday += r.getBoolean(1) ? n : 0;
        } else if (r.getBoolean(2)) {
          repeats += n;
        } else if (r.getString(0).startsWith("bot_over_")) {
          bots += n;
        } else {
          reasons.merge(r.getString(0), n, Long::sum);
          refusedToday += r.getBoolean(1) ? n : 0;
        }
      }
      long refused = reasons.values().stream().mapToLong(Long::longValue).sum();
      if (refused + bots > 0 || !warehouse.exists("quarantine_events")) {
        Dataset<Row> quarantined = EventStager.refused(marked.where(not(col("is_repeat"))))
            .withColumn("run_id", lit(runId)).withColumn("as_of_date", lit(Date.valueOf(asOf)));
        warehouse.replaceWhere(quarantined, "quarantine_events", col("as_of_date").equalTo(lit(Date.valueOf(asOf))),
            "as_of_date");
      } else {
        warehouse.delta("quarantine_events").delete(col("as_of_date").equalTo(lit(Date.valueOf(asOf))));
      }
      List<String> warnings = new ArrayList<>();
      reasons.forEach((reason, n) -> warnings.add(String.format("quarantined %,d rows: %s", n, reason)));
      if (bots > 0) {
        warnings.add(String.format("bot filter set aside %,d rows (user-days over source.bot_filter."
            + "max_events_per_day); not counted toward source.max_quarantine_share", bots));
      }
      double share = validToday + refusedToday == 0 ? 0 : refusedToday / (double) (validToday + refusedToday);
      if (share > config.source().maxQuarantineShare()) {
        throw new InputRefusedException(String.format("%.1f%% of the rows of %s were quarantined (%,d of %,d), more"
                + " than source.max_quarantine_share %.1f%%; new refused rows by reason: %s", 100 * share, asOf,
                refusedToday, validToday + refusedToday, 100 * config.source().maxQuarantineShare(), reasons),
            "inspect " + warehouse.name("quarantine_events") + " for as_of_date " + asOf
                + ", fix the source, or raise source.max_quarantine_share");
      }
      String note = repeats == 0 ? null : String.format("%,d refused rows were quarantined by an earlier run and"
          + " are not stored or counted again", repeats);
      if (readFrom != null) {
        note = (note == null ? "" : note + "; ") + "read events from " + readFrom + " (source.lookback_days)";
      }
      result[0] = staged;
      return new StepResult(valid + refused + bots + repeats, valid, warnings, note);
    });
    return result[0];
  }

  void rollup(RunLedger ledger, EventStager.Staged staged, boolean full, LocalDate readFrom, LocalDate asOf) {
    ledger.step("rollup", () -> {
      DailyRollup.Refresh refresh = DailyRollup.refresh(warehouse, staged.events(), full, readFrom, asOf);
      String note = refresh.full()
          ? "full rebuild of " + refresh.daysTotal() + " days"
          : "recomputed " + refresh.daysRecomputed() + " of " + refresh.daysTotal() + " days";
      return new StepResult(refresh.events(), refresh.rows(), List.of(), note);
    });
  }

  void features(RunLedger ledger, List<LocalDate> days) {
    ledger.step("features", () -> {
      Dataset<Row> activity = warehouse.read("user_daily_activity");
      Dataset<Row> users = users();
      Dataset<Row> signups = users == null ? null : users.select("user_id", "signup_at");
      Dataset<Row> features = new FeatureBuilder(config.features(), config.rfmMap())
          .build(activity, signups, days);
      warehouse.replaceWhereEvolving(features, "user_features", between("as_of_date", days), "as_of_date");
      long rows = warehouse.read("user_features").where(between("as_of_date", days)).count();
      return StepResult.of(activity.count(), rows);
    });
  }

  void segments(RunLedger ledger, List<LocalDate> days) {
    ledger.step("segments", () -> {
      Dataset<Row> features = warehouse.read("user_features").where(between("as_of_date", days));
      LocalDate before = days.get(0).minusDays(1);
      Dataset<Row> prior = warehouse.exists("segment_membership")
          ? warehouse.read("segment_membership").where(col("as_of_date").equalTo(Date.valueOf(before)))
          : spark.createDataFrame(List.of(), new org.apache.spark.sql.types.StructType()
              .add("user_id", "string").add("segment", "string").add("entered_on", "date").add("family", "string"));
      SegmentEngine.Result result = new SegmentEngine(config.segments()).assign(features, prior);
      try {
        warehouse.replaceWhere(result.membership(), "segment_membership", between("as_of_date", days), "as_of_date");
        warehouse.replaceWhere(result.changes(), "segment_changes", between("as_of_date", days), "as_of_date");
        Column first = lit(Date.valueOf(days.get(0)));
        warehouse.replaceWhere(result.stays(), "segment_history",
            col("exited_on").isNull().or(col("exited_on").geq(first)).or(col("entered_on").geq(first)));
        recordState(days.get(days.size() - 1), ledger.runId());
      } finally {
        result.replay().unpersist();
      }
      LocalDate last = days.get(days.size() - 1);
      Dataset<Row> today = warehouse.read("segment_membership").where(col("as_of_date").equalTo(Date.valueOf(last)));
      List<String> warnings = SegmentChecklist.warnings(config.segments(), today,
          warehouse.read("segment_changes").where(col("as_of_date").leq(Date.valueOf(last))),
          knownUsers(last).count(), last);
      return new StepResult(features.count(), today.count(), warnings,
          days.size() == 1 ? null : "days " + days.get(0) + ".." + last, last);
    });
  }

  /**
   * Outcomes of all cohorts when {@code replayed} is null (a backfill, --full or the first time); otherwise only of
   * the cohorts whose row the replayed days can change: the new cohorts and those for which one of the days
   * completes an outcome's horizon ({@link OutcomeValidator#changedCohorts}).
   */
  void validate(RunLedger ledger, LocalDate asOf, List<LocalDate> replayed) {
    ledger.step("validate", () -> {
      OutcomeValidator validator = new OutcomeValidator(config);
      Dataset<Row> membership = warehouse.read("segment_membership").where(col("as_of_date").leq(Date.valueOf(asOf)));
      Dataset<Row> daily = validator.outcomeActivity(warehouse.read("user_daily_activity"));
      String message = null;
      if (replayed == null || !warehouse.exists("segment_outcomes")) {
        warehouse.overwrite(validator.outcomes(membership, daily, asOf), "segment_outcomes");
      } else {
        List<Date> cohorts = validator.changedCohorts(replayed).stream().map(Date::valueOf).toList();
        Date first = cohorts.stream().min(Date::compareTo).orElseThrow();
        warehouse.replaceWhere(validator.outcomes(membership.where(col("as_of_date").isin(cohorts.toArray())),
            daily.where(col("activity_date").geq(first)), asOf), "segment_outcomes", Warehouse.in("cohort_date", cohorts));
        message = "recomputed the outcomes of " + cohorts.size() + " cohort days";
      }
      warehouse.overwrite(validator.retentionCohorts(daily, asOf), "retention_cohorts");
      Dataset<Row> outcomes = warehouse.read("segment_outcomes");
      Map<String, Long> sizes = new LinkedHashMap<>();
      membership.where(col("as_of_date").equalTo(Date.valueOf(asOf))).groupBy("segment").count().collectAsList()
          .forEach(r -> sizes.put(r.getString(0), r.getLong(1)));
      long base = knownUsers(asOf).count();
      List<String> warnings = validator.checks(outcomes, sizes, base, asOf);
      if (config.validate().gate() && !warnings.isEmpty()) {
        throw new PublishGuardException("validation gate: " + warnings.size() + " check(s) failed, nothing was"
            + " published:\n  " + String.join("\n  ", warnings)
            + "\n  fix: revise the segments, or set validate.gate: false in " + config.file());
      }
      return new StepResult(null, outcomes.count(), warnings, message);
    });
  }

  void publish(RunLedger ledger, LocalDate asOf, boolean allowLargeChange, String runId) {
    LocalDate through = lastStateDay();
    if (through == null || through.isBefore(asOf)) {
      throw new ConfigException("publish --as-of " + asOf, "there is no segment membership for " + asOf
          + (through == null ? " (no day has segment state yet)" : "; the last day with segment state is " + through),
          "run the day first: run --as-of " + asOf + " (or publish --as-of " + (through == null ? "D" : through)
              + ")");
    }
    ledger.step("publish", () -> {
      AudiencePublisher publisher = new AudiencePublisher(config);
      Dataset<Row> membership = warehouse.read("segment_membership").where(col("as_of_date").equalTo(Date.valueOf(asOf)));
      Dataset<Row> users = users();
      AudiencePublisher.Plan plan = publisher.plan(warehouse, membership, knownUsers(asOf), users, asOf);
      try {
        publisher.guard(plan, allowLargeChange);
        publisher.write(warehouse, plan, asOf, runId);
      } finally {
        plan.audienceMembers().unpersist();
        plan.userSegments().unpersist();
      }
      long published = plan.newSizes().values().stream().mapToLong(Long::longValue).sum();
      return new StepResult(plan.base(), published, plan.notes(), null);
    });
  }

  /**
   * What the segments of this config would look like on D compared with what is published: new or changed
   * segments only, nothing written. The current definitions are read from {@code segment_catalog}.
   */
  public List<SegmentPreview.Change> preview(LocalDate asOf) {
    RuleChecker.check(spark, config);
    if (!warehouse.exists("segment_catalog") || !warehouse.exists("segment_membership")) {
      throw new ConfigException("preview", "nothing is published yet in " + config.database(),
          "run the pipeline once (run --as-of D) before previewing a change");
    }
    List<SegmentSpec> current = new ArrayList<>();
    warehouse.read("segment_catalog").collectAsList().forEach(r -> current.add(new SegmentSpec(r.getAs("segment"),
        r.getAs("family"), r.<Integer>getAs("priority"), r.getAs("rule"), r.getAs("exit_rule"),
        r.<Integer>getAs("min_days"), "", "", "", "", "", "segment_catalog")));
    Dataset<Row> users = users();
    Dataset<Row> signups = users == null ? null : users.select("user_id", "signup_at");
    Dataset<Row> features = new FeatureBuilder(config.features(), config.rfmMap())
        .build(warehouse.read("user_daily_activity"), signups, List.of(asOf));
    Dataset<Row> membership = warehouse.read("segment_membership");
    return SegmentPreview.preview(current, config.segments(), features,
        membership.where(col("as_of_date").equalTo(Date.valueOf(asOf.minusDays(1)))),
        membership.where(col("as_of_date").equalTo(Date.valueOf(asOf))));
  }

  void syncPostgres(RunLedger ledger) {
    ledger.step("postgres", () -> {
      PostgresSink.Sync sync = new PostgresSink(config.postgres()).sync(warehouse);
      String note = sync.fullLoad()
          ? "full load of version " + sync.toVersion() + " into " + config.postgres().table()
          : "applied versions " + (sync.fromVersion() + 1) + ".." + sync.toVersion() + " to " + config.postgres().table();
      return new StepResult(null, sync.deleted() + sync.upserted(),
          sync.warning() == null ? List.of() : List.of(sync.warning()), note);
    });
  }

  private Dataset<Row> checkedUsers;

  /** source.users, checked once per run for duplicate user ids; null when none is configured. */
  private Dataset<Row> users() {
    if (config.source().users() != null && checkedUsers == null) {
      checkedUsers = SourceReader.users(spark, config.source().users());
    }
    return checkedUsers;
  }

  private Dataset<Row> knownUsers(LocalDate asOf) {
    return warehouse.read("user_features").where(col("as_of_date").equalTo(Date.valueOf(asOf))).select("user_id");
  }

  private static Column between(String column, List<LocalDate> days) {
    return col(column).between(lit(Date.valueOf(days.get(0))), lit(Date.valueOf(days.get(days.size() - 1))));
  }
}
