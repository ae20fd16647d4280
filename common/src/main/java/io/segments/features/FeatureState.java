package io.segments.features;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.segments.config.FeatureSpec;
import io.segments.features.kinds.Carried;
import io.segments.features.kinds.Carried.Quantity;
import io.segments.features.kinds.Kinds;
import io.segments.io.Detached;
import io.segments.io.Provenance;
import io.segments.io.Warehouse;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;

/**
 * {@code user_feature_state}: one row per user with what the features carry from one day to the next
 * ({@link Carried}), as of the settled day: the as-of day less the days a daily run may still change
 * ({@code source.lookback_days} + 1). A daily run moves the state to its settled day, reading only the rollup
 * rows of the days that enter or leave each window, writes it in one commit, then computes the as-of day from it
 * the same way. So it never reads all history, and a chain of daily runs gives what one run over all history
 * gives (sums of events are integers and sums of revenue exact decimals).
 *
 * <p>The commit notes the rule (the quantities) and a digest of the rollup's fingerprints of the days the state
 * holds. The state is rebuilt from all history when it is missing, built by another rule or for a later settled
 * day, when one of its days changed since (late events older than the lookback, a rebuilt rollup), and for a full
 * run or a backfill of one day (a replay of several days computes from all history and leaves the state as it is;
 * the next one-day run catches up). A crash after its write leaves a state the rerun uses as it is.
 */
public final class FeatureState {
  public static final String TABLE = "user_feature_state";
  private static final Quantity FIRST_SEEN = new Quantity("first_seen_on", Carried.Fold.FIRST_DAY,
      DataTypes.DateType, List.of(), lit(true), 0, 0, 0);

  private final List<Quantity> quantities = new ArrayList<>(List.of(FIRST_SEEN));
  private final List<Column> columns = new ArrayList<>();
  private final int settleDays;

  /**
   * What one computation gave and read: each feature's carried columns on the as-of day, and the events of the rollup
   * days it read (from the rollup's fingerprints: counting the rows read would be a Spark job of its own).
   */
  public record Computed(Dataset<Row> columns, long eventsRead, Dataset<Row> written) {
    /** Frees the state written by this computation (null: none), kept in memory for it. */
    public void release() {
      if (written != null) {
        written.unpersist();
      }
    }
  }

  private FeatureState(int settleDays) {
    this.settleDays = settleDays;
  }

  /** The state of these features, or null when one of them is not carried (its value needs all history). */
  public static FeatureState of(List<FeatureSpec> features, Kinds kinds, int lookbackDays) {
    FeatureState state = new FeatureState(lookbackDays + 1);
    for (FeatureSpec spec : features) {
      Carried carried = kinds.of(spec.kind()).carried(spec);
      if (carried == null) {
        return null;
      }
      state.quantities.addAll(carried.quantities());
      state.columns.addAll(carried.columns());
    }
    return state;
  }

  /**
   * Moves the state to the settled day of {@code asOf} (written in one commit, unless it is there already) and
   * computes from it the features' carried columns on {@code asOf}: user_id, first_seen_on and each kind's.
   *
   * @param activity the {@code user_daily_activity} rollup (read only on the days needed)
   * @param prints the rollup's fingerprints per day ({@code DailyRollup.fingerprints}); empty to rebuild
   * @param rebuild rebuild from all history whatever the note says (a full run or a backfill)
   */
  public Computed compute(Warehouse warehouse, Dataset<Row> activity, LocalDate asOf, Map<LocalDate, String> prints,
      boolean rebuild) {
    LocalDate settled = asOf.minusDays(settleDays);
    LocalDate from = rebuild ? null : stateAsOf(warehouse, prints, settled);
    long read = 0;
    Dataset<Row> state = null;
    if (from == null || from.isBefore(settled)) {
      Dataset<Row> rows = activity.where(read(from, settled));
      read += events(prints, rows, from, settled);
      // Detached: the state moved is kept in memory as written (the write computes it) and read there below, and
      // the write replaces the table read here.
      state = advance(from == null ? null : Detached.of(warehouse.read(TABLE)), rows, from, settled)
          .persist(org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK());
      try {
        warehouse.overwriteNoting(state, TABLE, note(prints, settled));
      } catch (RuntimeException | Error e) {
        state.unpersist();
        throw e;
      }
    }
    Dataset<Row> rows = activity.where(read(settled, asOf));
    read += events(prints, rows, settled, asOf);
    Dataset<Row> now = advance(state != null ? state : warehouse.read(TABLE), rows, settled, asOf)
        .withColumn("as_of_date", lit(Date.valueOf(asOf)));
    List<Column> out = new ArrayList<>(List.of(col("user_id"), col("first_seen_on")));
    out.addAll(columns);
    return new Computed(now.select(out.toArray(Column[]::new)), read, state);
  }

