package io.segments.io;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * Writes of a table partitioned by day ({@code user_features}, {@code segment_membership}, {@code segment_changes},
 * {@code quarantine_events}): the days written replace the rows of those days, in one commit that notes the last day
 * the table then holds ({@code written_through=D}). Days all after the noted one (a daily run's new day) have no rows
 * to replace: they are appended, which Delta does without reading the table's file list (a snapshot and a scan
 * planning saved). Without the note (a table written before it, or by hand: any other commit) the last day is read
 * from the table. A noted day is never before the last day held: a write killed after its note replays its days, and
 * replaces them.
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
    // Appended rows are not checked against the days as replaceWhere checks them: the steps stamp only their days.
    Column condition = through == null || days.get(0).isAfter(through) ? null : Warehouse.between(column, days);
    warehouse.noting(THROUGH + (through == null || last.isAfter(through) ? last : through), () -> {
      if (evolving) {
        warehouse.replaceWhereEvolving(data, table, condition, column);
      } else {
        warehouse.writeWhere(data, table, condition, false);
      }
    });
  }

  /**
   * Deletes the rows of {@code day}, unless no write reached it (a day after the noted one: no Spark job). Without a
   * note, the last day is read and noted by this commit (recorded even when it deletes nothing).
   */
  public static void delete(Warehouse warehouse, String table, String column, LocalDate day) {
    LocalDate noted = noted(warehouse, table);
    LocalDate through = noted != null ? noted : lastDay(warehouse, table, column);
    if (noted != null && day.isAfter(noted)) {
      return;
    }
    LocalDate after = through == null || day.isAfter(through) ? day : through;
    warehouse.committing(THROUGH + after, noted == null ? Map.of("spark.databricks.delta.skipRecordingEmptyCommits",
        "false") : Map.of(), () -> warehouse.commit(table,
            () -> warehouse.delta(table).delete(Warehouse.on(column, day))));
  }

  /** The last day of {@code column} in the table: its last write's note, else read (null: no rows). */
  static LocalDate writtenThrough(Warehouse warehouse, String table, String column) {
    LocalDate noted = noted(warehouse, table);
    return noted != null ? noted : lastDay(warehouse, table, column);
  }

  private static LocalDate noted(Warehouse warehouse, String table) {
    String note = warehouse.note(table);
    return note != null && note.startsWith(THROUGH)
        ? LocalDate.parse(note.substring(THROUGH.length()).lines().findFirst().orElseThrow()) : null;
  }

  private static LocalDate lastDay(Warehouse warehouse, String table, String column) {
    Row max = warehouse.read(table).agg(functions.max(column)).first();
    return max.isNullAt(0) ? null : max.getDate(0).toLocalDate();
  }
}
