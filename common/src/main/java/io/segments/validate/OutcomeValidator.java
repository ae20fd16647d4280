package io.segments.validate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;

import io.segments.config.PipelineConfig;
import io.segments.config.SegmentSpec;
import io.segments.segment.SegmentChecklist;
import io.segments.step.Check;
import io.segments.config.ValidateConfig;
import io.segments.io.SqlFiles;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * The validate step: {@code segment_outcomes} (see {@code sql/marts/segment_outcomes.sql} for its grain and
 * definitions) and the method's checks on it, returned as warnings for the run ledger.
 */
public final class OutcomeValidator {
  private final PipelineConfig config;

  public OutcomeValidator(PipelineConfig config) {
    this.config = config;
  }

  /**
   * Per (user_id, activity_date) of the rollup: whether the user was active, activated and converted that day;
   * the input of {@link #outcomes} and {@link #retentionCohorts}.
   */
  public Dataset<Row> outcomeActivity(Dataset<Row> activity) {
    ValidateConfig v = config.validate();
    return activity.select(
            col("user_id"), col("activity_date"),
            matches(v.activeEvents()).as("is_active"),
            named(v.activationEvent()).as("is_activation"),
            named(v.conversionEvent()).as("is_conversion"))
        .groupBy("user_id", "activity_date")
        .agg(max("is_active").as("is_active"), max("is_activation").as("is_activation"),
            max("is_conversion").as("is_conversion"));
  }

  /**
   * The cohort days whose segment_outcomes row a run replaying {@code days} can change: each replayed day is a new
   * cohort, and completes the horizon of the cohorts 1, 7, 30 and 90 days and the activation and conversion windows
   * before it (an outcome is null until its horizon has passed, then final). Late events for older days change
   * older rows only through a backfill.
   */
  public List<LocalDate> changedCohorts(List<LocalDate> days) {
    java.util.TreeSet<LocalDate> cohorts = new java.util.TreeSet<>();
    for (LocalDate day : days) {
      for (int horizon : new int[] {0, 1, 7, 30, 90, config.validate().activationDays(),
          config.validate().conversionDays()}) {
        cohorts.add(day.minusDays(horizon));
      }
    }
    return List.copyOf(cohorts);
  }

  /**
   * The cohort days whose finished outcomes events of {@code days} (late ones: rollup days that changed after the
   * outcomes were written) take part in: days 1..30 after the cohort day (days 1, 7 and 30 and churn's window),
   * day 90, and the activation and conversion windows 0..N.
   */
  public java.util.SortedSet<LocalDate> cohortsReaching(java.util.Collection<LocalDate> days) {
    ValidateConfig v = config.validate();
    java.util.TreeSet<LocalDate> cohorts = new java.util.TreeSet<>();
    int[][] windows = {{1, 30}, {90, 90}, {0, v.activationDays()}, {0, v.conversionDays()}};
    for (LocalDate day : days) {
      for (int[] window : windows) {
        for (int after = window[0]; after <= window[1]; after++) {
          cohorts.add(day.minusDays(after));
        }
      }
    }
    return cohorts;
  }

  /**
   * What segment_outcomes' rows are computed by, noted with them: the retention definition and the validate
   * settings they depend on. Rows written by another rule are all recomputed (a warehouse written when retention
   * meant brackets of days is rewritten on its next run).
   */
  public String outcomeRule() {
    ValidateConfig v = config.validate();
    return "segment_outcomes rule: retention=N-day; active=" + v.activeEvents() + "; activation="
        + v.activationEvent() + " in "
        + v.activationDays() + " days; conversion=" + v.conversionEvent() + " in " + v.conversionDays() + " days";
  }

  /** segment_outcomes of the cohorts in {@code membership}, from {@link #outcomeActivity} rows. */
  public Dataset<Row> outcomes(Dataset<Row> membership, Dataset<Row> outcomeActivity, LocalDate asOf) {
    outcomeActivity.createOrReplaceTempView("outcome_activity");
    return outcomes(membership, "intermediate/member_outcomes.sql", asOf);
  }

  /**
   * segment_outcomes of the cohorts in {@code membership} from {@code user_activity_state} ({@link ActivityState}),
   * the same as {@link #outcomes} gives for cohorts within the state's window.
   */
  Dataset<Row> outcomesFromState(Dataset<Row> membership, Dataset<Row> state, LocalDate asOf) {
    state.createOrReplaceTempView("user_activity_state");
    return outcomes(membership, "intermediate/member_outcomes_from_state.sql", asOf);
  }

