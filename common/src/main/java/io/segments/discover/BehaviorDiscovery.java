package io.segments.discover;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.segments.config.ConfigException;
import io.segments.config.PipelineConfig;
import io.segments.features.kinds.Kind;
import io.segments.io.Warehouse;
import io.segments.validate.OutcomeValidator;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * {@code discover}: which behaviors of a user's first K days go with an outcome, ranked on the earlier half of the
 * cohorts and checked again on the later half. Reads only the rollup: one pass builds every user's candidate
 * behaviors (each event at least 1..5 times, each pair A then B, each event within 1 or 24 hours of the first one),
 * one aggregation counts users and outcomes per candidate and half; the statistics are worked out on the driver
 * over a few hundred rows. This is correlation on past cohorts: an experiment is what confirms a cause.
 */
public final class BehaviorDiscovery {
  private final PipelineConfig config;
  private final Warehouse warehouse;
  private final Dataset<Row> signups;

  /** @param signups user_id and signup_at of source.users, or null */
  public BehaviorDiscovery(PipelineConfig config, Warehouse warehouse, Dataset<Row> signups) {
    this.config = config;
    this.warehouse = warehouse;
    this.signups = signups;
  }

  /** What to discover: the outcome, the early window (days 0..K-1) and the cohort days (null: all complete ones). */
  public record Options(Outcome outcome, int firstDays, LocalDate from, LocalDate to) {}

  /** A behavior's difference on each half, its rank on the earlier half, and whether the later half holds it. */
  public record Candidate(Behavior behavior, Difference earlier, Difference later, int rank, boolean confirmed) {}

  /** The cohorts looked at (the later half starts on {@code split}) and the ranked candidates. */
  public record Result(Options options, LocalDate from, LocalDate to, LocalDate split, LocalDate lastDay,
      long earlierUsers, long laterUsers, List<Candidate> candidates, Dataset<Row> users, Dataset<Row> early,
      Dataset<Row> behaviors) {}

  /** A result, the family suggested from it, both as written to behavior_candidates. */
  public record Answer(Result result, FamilySuggestion.Suggestion suggestion) {}

  /** {@code discover}: the candidates, the suggested family, and behavior_candidates replaced for the outcome. */
  public Answer answer(Options options) {
    Result result = discover(options);
    try {
      FamilySuggestion.Suggestion suggestion = FamilySuggestion.suggest(config, result);
      CandidateTable.write(warehouse, result);
      return new Answer(result, suggestion);
    } finally {
      release(result);
    }
  }

  public Result discover(Options options) {
    if (!warehouse.exists("user_daily_activity")) {
      throw new ConfigException("discover", "table " + warehouse.name("user_daily_activity") + " does not exist",
          "run the pipeline first (./segments run --as-of D, or backfill), then discover");
    }
    Outcome outcome = options.outcome();
    outcome.requireRoom(options.firstDays(), config.validate());
    String outcomeEvent = outcome.event(config.validate());
    Dataset<Row> activity = warehouse.read("user_daily_activity");
    Row range = activity.agg(min("activity_date"), max("activity_date")).first();
    if (range.isNullAt(1)) {
      throw new ConfigException("discover", warehouse.name("user_daily_activity") + " is empty", "run the pipeline first");
    }
    LocalDate last = range.getDate(1).toLocalDate();
    Dataset<Row> anchors = Kind.anchorDays(activity, signups);
    LocalDate latest = last.minusDays(outcome.lastDay(config.validate()));
    Row cohorts = anchors.agg(min("signup_on"), max("signup_on")).first();
    // By default not the rollup's first day: users first seen then may have started before the data did.
    LocalDate afterFirst = range.getDate(0).toLocalDate().plusDays(1);
    LocalDate firstCohort = cohorts.getDate(0).toLocalDate();
    LocalDate from = options.from() != null ? options.from() : firstCohort.isAfter(afterFirst) ? firstCohort : afterFirst;
    LocalDate newest = cohorts.getDate(1).toLocalDate();
    LocalDate to = options.to() != null ? options.to() : newest.isBefore(latest) ? newest : latest;
    if (latest.isBefore(from)) {
      throw new ConfigException("--outcome", "no cohort has a known " + outcome.label() + " yet: the rollup ends on "
          + last + ", the first cohort is " + from, "pick an outcome with a shorter horizon, e.g. retained_d7");
    }
    if (to.isAfter(latest)) {
      throw new ConfigException("--to", "cohorts after " + latest + " have no " + outcome.label() + " yet (the rollup"
          + " ends on " + last + ")", "use --to " + latest + " or earlier");
    }
    long cohortDays = ChronoUnit.DAYS.between(from, to) + 1;
    if (cohortDays < 2) {
      throw new ConfigException("--from", "the cohorts " + from + ".." + to + " span fewer than 2 days: nothing to"
          + " hold out", "widen --from/--to (the later half of the days checks what the earlier half finds)");
    }
    LocalDate split = from.plusDays((cohortDays + 1) / 2);
    Dataset<Row> users = outcomes(anchors.where(col("signup_on").between(java.sql.Date.valueOf(from),
        java.sql.Date.valueOf(to))).withColumn("later", col("signup_on").geq(java.sql.Date.valueOf(split))),
        activity, outcome, options.firstDays(), last).persist();
    Dataset<Row> early = null;
    try {
      early = EarlyBehaviors.perEvent(activity, users, outcomeEvent, options.firstDays(), config.validate().minSize())
          .persist();
      return counted(options, from, to, split, last, users, early);
    } catch (RuntimeException e) {
      users.unpersist();
      if (early != null) {
        early.unpersist();
      }
      throw e;
    }
  }

