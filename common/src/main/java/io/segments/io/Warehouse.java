package io.segments.io;

import io.delta.tables.DeltaTable;
import io.segments.config.Identifiers;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Reads and writes the pipeline's Delta tables in the output database. Every write is a single Delta
 * commit: a reader sees the old or the new version, never a mix, and a rerun replaces instead of appending.
 */
public final class Warehouse {
  private final SparkSession spark;
  private final String database;
  private long commits;
  private final Map<String, Long> lastWrite = new java.util.HashMap<>();

  public Warehouse(SparkSession spark, String database) {
    this.spark = spark;
    this.database = database;
    spark.sql("create database if not exists " + Identifiers.spark(database.split("\\.")));
  }

  public SparkSession spark() {
    return spark;
  }

  public String database() {
    return database;
  }

  /**
   * Delta commits this warehouse object made so far: every write goes through {@link #commit}, which counts the
   * versions the table moved by (a write Delta skips as empty, say a DELETE that matched nothing, counts 0).
   */
  public long commits() {
    return commits;
  }

  /**
   * Runs {@code write}, a change of {@code table} (a DeltaTable merge, update or delete), counting its commits. The
   * versions come from the table's log as this process last saw it, which its own commit updates: no read.
   */
  public void commit(String table, Runnable write) {
    long before = exists(table) ? commits(table).seen() : -1;
    write.run();
    long after = commits(table).seen();
    commits += Math.max(0, after - before);
    lastWrite.put(table, after > before ? after : -1L);
  }

  private DeltaCommits commits(String table) {
    return new DeltaCommits(spark, location(table));
  }

  /**
   * The rows this warehouse object's last write of {@code table} wrote (Delta's own count, read from the commit;
   * no Spark job); 0 when it skipped the write as empty, null when it has not written the table.
   */
  public Long rowsWritten(String table) {
    return written(table, "numOutputRows");
  }

  /**
   * A figure of Delta's operationMetrics of this warehouse object's last write of {@code table} (e.g. a MERGE's
   * numTargetRowsInserted), read from the commit; 0 when Delta skipped the write as empty, null when it has not
   * written the table or the commit has no such figure.
   */
  public Long written(String table, String metric) {
    Long version = lastWrite.get(table);
    return version == null ? null : version < 0 ? Long.valueOf(0) : commits(table).metric(version, metric);
  }

  /** The latest version's data files, from its checksum file (no Spark job); null when it has none. */
  public Long fileCount(String table) {
    return commits(table).fileCount();
  }

  /** The table's name as messages show it: database.table. */
  public String name(String table) {
    return database + "." + table;
  }

  /** The table's name as SQL text: `database`.`table`. */
  public String quoted(String table) {
    String[] parts = (database + "." + table).split("\\.");
    return Identifiers.spark(parts);
  }

  public boolean exists(String table) {
    return spark.catalog().tableExists(quoted(table));
  }

  public Dataset<Row> read(String table) {
    return spark.table(quoted(table));
  }

  /** Replaces the whole table in one commit (creating it if needed). */
  public void overwrite(Dataset<Row> data, String table, String... partitionBy) {
    commit(table, () -> overwriteOrCreate(data, table, partitionBy));
    FaultPoint.written(table);
  }

  /**
   * {@link #overwrite}, with a note recorded in the same commit (its user metadata), read back by {@link #note}:
   * what the rows were built from, known to be true exactly when the rows are there.
   */
  public void overwriteNoting(Dataset<Row> data, String table, String note) {
    noting(note, () -> overwrite(data, table));
  }

  private void overwriteOrCreate(Dataset<Row> data, String table, String... partitionBy) {
    if (!exists(table)) {
      create(data, table, partitionBy);
      return;
    }
    // Writes by path: Spark 3.5.6+ refuses saveAsTable(overwrite) on Delta tables (delta-io/delta#4671).
    var writer = data.write().format("delta").mode("overwrite").option("overwriteSchema", "true");
    if (partitionBy.length > 0) {
      writer = writer.partitionBy(partitionBy);
    }
    writer.save(location(table));
  }

  void noting(String note, Runnable write) {
    committing(note, Map.of(), write);
  }

  /**
   * Runs a write with {@code note} as its commit's user metadata and {@code settings} set in the session for it
   * alone. The note is set in the session rather than as the writer's userMetadata option, which a table's first
   * write (saveAsTable) did not record in our tests, and which a DeltaTable MERGE does not take.
   */
  public void committing(String note, Map<String, String> settings, Runnable write) {
    Map<String, String> all = new java.util.LinkedHashMap<>(settings);
    all.put("spark.databricks.delta.commitInfo.userMetadata", note);
    Map<String, scala.Option<String>> previous = new java.util.LinkedHashMap<>();
    all.forEach((key, value) -> {
      previous.put(key, spark.conf().getOption(key));
      spark.conf().set(key, value);
    });
    try {
      write.run();
    } finally {
      previous.forEach((key, value) -> {
        if (value.isDefined()) {
          spark.conf().set(key, value.get());
        } else {
          spark.conf().unset(key);
        }
      });
    }
  }

  void create(Dataset<Row> data, String table, String... partitionBy) {
    var writer = data.write().format("delta").mode("append");
    if (partitionBy.length > 0) {
      writer = writer.partitionBy(partitionBy);
    }
    writer.saveAsTable(quoted(table));
  }

  /**
   * The note of the table's last write ({@link #overwriteNoting}, {@link #replaceWhereNoting}); null if it had
   * none. Maintenance that keeps the rows (OPTIMIZE, VACUUM, table properties) is looked past; any other commit
   * without a note, say a RESTORE or a hand-made UPDATE, counts as a write without one. Read from the table's
   * commit files on the driver: no Spark job.
   */
  public String note(String table) {
    return commits(table).note();
  }