  private Dataset<Row> outcomes(Dataset<Row> membership, String memberOutcomes, LocalDate asOf) {
    ValidateConfig v = config.validate();
    membership.createOrReplaceTempView("segment_membership");
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("as_of", asOf);
    params.put("activation_days", v.activationDays());
    params.put("conversion_days", v.conversionDays());
    params.put("horizon_days", Math.max(90, Math.max(v.activationDays(), v.conversionDays())));
    SqlFiles.run(membership.sparkSession(), memberOutcomes, params).createOrReplaceTempView("member_outcomes");
    Dataset<Row> outcomes = SqlFiles.run(membership.sparkSession(), "marts/segment_outcomes.sql", params);
    for (String rate : RATES) {
      outcomes = outcomes.withColumn(rate + "_lo", wilson(col(rate), col("cohort_size"), -1))
          .withColumn(rate + "_hi", wilson(col(rate), col("cohort_size"), 1));
    }
    return outcomes;
  }

  /** The days N of segment_outcomes' N-day retention (retention_dN: active on day N after the cohort date). */
  public static final List<Integer> RETENTION_DAYS = List.of(1, 7, 30, 90);

  /** The rates of segment_outcomes that get a 95% Wilson interval. */
  static final List<String> RATES = List.of("retention_d1", "retention_d7", "retention_d30", "retention_d90",
      "churn_d30", "activation_rate", "conversion_rate");

  /** Wilson score interval bound, z = 1.96: (p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n). */
  static Column wilson(Column p, Column n, int sign) {
    double z = 1.96;
    Column spread = org.apache.spark.sql.functions.sqrt(p.multiply(lit(1).minus(p)).divide(n)
        .plus(lit(z * z / 4).divide(n.multiply(n)))).multiply(z);
    Column center = p.plus(lit(z * z / 2).divide(n));
    return (sign < 0 ? center.minus(spread) : center.plus(spread)).divide(lit(1).plus(lit(z * z).divide(n)));
  }

  /**
   * {@code retention_cohorts} (see {@code sql/marts/retention_cohorts.sql}): the retention triangle of users by
   * first active day, week and month, from all {@link #outcomeActivity} rows.
   */
  public Dataset<Row> retentionCohorts(Dataset<Row> outcomeActivity, LocalDate asOf) {
    return retentionCohorts(retentionCellDays(activeUserDays(outcomeActivity, asOf)));
  }

  /** {@code retention_cohorts} from the rows of {@code retention_cell_days}. */
  Dataset<Row> retentionCohorts(Dataset<Row> cellDays) {
    cellDays.createOrReplaceTempView("retention_cell_days");
    return SqlFiles.run(cellDays.sparkSession(), "marts/retention_cohorts.sql");
  }

  /** {@code retention_cell_days} (see {@code sql/intermediate/retention_cell_days.sql}) of active user days. */
  Dataset<Row> retentionCellDays(Dataset<Row> activeUserDays) {
    activeUserDays.createOrReplaceTempView("active_user_days");
    return SqlFiles.run(activeUserDays.sparkSession(), "intermediate/retention_cell_days.sql");
  }

  /** The active days of all history up to {@code asOf}, each with the user's first and previous active day. */
  Dataset<Row> activeUserDays(Dataset<Row> outcomeActivity, LocalDate asOf) {
    outcomeActivity.createOrReplaceTempView("outcome_activity");
    return SqlFiles.run(outcomeActivity.sparkSession(), "intermediate/active_user_days.sql", Map.of("as_of", asOf));
  }

  /**
   * The same rows as {@link #activeUserDays} for the days from {@code from} on, from {@code user_activity_state}:
   * a day's previous active day is the one before it in the state's window, and the state holds a month before
   * {@code from}, as far back as a week or month cell looks.
   */
  static Dataset<Row> activeUserDaysFromState(Dataset<Row> state, LocalDate from) {
    // Only the users active since from, and of their days only those since from (with the day before each).
    Column since = lit(java.sql.Date.valueOf(from));
    Column days = col("active_days");
    Column recent = functions.filter(functions.sequence(lit(1), functions.size(days)),
        i -> functions.element_at(days, i).geq(since));
    Column withPrevious = functions.transform(recent, i -> functions.struct(
        functions.element_at(days, i).as("activity_date"),
        functions.when(i.gt(1), functions.element_at(days, i.minus(1))).as("previous_day")));
    return state.where(functions.exists(days, d -> d.geq(since)))
        .select(col("user_id"), col("first_active_on").as("first_day"), functions.inline(withPrevious))
        .select("user_id", "activity_date", "first_day", "previous_day");
  }

