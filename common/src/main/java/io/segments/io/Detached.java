package io.segments.io;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Reads planned once, under a plan that names no table. */
public final class Detached {
  private Detached() {}

  /**
   * The rows of {@code data} (planned now: its files are fixed) under a plan that names no table. A frame cached
   * on it stays cached when this run then writes a table it read: Delta's writes re-plan every cached plan that
   * reads the table written (by table, not version: a scan planning and a snapshot, then the rows computed again).
   * Recomputed after a lost executor, it reads the same files.
   */
  public static Dataset<Row> of(Dataset<Row> data) {
    return data.sparkSession().createDataFrame(data.toJavaRDD(), data.schema());
  }

}
