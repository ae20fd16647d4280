package io.segments.segment;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;

import io.segments.config.ExpressionPolicy;
import io.segments.config.SegmentSpec;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.CoGroupFunction;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;

/**
 * The segments step: turns daily features into memberships with state. Membership on day D depends on
 * membership on D-1, so the days of a range are replayed in order per user, starting from the state before
 * the range.
 *
 * <ul>
 *   <li>{@code segment_membership}: one row per (as_of_date, user_id, segment) member, with entered_on.
 *   <li>{@code segment_changes}: one row per (as_of_date, user_id, segment) entry or exit; exits name the
 *       segment of the same family entered instead, if any.
 *   <li>{@code segment_history}: one row per stay (user_id, segment, entered_on), exited_on null while inside.
 * </ul>
 */
public final class SegmentEngine {
  private final List<SegmentSpec> segments;

  public SegmentEngine(List<SegmentSpec> segments) {
    this.segments = List.copyOf(segments);
  }

  /** The three outputs for the replayed range; lazily computed from one cached replay. */
  public record Result(Dataset<Row> membership, Dataset<Row> changes, Dataset<Row> stays, Dataset<Row> replay) {}

  /**
   * @param features {@code user_features} rows for the days to replay
   * @param priorState memberships on the day before the range: user_id, segment, entered_on, family; those of
   *     segments no longer configured are closed on the first day of the range (an exit and a closed stay)
   */
  public Result assign(Dataset<Row> features, Dataset<Row> priorState) {
    Dataset<Row> flags = features.select(flagColumns().toArray(Column[]::new));
    // Memberships of segments no longer defined (removed or renamed) stay in: the replay closes them.
    Dataset<Row> prior = java.util.Arrays.asList(priorState.columns()).contains("family")
        ? priorState.select("user_id", "segment", "entered_on", "family")
        : priorState.select(col("user_id"), col("segment"), col("entered_on"), lit(null).cast("string").as("family"));

    MembershipStateMachine machine = new MembershipStateMachine(segments);
    MapFunction<Row, String> byUser = row -> row.getString(1);
    MapFunction<Row, String> priorByUser = row -> row.getString(0);
    CoGroupFunction<String, Row, Row, Row> replay = (userId, days, before) -> {
      Map<String, LocalDate> state = new HashMap<>();
      Map<String, String> families = new HashMap<>();
      before.forEachRemaining(r -> {
        state.put(r.getString(1), r.getDate(2).toLocalDate());
        families.put(r.getString(1), r.getString(3));
      });
      List<Row> sorted = new ArrayList<>();
      days.forEachRemaining(sorted::add);
      sorted.sort(Comparator.comparing(r -> r.getDate(0)));
      Iterator<Row> ordered = sorted.iterator();
      return machine.replay(userId, state, families, ordered).iterator();
    };
    Dataset<Row> records = flags.groupByKey(byUser, Encoders.STRING())
        .cogroup(prior.groupByKey(priorByUser, Encoders.STRING()), replay,
            Encoders.row(MembershipStateMachine.OUTPUT))
        .persist(StorageLevel.MEMORY_AND_DISK());

    Dataset<Row> membership = records.where(col("record").equalTo("member"))
        .select("as_of_date", "user_id", "segment", "family", "entered_on");
    Dataset<Row> changes = records.where(col("record").isin("entered", "exited"))
        .select(col("as_of_date"), col("user_id"), col("segment"), col("family"), col("record").as("change"),
            col("replaced_by"));
    Dataset<Row> stays = records.where(col("record").equalTo("stay"))
        .select("user_id", "segment", "family", "entered_on", "exited_on");
    return new Result(membership, changes, stays, records);
  }

  /** as_of_date, user_id, then enter_i and exit_i for each segment, nulls counted as false. */
  List<Column> flagColumns() {
    List<Column> columns = new ArrayList<>(List.of(col("as_of_date"), col("user_id")));
    for (int i = 0; i < segments.size(); i++) {
      SegmentSpec spec = segments.get(i);
      Column enter = coalesce(ExpressionPolicy.column(spec.rule()), lit(false));
      Column exit = spec.exitRule() != null ? coalesce(ExpressionPolicy.column(spec.exitRule()), lit(false)) : not(enter);
      columns.add(enter.as("enter_" + i));
      columns.add(exit.as("exit_" + i));
    }
    return columns;
  }
}