  /**
   * The method's checks: size, share of base, day-30 retention gaps within a family, churn ratio.
   *
   * @param outcomes segment_outcomes as written
   * @param sizes members per segment on the as-of day
   * @param base users known on the as-of day
   */
  public List<Check> checks(Dataset<Row> outcomes, Map<String, Long> sizes, long base, LocalDate asOf) {
    ValidateConfig v = config.validate();
    List<Check> warnings = new ArrayList<>();
    for (SegmentSpec segment : config.segments()) {
      warnings.addAll(SegmentChecklist.sizeChecks(segment.name(), sizes.getOrDefault(segment.name(), 0L), base,
          v.minSize(), asOf));
    }
    Map<String, double[]> pooled = pooledDay30(outcomes);
    if (pooled.isEmpty()) {
      warnings.add(Check.info("no cohort is 30 days old yet on " + asOf + ": day-30 retention checks skipped (a"
          + " first run replays segments_state.replay_days, " + config.replayDays() + " here; for a longer history"
          + " rerun with a larger replay_days on a new database, or backfill --from <an earlier day> --to " + asOf
          + ")"));
      return warnings;
    }
    Map<String, List<SegmentSpec>> families = new LinkedHashMap<>();
    config.segments().stream().filter(s -> s.family() != null)
        .forEach(s -> families.computeIfAbsent(s.family(), f -> new ArrayList<>()).add(s));
    families.forEach((family, members) -> {
      List<Map.Entry<String, double[]>> measured = new ArrayList<>();
      members.stream().filter(s -> pooled.containsKey(s.name()))
          .forEach(s -> measured.add(Map.entry(s.name(), pooled.get(s.name()))));
      measured.sort((a, b) -> Double.compare(b.getValue()[0], a.getValue()[0]));
      for (int i = 1; i < measured.size(); i++) {
        double gap = 100 * (measured.get(i - 1).getValue()[0] - measured.get(i).getValue()[0]);
        if (gap < v.retentionGapPoints()) {
          warnings.add(Check.warning(String.format("family '%s': '%s' (d30 %.1f%%) and '%s' (d30 %.1f%%) differ by"
                  + " %.1f points of day-30 retention, less than validate.retention_gap_points %.0f", family,
              measured.get(i - 1).getKey(), 100 * measured.get(i - 1).getValue()[0], measured.get(i).getKey(),
              100 * measured.get(i).getValue()[0], gap, v.retentionGapPoints())));
        }
      }
      if (measured.size() >= 2) {
        double best = measured.stream().mapToDouble(e -> e.getValue()[1]).min().orElse(0);
        double worst = measured.stream().mapToDouble(e -> e.getValue()[1]).max().orElse(0);
        if (best > 0 && worst / best < 2) {
          warnings.add(Check.warning(String.format("family '%s': churn of the worst segment (%.1f%%) is less than 2x"
              + " the best (%.1f%%)", family, 100 * worst, 100 * best)));
        }
      }
    });
    return warnings;
  }

  /** Per segment: day-30 retention and churn pooled over all cohorts whose day 30 is known. */
  private static Map<String, double[]> pooledDay30(Dataset<Row> outcomes) {
    Map<String, double[]> pooled = new LinkedHashMap<>();
    outcomes.where(col("retention_d30").isNotNull())
        .groupBy("segment")
        .agg(org.apache.spark.sql.functions.sum(col("retention_d30").multiply(col("cohort_size"))).as("retained"),
            org.apache.spark.sql.functions.sum(col("churn_d30").multiply(col("cohort_size"))).as("churned"),
            org.apache.spark.sql.functions.sum("cohort_size").as("n"))
        .collectAsList()
        .forEach(r -> {
          double n = ((Number) r.getAs("n")).doubleValue();
          pooled.put(r.getString(0), new double[] {((Number) r.getAs("retained")).doubleValue() / n,
              ((Number) r.getAs("churned")).doubleValue() / n});
        });
    return pooled;
  }

  private static Column matches(List<String> events) {
    return events.isEmpty() ? lit(true) : col("event_name").isin(events.toArray());
  }

  private static Column named(String event) {
    return event == null ? lit(false) : col("event_name").equalTo(event);
  }
}
