package io.segments.io;

import io.segments.config.Identifiers;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The warehouse's catalog changes: views, table properties and comments, drops. Each is made only when it changes
 * something, and a change of a Delta table's metadata is counted as the commit it is ({@link Warehouse#commit}).
 */
public final class WarehouseDdl {
  private final Warehouse warehouse;
  private final SparkSession spark;
  private final String database;

  WarehouseDdl(Warehouse warehouse) {
    this.warehouse = warehouse;
    this.spark = warehouse.spark();
    this.database = warehouse.database();
  }

  /** Whether {@code table} is a view (it exists). */
  public boolean isView(String table) {
    try {
      return "VIEW".equals(spark.catalog().getTable(warehouse.quoted(table)).tableType());
    } catch (org.apache.spark.sql.AnalysisException e) {
      return false;
    }
  }

  /**
   * Creates or replaces the view {@code name} as {@code select}, unless it already is exactly that: the same text
   * and the same columns (a view keeps the columns it had when created, so a table that gained or lost a column
   * needs its views replaced). A daily run then changes no catalog entry. Views of a catalog.schema database are
   * always replaced.
   */
  public void view(String name, String select) {
    if (!database.contains(".") && spark.catalog().currentCatalog().equals("spark_catalog")) {
      var identifier = new org.apache.spark.sql.catalyst.TableIdentifier(name, scala.Option.apply(database));
      var catalog = spark.sessionState().catalog();
      try {
        if (catalog.tableExists(identifier)) {
          var view = catalog.getTableMetadata(identifier);
          if (select.equals(view.viewText().getOrElse(() -> null))
              && view.schema().equals(spark.sql(select).schema())) {
            return;
          }
        }
      } catch (org.apache.spark.sql.AnalysisException e) {
        // not readable from the session catalog: replace it
      }
    }
    spark.sql("create or replace view " + warehouse.quoted(name) + " as " + select);
  }

  /** A table's properties (no Spark job: read from the table's metadata). */
  public Map<String, String> properties(String table) {
    Map<String, String> properties = new java.util.HashMap<>();
    spark.sql("show tblproperties " + warehouse.quoted(table)).collectAsList()
        .forEach(r -> properties.put(r.getString(0), r.getString(1)));
    return properties;
  }

  public void unsetProperties(String table, List<String> keys) {
    String quotedKeys = String.join(", ", keys.stream().map(Identifiers::sparkString).toList());
    warehouse.commit(table, () -> spark.sql("alter table " + warehouse.quoted(table) + " unset tblproperties (" + quotedKeys + ")"));
  }

  public void setProperties(String table, Map<String, String> properties) {
    // ALTER TABLE takes no parameter markers; keys and values are the pipeline's own, escaped by Spark.
    warehouse.commit(table, () -> spark.sql("alter table " + warehouse.quoted(table) + " set " + tblproperties(properties)));
  }

  /**
   * Creates the empty table {@code table} with these columns and their comments (by column name) in one commit,
   * then sets its comment and properties in a second (a comment set on each column afterwards would be a commit
   * each). Written as a first write is, so a location left by a run killed while creating it is reused.
   */
  public void createEmpty(StructType schema, String table, String comment, Map<String, String> columnComments,
      Map<String, String> properties) {
    StructType commented = new StructType();
    for (StructField field : schema.fields()) {
      String text = columnComments.get(field.name());
      commented = commented.add(text == null ? field : field.withComment(text));
    }
    StructType columns = commented;
    warehouse.commit(table, () -> warehouse.create(spark.createDataFrame(List.of(), columns), table));
    Map<String, String> all = new java.util.LinkedHashMap<>(properties);
    all.put("comment", comment);
    setProperties(table, all);
    FaultPoint.written(table);
  }

  private static String tblproperties(Map<String, String> properties) {
    List<String> pairs = new ArrayList<>();
    properties.forEach((key, value) -> pairs.add(Identifiers.sparkString(key) + " = " + Identifiers.sparkString(value)));
    return "tblproperties (" + String.join(", ", pairs) + ")";
  }

  /** Drops {@code table} when it exists (a derived table the pipeline no longer writes). */
  public void dropIfExists(String table) {
    if (warehouse.exists(table)) {
      spark.sql("drop table " + warehouse.quoted(table));
    }
  }
}