  /**
   * The storage location of a table: from the session catalog's metadata (no read of the Delta log) when that is
   * where its name resolves, else with DESCRIBE DETAIL (a catalog.schema database, another current catalog).
   */
  public String location(String table) {
    if (!database.contains(".") && spark.catalog().currentCatalog().equals("spark_catalog")) {
      var identifier = new org.apache.spark.sql.catalyst.TableIdentifier(table, scala.Option.apply(database));
      try {
        return spark.sessionState().catalog().getTableMetadata(identifier).location().toString();
      } catch (org.apache.spark.sql.AnalysisException e) {
        // not in the session catalog: DESCRIBE DETAIL says why
      }
    }
    return spark.sql("describe detail " + quoted(table)).select("location").first().getString(0);
  }

  /**
   * Replaces the rows matching {@code condition} (e.g. one as_of_date partition) in one commit, so rerunning a
   * day replaces that day instead of duplicating it. Creates the table on first use. The condition is a Column
   * (typed literals), rendered to the SQL text Delta's option takes by Spark itself.
   */
  public void replaceWhere(Dataset<Row> data, String table, Column condition, String... partitionBy) {
    if (!exists(table)) {
      overwrite(data, table, partitionBy);
      return;
    }
    writeWhere(data, table, condition, false);
  }

  /**
   * A commit of {@code table} that changes no row and notes {@code note}: for a note known only once the rows are
   * written (they are read back to compute it).
   */
  public void noteOnly(String table, String note) {
    committing(note, Map.of("spark.databricks.delta.skipRecordingEmptyCommits", "false"), () -> commit(table,
        () -> spark.createDataFrame(List.of(), read(table).schema()).write().format("delta").mode("append")
            .save(location(table))));
  }

  /** {@link #replaceWhere} with a note in the same commit, as {@link #overwriteNoting}. */
  public void replaceWhereNoting(Dataset<Row> data, String table, Column condition, String note) {
    noting(note, () -> replaceWhere(data, table, condition));
  }

  /** One commit that replaces the rows matching {@code condition} with {@code data}; null: appends them. */
  void writeWhere(Dataset<Row> data, String table, Column condition, boolean mergeSchema) {
    var writer = data.write().format("delta").option("mergeSchema", String.valueOf(mergeSchema));
    commit(table, () -> (condition == null ? writer.mode("append")
        : writer.mode("overwrite").option("replaceWhere", condition.expr().sql())).save(location(table)));
    FaultPoint.written(table);
  }

  /**
   * {@link #replaceWhere} for a table whose columns follow the config ({@code user_features}): a new column is
   * added (null in the rows already there), a column no longer produced is kept (its past values stay; null in
   * the new rows), and a column whose type changed is first cast in the rows already there (null where an old
   * value does not convert), in one commit of its own.
   */
  public void replaceWhereEvolving(Dataset<Row> data, String table, Column condition, String... partitionBy) {
    // A null condition appends (DayPartitions).
    if (!exists(table)) {
      overwrite(data, table, partitionBy);
      return;
    }
    StructType current = read(table).schema();
    Map<String, StructField> incoming = new java.util.LinkedHashMap<>();
    for (StructField field : data.schema().fields()) {
      incoming.put(field.name().toLowerCase(java.util.Locale.ROOT), field);
    }
    List<Column> existing = new ArrayList<>();
    List<Column> aligned = new ArrayList<>();
    boolean retyped = false;
    for (StructField field : current.fields()) {
      StructField next = incoming.remove(field.name().toLowerCase(java.util.Locale.ROOT));
      DataType type = next == null ? field.dataType() : next.dataType();
      retyped |= !type.equals(field.dataType());
      existing.add(functions.col(field.name()).cast(type).as(field.name()));
      aligned.add((next == null ? functions.lit(null) : functions.col(next.name())).cast(type).as(field.name()));
    }
    incoming.values().forEach(field -> aligned.add(functions.col(field.name())));
    if (retyped) {
      overwrite(read(table).select(existing.toArray(Column[]::new)), table, partitionBy);
    }
    writeWhere(data.select(aligned.toArray(Column[]::new)), table, condition, true);
  }

  /** {@code column in (values)}, the values as typed literals (e.g. java.sql.Date). */
  public static Column in(String column, Collection<?> values) {
    return functions.col(column).isin(values.toArray());
  }

  /** {@code column between the first and the last of days} (days in order), as date literals. */
  public static Column between(String column, java.util.List<java.time.LocalDate> days) {
    return functions.col(column).between(functions.lit(java.sql.Date.valueOf(days.get(0))),
        functions.lit(java.sql.Date.valueOf(days.get(days.size() - 1))));
  }

  /** {@code column = day}, as a date literal. */
  public static Column on(String column, java.time.LocalDate day) {
    return functions.col(column).equalTo(functions.lit(java.sql.Date.valueOf(day)));
  }

  public void append(Dataset<Row> data, String table) {
    commit(table, () -> data.write().format("delta").mode("append").option("mergeSchema", "true")
        .saveAsTable(quoted(table)));
    FaultPoint.written(table);
  }

  /** Changes of the catalog: views, table properties and comments, drops (with their own commits where Delta's). */
  public WarehouseDdl ddl() {
    return new WarehouseDdl(this);
  }

  public DeltaTable delta(String table) {
    return DeltaTable.forName(spark, quoted(table));
  }
}