  private Result counted(Options options, LocalDate from, LocalDate to, LocalDate split, LocalDate last,
      Dataset<Row> users, Dataset<Row> early) {
    Dataset<Row> behaviors = EarlyBehaviors.behaviors(early, options.firstDays());
    Map<Behavior, long[]> counts = new LinkedHashMap<>();
    behaviors.join(users.select("user_id", "later", "reached"), "user_id")
        .groupBy("kind", "event", "then_event", "threshold", "property", "value", "later")
        .agg(count(lit(1)).as("users"), sum(when(col("reached"), 1).otherwise(0)).as("reached"))
        .collectAsList().forEach(r -> {
          long[] c = counts.computeIfAbsent(new Behavior(r.getString(0), r.getString(1), r.getString(2), r.getInt(3),
              r.getString(4), r.getString(5)), b -> new long[4]);
          int half = r.getBoolean(6) ? 2 : 0;
          c[half] = r.getLong(7);
          c[half + 1] = r.getLong(8);
        });
    long[] totals = new long[4];
    users.groupBy("later").agg(count(lit(1)), sum(when(col("reached"), 1).otherwise(0))).collectAsList()
        .forEach(r -> {
          int half = r.getBoolean(0) ? 2 : 0;
          totals[half] = r.getLong(1);
          totals[half + 1] = r.isNullAt(2) ? 0 : r.getLong(2);
        });
    return new Result(options, from, to, split, last, totals[0], totals[2], rank(counts, totals), users, early,
        behaviors);
  }

  /** Frees the cached per-user frames of a result. */
  public static void release(Result result) {
    result.users().unpersist();
    result.early().unpersist();
  }

  /**
   * Per user of the cohorts: the cohort day, the half, whether the outcome was reached ({@code reached}), and for
   * the suggested family's table whether active on day 1, 7, 30 and 90 ({@code d1}..{@code d90}).
   */
  private Dataset<Row> outcomes(Dataset<Row> cohort, Dataset<Row> activity, Outcome outcome, int firstDays,
      LocalDate last) {
    OutcomeValidator validator = new OutcomeValidator(config);
    Column day = datediff(col("activity_date"), col("signup_on"));
    Column flag = switch (outcome) {
      case ACTIVATED -> col("is_activation");
      case CONVERTED -> col("is_conversion");
      default -> col("is_active");
    };
    List<Column> retained = new ArrayList<>();
    List<String> flags = new ArrayList<>(List.of("reached"));
    for (int n : OutcomeValidator.RETENTION_DAYS) {
      retained.add(max(col("is_active").and(day.equalTo(n))).as("d" + n));
      flags.add("d" + n);
    }
    Dataset<Row> reached = validator.outcomeActivity(activity).join(cohort.select("user_id", "signup_on"), "user_id")
        .where(day.between(0, Math.max(90, outcome.lastDay(config.validate()))))
        .groupBy("user_id").agg(
            max(flag.and(day.between(outcome.firstDayAfter(firstDays), outcome.lastDay(config.validate()))))
                .as("reached"), retained.toArray(Column[]::new));
    Dataset<Row> users = cohort.join(reached, new String[] {"user_id"}, "left");
    for (String name : flags) {
      users = users.withColumn(name, coalesce(col(name), lit(false)));
    }
    return users.withColumn("days_known", datediff(lit(java.sql.Date.valueOf(last)), col("signup_on")));
  }

  /**
   * The candidates with at least validate.min_size users on both sides in the earlier half, ranked there by the
   * lower bound of the difference's 95% interval (the difference one can count on: a large one on few users
   * ranks below a slightly smaller one on many); of candidates with the same counts on both halves only the
   * simplest is kept. Confirmed: the earlier half's interval excludes zero, and the later half has the sizes too, a
   * difference of the same sign whose interval excludes zero, at least half as large.
   */
  private List<Candidate> rank(Map<Behavior, long[]> counts, long[] totals) {
    int minSize = config.validate().minSize();
    List<Candidate> sized = new ArrayList<>();
    counts.forEach((behavior, c) -> {
      Difference earlier = Difference.of(c[0], c[1], totals[0], totals[1]);
      if (earlier.sized(minSize)) {
        sized.add(new Candidate(behavior, earlier, Difference.of(c[2], c[3], totals[2], totals[3]), 0, false));
      }
    });
    List<String> simplest = List.of(Behavior.AT_LEAST, Behavior.WITHIN_HOURS, Behavior.THEN);
    sized.sort(Comparator.comparingDouble((Candidate c) -> -c.earlier().lo())
        .thenComparing(c -> simplest.indexOf(c.behavior().kind())).thenComparing(c -> c.behavior().text(1)));
    List<Candidate> ranked = new ArrayList<>();
    java.util.Set<List<Long>> shown = new java.util.HashSet<>();
    for (Candidate c : sized) {
      // The same users on both halves (e.g. "signup then X" where signup comes first): shown once, simplest first.
      if (!shown.add(List.of(c.earlier().withUsers(), c.earlier().withOutcome(), c.later().withUsers(),
          c.later().withOutcome()))) {
        continue;
      }
      double before = c.earlier().points();
      Difference later = c.later();
      double sign = c.earlier().lo() > 0 ? 1 : c.earlier().hi() < 0 ? -1 : 0;
      boolean holds = sign != 0 && later.sized(minSize) && sign * later.points() >= Math.abs(before) / 2
          && (sign > 0 ? later.lo() > 0 : later.hi() < 0);
      ranked.add(new Candidate(c.behavior(), c.earlier(), later, ranked.size() + 1, holds));
    }
    return ranked;
  }
}
