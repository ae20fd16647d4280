package io.segments.io;

import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * Writes of a table partitioned by day ({@code user_features}, {@code segment_membership}, {@code segment_changes}):
 * the days written replace the rows of those days, in one commit that notes the last day the table then holds
 * ({@code written_through=D}). Days all after the noted one (a daily run's new day) have no rows to replace: they are
 * appended, which Delta does without reading the table's file list (a snapshot and a scan planning saved). Without
 * the note (a table written before it, or by hand: any other commit) the last day is read from the table. A noted day
 * is never before the last day held: a write killed after its note replays its days, and replaces them.
 */
public final class DayPartitions {
  private static final String THROUGH = "written_through=";

  private DayPartitions() {}

  /**
   * Replaces the rows of {@code days} (in order) of {@code table}, partitioned by the date {@code column};
   * {@code evolving}: its columns follow the config ({@link Warehouse#replaceWhereEvolving}).
   */
  public static void replace(Warehouse warehouse, Dataset<Row> data, String table, String column,
      List<LocalDate> days, boolean evolving) {
    LocalDate last = days.get(days.size() - 1);
    if (!warehouse.exists(table)) {
      warehouse.noting(THROUGH + last, () -> warehouse.overwrite(data, table, column));
      return;
    }
    LocalDate through = writtenThrough(warehouse, table, column);
    Column condition = through == null || days.get(0).isAfter(through) ? null : Warehouse.between(column, days);
    warehouse.noting(THROUGH + (through == null || last.isAfter(through) ? last : through), () -> {
      if (evolving) {
        warehouse.replaceWhereEvolving(data, table, condition, column);
      } else {
        warehouse.writeWhere(data, table, condition, false);
      }
    });
  }

  /** The last day of {@code column} in the table: its last write's note, else read (null: no rows). */
  static LocalDate writtenThrough(Warehouse warehouse, String table, String column) {
    String note = warehouse.note(table);
    if (note != null && note.startsWith(THROUGH)) {
      return LocalDate.parse(note.substring(THROUGH.length()).lines().findFirst().orElseThrow());
    }
    Row max = warehouse.read(table).agg(functions.max(column)).first();
    return max.isNullAt(0) ? null : max.getDate(0).toLocalDate();
  }
}
