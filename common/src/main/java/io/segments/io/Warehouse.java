package io.segments.io;

import io.delta.tables.DeltaTable;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Reads and writes the pipeline's Delta tables in the output database. Every write is a single Delta
 * commit: a reader sees the old or the new version, never a mix, and a rerun replaces instead of appending.
 */
public final class Warehouse {
  private final SparkSession spark;
  private final String database;

  public Warehouse(SparkSession spark, String database) {
    this.spark = spark;
    this.database = database;
    spark.sql("create database if not exists " + database);
  }

  public SparkSession spark() {
    return spark;
  }

  public String database() {
    return database;
  }

  public String name(String table) {
    return database + "." + table;
  }

  public boolean exists(String table) {
    return spark.catalog().tableExists(database, table);
  }

  public Dataset<Row> read(String table) {
    return spark.table(name(table));
  }

  /** Replaces the whole table in one commit (creating it if needed). */
  public void overwrite(Dataset<Row> data, String table, String... partitionBy) {
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

  private void create(Dataset<Row> data, String table, String... partitionBy) {
    var writer = data.write().format("delta").mode("append");
    if (partitionBy.length > 0) {
      writer = writer.partitionBy(partitionBy);
    }
    writer.saveAsTable(name(table));
  }

  /** The storage location of a table. */
  public String location(String table) {
    return spark.sql("describe detail " + name(table)).select("location").first().getString(0);
  }

  /**
   * Replaces the rows matching {@code condition} (e.g. one as_of_date partition) in one commit, so rerunning a
   * day replaces that day instead of duplicating it. Creates the table on first use.
   */
  public void replaceWhere(Dataset<Row> data, String table, String condition, String... partitionBy) {
    if (!exists(table)) {
      overwrite(data, table, partitionBy);
      return;
    }
    data.write().format("delta").mode("overwrite").option("replaceWhere", condition).save(location(table));
  }

  /** A replaceWhere condition: {@code column in ('v1', 'v2', ...)} for dates or other literal values. */
  public static String in(String column, java.util.Collection<?> values) {
    return column + " in (" + String.join(", ", values.stream().map(v -> "'" + v + "'").toList()) + ")";
  }

  public void append(Dataset<Row> data, String table) {
    data.write().format("delta").mode("append").option("mergeSchema", "true").saveAsTable(name(table));
  }

  public DeltaTable delta(String table) {
    return DeltaTable.forName(spark, name(table));
  }

  public void setProperties(String table, Map<String, String> properties) {
    StringBuilder sql = new StringBuilder("alter table ").append(name(table)).append(" set tblproperties (");
    boolean first = true;
    for (Map.Entry<String, String> entry : properties.entrySet()) {
      sql.append(first ? "" : ", ").append('\'').append(entry.getKey()).append("' = '")
          .append(entry.getValue().replace("'", "")).append('\'');
      first = false;
    }
    spark.sql(sql.append(')').toString());
  }
}
