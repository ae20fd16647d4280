package io.segments.validate;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.filter;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.when;

import io.segments.config.ValidateConfig;
import io.segments.io.Detached;
import io.segments.io.Provenance;
import io.segments.io.Warehouse;
import java.sql.Date;
import java.time.LocalDate;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * {@code user_activity_state}: one row per user with the first day the user was active in all history, and the
 * days the user was active, activated and converted within a window of the last {@link #windowDays} days. It is
 * what the validate step carries from one day to the next: a daily run reads the rollup rows of the days that
 * changed and this table, never all history, and from it recomputes the outcomes of the cohorts it can change
 * and the retention triangle's cells of the changed days.
 *
 * <p>Each write records (as the commit's user metadata) the as-of day, the rule it was built by, and the
 * {@code rollup_fingerprints} of the days it holds, in the same commit as the rows. The next run compares
 * them with the rollup's fingerprints now: the days whose fingerprint differs (late events, a rebuilt rollup) and
 * the days after the as-of day are read again; the state's rows for earlier days stay, since their rollup rows did
 * not change. So a crash between any two writes, a multi-day gap or a replay leaves nothing stale. The state is
 * rebuilt from all history when it is missing, built by another rule or for a later day, or when a changed day is
 * too old for the window to hold what its week and month cells need.
 */
public final class ActivityState {
  static final String TABLE = "user_activity_state";
  /** Days before a changed day that its week and month cells may look back to (a month). */
  private static final int MONTH_DAYS = 31;
  /** Days a daily run may catch up on and still read its cohorts' outcomes from the state (a week and one). */
  private static final int REPLAY_DAYS = 8;

  private final ValidateConfig validate;
  private final int windowDays;

  ActivityState(ValidateConfig validate) {
    this.validate = validate;
    int horizon = Math.max(90, Math.max(validate.activationDays(), validate.conversionDays()));
    this.windowDays = horizon + MONTH_DAYS + REPLAY_DAYS;
  }

  /** The window's first day for a state as of {@code asOf}. */
  LocalDate windowFrom(LocalDate asOf) {
    return asOf.minusDays(windowDays - 1L);
  }

  /**
   * What a refresh did: {@code changedFrom} is the first day whose rows were read again (null: rebuilt from all
   * history; after the as-of day: nothing changed and nothing was written); {@code before} and {@code after} are
   * the state's notes before and after it (null before a first build), which tables derived from the state
   * record to know which state they follow; {@code changedDays} are the days up to the previous state's as-of day
   * ({@code previousAsOf}, null before a first build) whose rollup rows changed since (late events); {@code state}
   * is the state's rows now, kept in memory when the refresh wrote them ({@link #release} when done).
   */
  record Refresh(LocalDate changedFrom, String before, String after, java.util.SortedSet<LocalDate> changedDays,
      LocalDate previousAsOf, Dataset<Row> state) {
    boolean rebuilt() {
      return changedFrom == null;
    }

    /** Frees the state's rows kept in memory. */
    void release() {
      state.unpersist();
    }
  }

  /**
   * Brings the state to {@code asOf} and writes it in one commit.
   *
   * @param daily {@link OutcomeValidator#outcomeActivity} of the whole rollup (read only where needed)
   * @param prints the rollup's fingerprints per day ("events:checksum"); empty to rebuild
   * @param rebuild rebuild from all history whatever the note says (a full run or a backfill)
   */
  Refresh refresh(Warehouse warehouse, Dataset<Row> daily, Map<LocalDate, String> prints, LocalDate asOf,
      boolean rebuild) {
    String before = warehouse.exists(TABLE) ? warehouse.note(TABLE) : null;
    Map<String, String> fields = Provenance.fields(before);
    LocalDate changedFrom = rebuild || prints.isEmpty() ? null : changedFrom(fields, prints, asOf);
    java.util.SortedSet<LocalDate> changedDays = changedFrom == null ? new java.util.TreeSet<>()
        : changedDays(fields, prints);
    LocalDate previousAsOf = fields == null || fields.get("as_of") == null ? null : LocalDate.parse(fields.get("as_of"));
    if (changedFrom != null && changedFrom.isAfter(asOf)) {
      return new Refresh(changedFrom, before, before, changedDays, previousAsOf, warehouse.read(TABLE));
    }
    Dataset<Row> state;
    Date from = Date.valueOf(windowFrom(asOf));
    if (changedFrom == null) {
      Column inWindow = col("activity_date").geq(from);
      state = daily.where(col("activity_date").leq(Date.valueOf(asOf))).groupBy("user_id").agg(
          min(when(col("is_active"), col("activity_date"))).as("first_active_on"),
          days(col("is_active").and(inWindow)).as("active_days"),
          days(col("is_activation").and(inWindow)).as("activation_days"),
          days(col("is_conversion").and(inWindow)).as("conversion_days"));
    } else {
      Date changed = Date.valueOf(changedFrom);
      Dataset<Row> fresh = days(daily.where(col("activity_date").between(changed, Date.valueOf(asOf))))
          .withColumn("fresh_first", org.apache.spark.sql.functions.array_min(col("active_days")));
      // Detached: the state is kept in memory as written, and its write replaces the table read here.
      Dataset<Row> kept = Detached.of(warehouse.read(TABLE).select(col("user_id"), col("first_active_on"),
          kept("active_days", from, changed), kept("activation_days", from, changed),
          kept("conversion_days", from, changed)));
      Dataset<Row> joined = kept.as("k").join(fresh.as("f"), new String[] {"user_id"}, "full_outer");
      state = joined.select(col("user_id"),
          when(col("k.first_active_on").lt(changed), col("k.first_active_on")).otherwise(col("f.fresh_first"))
              .as("first_active_on"),
          joined("active_days"), joined("activation_days"), joined("conversion_days"));
    }
    state = state.where(col("first_active_on").isNotNull().or(size(col("active_days")).gt(0))
        .or(size(col("activation_days")).gt(0)).or(size(col("conversion_days")).gt(0)));
    String after = note(prints, asOf);
    // Kept in memory as written (the write computes it): the outcomes and the cell days read it there.
    state = state.persist(org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK());
    try {
      warehouse.overwriteNoting(state, TABLE, after);
    } catch (RuntimeException | Error e) {
      state.unpersist();
      throw e;
    }
    return new Refresh(changedFrom, before, after, changedDays, previousAsOf, state);
  }

  /** The days up to the state's as-of day whose rollup rows changed since it was written (late events). */
  private java.util.SortedSet<LocalDate> changedDays(Map<String, String> note, Map<LocalDate, String> prints) {
    java.util.SortedSet<LocalDate> changed = new java.util.TreeSet<>();
    LocalDate stateAsOf = LocalDate.parse(note.get("as_of"));
    for (LocalDate day = windowFrom(stateAsOf); !day.isAfter(stateAsOf); day = day.plusDays(1)) {
      if (!java.util.Objects.equals(prints.get(day), note.get(day.toString()))) {
        changed.add(day);
      }
    }
    return changed;
  }

  /**
   * The first day the state must read again: the first day after its as-of day, or an earlier day whose
   * fingerprint changed; null to rebuild.
   */
  private LocalDate changedFrom(Map<String, String> note, Map<LocalDate, String> prints, LocalDate asOf) {
    if (note == null || !rule().equals(note.get("rule")) || note.get("as_of") == null) {
      return null;
    }
    LocalDate stateAsOf = LocalDate.parse(note.get("as_of"));
    LocalDate stateFrom = windowFrom(stateAsOf);
    if (stateAsOf.isAfter(asOf) || !Provenance.digestBefore(prints, stateFrom).equals(note.get("before"))) {
      return null;
    }
    LocalDate changed = stateAsOf.plusDays(1);
    for (LocalDate day = stateFrom; !day.isAfter(stateAsOf); day = day.plusDays(1)) {
      if (!java.util.Objects.equals(prints.get(day), note.get(day.toString()))) {
        changed = day;
        break;
      }
    }
    return changed.isBefore(windowFrom(asOf).plusDays(MONTH_DAYS)) ? null : changed;
  }

  /** The rule the state is built by: the validate settings that decide what it holds. */
  private String rule() {
    return "active=" + validate.activeEvents() + ";activation=" + validate.activationEvent() + ";conversion="
        + validate.conversionEvent() + ";window=" + windowDays;
  }

  /** The commit note: rule, as-of day, a digest of the fingerprints before the window, each window day's. */
  private String note(Map<LocalDate, String> prints, LocalDate asOf) {
    LocalDate from = windowFrom(asOf);
    StringBuilder note = new StringBuilder(Provenance.header(rule(), asOf))
        .append("\nbefore=").append(Provenance.digestBefore(prints, from));
    new TreeMap<>(prints).forEach((day, print) -> {
      if (!day.isBefore(from) && !day.isAfter(asOf)) {
        note.append('\n').append(day).append('=').append(print);
      }
    });
    return note.toString();
  }

  /** The note of a table derived from the state with this note: which state it follows. */
  static String follows(String stateNote) {
    return stateNote == null ? null : "follows user_activity_state " + Provenance.sha256(stateNote);
  }

  /** Per user: the sorted days active, activated and converted among {@code rows}. */
  private static Dataset<Row> days(Dataset<Row> rows) {
    return rows.groupBy("user_id").agg(days(col("is_active")).as("active_days"),
        days(col("is_activation")).as("activation_days"), days(col("is_conversion")).as("conversion_days"));
  }

  /** The sorted days of a user's rows that meet {@code condition} (empty when none does). */
  private static Column days(Column condition) {
    return array_sort(collect_list(when(condition, col("activity_date"))));
  }

  /** The state's days in [from, changed): the ones still in the window that were not read again. */
  private static Column kept(String days, Date from, Date changed) {
    return filter(col(days), d -> d.geq(lit(from)).and(d.lt(lit(changed)))).as(days);
  }

  /** Kept days, then the fresh ones (all later), so the array stays sorted. */
  private static Column joined(String days) {
    Column empty = array().cast("array<date>");
    return concat(coalesce(col("k." + days), empty), coalesce(col("f." + days), empty)).as(days);
  }
}