  /**
   * The state as of {@code to} from the state {@code previous} as of {@code from} (null, with a null
   * {@code from}: nothing, so all history) and the rollup {@code rows} of the days {@link #read} names.
   */
  private Dataset<Row> advance(Dataset<Row> previous, Dataset<Row> rows, LocalDate from, LocalDate to) {
    List<Column> perDay = new ArrayList<>();
    quantities.forEach(q -> perDay.addAll(q.perDay()));
    Dataset<Row> days = rows.groupBy("user_id", "activity_date")
        .agg(count("*").as("day_rows"), perDay.toArray(Column[]::new))
        .withColumn("day_number", datediff(col("activity_date"), lit(Date.valueOf("1970-01-01"))));
    List<Column> values = new ArrayList<>(List.of(col("user_id"), col("activity_date")));
    List<Column> changes = new ArrayList<>();
    for (Quantity q : quantities) {
      values.add(q.value().as(q.name()));
      changes.add(change(q, from, to).as(q.name()));
    }
    Dataset<Row> change = days.select(values.toArray(Column[]::new)).groupBy("user_id")
        .agg(changes.get(0), changes.subList(1, changes.size()).toArray(Column[]::new));
    Dataset<Row> joined = previous == null ? change.as("c")
        : previous.as("p").join(change.as("c"), new String[] {"user_id"}, "full_outer");
    List<Column> state = new ArrayList<>(List.of(col("user_id")));
    for (Quantity q : quantities) {
      Column before = previous == null ? lit(null).cast(q.type()) : col("p." + q.name());
      state.add(next(q, before, col("c." + q.name())).as(q.name()));
    }
    return joined.select(state.toArray(Column[]::new)).where(col("first_seen_on").isNotNull());
  }

  /** What the days in (from, to] change of a quantity: for a sum, the days that enter less those that leave. */
  private static Column change(Quantity q, LocalDate from, LocalDate to) {
    Column day = col("activity_date");
    Column value = col(q.name());
    return switch (q.fold()) {
      case FIRST_DAY -> min(when(within(from, to, q.from()).and(value), day));
      case LAST_DAY -> max(when(within(from, to, q.from()).and(value), day));
      case EARLIEST -> min(when(within(from, to, q.from()), value));
      case SUM -> {
        Column zero = lit(0).cast(q.type());
        // each side in the quantity's type: decimal(28, 8) less decimal(28, 8) keeps every decimal
        Column delta = coalesce(when(within(from, to, q.from()), value), zero).cast(q.type());
        if (q.to() > 0) {
          delta = delta.minus(coalesce(when(within(from, to, q.to()), value), zero).cast(q.type()));
        }
        yield sum(delta).cast(q.type());
      }
    };
  }

  private static Column next(Quantity q, Column before, Column change) {
    return switch (q.fold()) {
      case FIRST_DAY, EARLIEST -> least(before, change);
      case LAST_DAY -> greatest(before, change);
      case SUM -> {
        Column zero = lit(0).cast(q.type());
        yield coalesce(before, zero).plus(coalesce(change, zero)).cast(q.type());
      }
    };
  }

  /** Days in (from - shift, to - shift]: those entering (or leaving) a window that ends shift days ago. */
  private static Column within(LocalDate from, LocalDate to, int shift) {
    Column day = col("activity_date");
    Column upTo = day.leq(Date.valueOf(to.minusDays(shift)));
    return from == null ? upTo : upTo.and(day.gt(Date.valueOf(from.minusDays(shift))));
  }

  /** The rollup days a move from {@code from} to {@code to} reads: all up to {@code to} from nothing. */
  private Column read(LocalDate from, LocalDate to) {
    Column day = col("activity_date");
    return from == null ? day.leq(Date.valueOf(to)) : day.isin(days(from, to).stream().map(Date::valueOf).toArray());
  }

  /**
   * The events of the rollup days a move from {@code from} to {@code to} reads, from their fingerprints; summed from
   * the {@code rows} read (a Spark job) only when there are none (a rollup without its note).
   */
  private long events(Map<LocalDate, String> prints, Dataset<Row> rows, LocalDate from, LocalDate to) {
    if (prints.isEmpty()) {
      Row sum = rows.agg(sum("event_count")).first();
      return sum.isNullAt(0) ? 0 : sum.getLong(0);
    }
    java.util.Set<LocalDate> days = from == null ? null : days(from, to);
    return prints.entrySet().stream()
        .filter(e -> days == null ? !e.getKey().isAfter(to) : days.contains(e.getKey()))
        .mapToLong(e -> Long.parseLong(e.getValue().substring(0, e.getValue().indexOf(':')))).sum();
  }

  /** The rollup days a move from {@code from} (not null) to {@code to} reads. */
  private TreeSet<LocalDate> days(LocalDate from, LocalDate to) {
    TreeSet<LocalDate> needed = new TreeSet<>();
    for (Quantity q : quantities) {
      // the value of a first or last day that waits from days looks at the days after it, up to today
      int ahead = q.fold() == Carried.Fold.SUM ? 0 : q.from();
      for (int shift : q.to() > 0 ? new int[] {q.from(), q.to()} : new int[] {q.from()}) {
        for (LocalDate d = from.minusDays(shift + q.lookback()).plusDays(1); !d.isAfter(to.minusDays(shift - ahead));
            d = d.plusDays(1)) {
          needed.add(d);
        }
      }
    }
    return needed;
  }

  /** The settled day of a state whose note says it holds what the rollup holds now; null to rebuild. */
  private LocalDate stateAsOf(Warehouse warehouse, Map<LocalDate, String> prints, LocalDate settled) {
    if (prints.isEmpty() || !warehouse.exists(TABLE)) {
      return null;
    }
    Map<String, String> note = Provenance.fields(warehouse.note(TABLE));
    if (note == null || !rule().equals(note.get("rule")) || note.get("as_of") == null) {
      return null;
    }
    LocalDate asOf = LocalDate.parse(note.get("as_of"));
    boolean same = !asOf.isAfter(settled)
        && Provenance.digestBefore(prints, asOf.plusDays(1)).equals(note.get("prints"));
    return same ? asOf : null;
  }

  /** A digest of what the state holds: each quantity's definition, and the settled lag. */
  String rule() {
    StringBuilder text = new StringBuilder("settle=").append(settleDays);
    for (Quantity q : quantities) {
      text.append('\n').append(q.name()).append(' ').append(q.fold()).append(' ').append(q.type().sql())
          .append(' ').append(q.from()).append(' ').append(q.to()).append(' ').append(q.lookback())
          .append(' ').append(q.perDay()).append(' ').append(q.value());
    }
    return Provenance.sha256(text.toString());
  }

  private String note(Map<LocalDate, String> prints, LocalDate settled) {
    return Provenance.header(rule(), settled) + "\nprints=" + Provenance.digestBefore(prints, settled.plusDays(1));
  }
}
