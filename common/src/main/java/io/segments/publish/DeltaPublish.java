package io.segments.publish;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.segments.config.Identifiers;
import io.segments.io.FaultPoint;
import io.segments.io.Warehouse;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * Replaces a published table's content with one Delta MERGE: insert new keys, update changed rows, delete keys
 * that are gone. Unchanged rows are not updated, so the change data feed shows only real changes (Delta still
 * rewrites the files they are in: the NOT MATCHED BY SOURCE clause touches every file).
 */
final class DeltaPublish {
  private DeltaPublish() {}

  /**
   * One row, two longs: the rows of {@code before}, and the keys a publish from {@code before} to {@code after} adds,
   * removes or changes (in one only, or any column differs; nulls equal). The key is unique and never null in both,
   * as a primary key is.
   */
  static Dataset<Row> changes(Dataset<Row> before, Dataset<Row> after, String key) {
    Column beforeKey = col(Identifiers.spark("b", key));
    Column afterKey = col(Identifiers.spark("a", key));
    Column changed = beforeKey.isNull().or(afterKey.isNull());
    for (String column : after.columns()) {
      if (!column.equals(key)) {
        changed = changed.or(not(col(Identifiers.spark("b", column)).eqNullSafe(col(Identifiers.spark("a", column)))));
      }
    }
    return before.as("b").join(after.as("a"), beforeKey.equalTo(afterKey), "full_outer")
        .agg(count(beforeKey).as("before"), coalesce(sum(when(changed, 1L)), lit(0L)).as("changed"));
  }

  /**
   * One MERGE; its commit notes {@code note} (the as-of day and run), so the table's history says which publish
   * wrote each version without a commit of its own. A MERGE that changes no row still commits (it
   * rewrites the files it read: the NOT MATCHED BY SOURCE clause reads them all) but records no change in the feed.
   */
  static void merge(Warehouse warehouse, String table, Dataset<Row> source, List<String> keys, TableDocs.Doc doc,
      String note) {
    merge(warehouse, table, source, keys, doc, note, Map.of());
  }

  /**
   * {@link #merge(Warehouse, String, Dataset, List, TableDocs.Doc, String)} where a row whose key is in both takes,
   * for the columns of {@code matched}, a value computed from the published row {@code t} and the new one {@code s}
   * (a SQL expression), not the new row's; a row is changed when one of its values would change.
   */
  static void merge(Warehouse warehouse, String table, Dataset<Row> source, List<String> keys, TableDocs.Doc doc,
      String note, Map<String, String> matched) {
    if (warehouse.exists(table)
        && !Arrays.equals(warehouse.read(table).schema().fieldNames(), source.schema().fieldNames())) {
      // The configured columns changed: replace content and schema in one commit.
      warehouse.overwriteNoting(matched.isEmpty() ? source : fromPublished(warehouse.read(table), source, keys,
          matched), table, note);
      return;
    }
    if (!warehouse.exists(table)) {
      warehouse.ddl().createEmpty(source.schema(), table, doc.table(), doc.columns(),
          Map.of("delta.enableChangeDataFeed", "true"));
    } else {
      dropAsOfProperties(warehouse, table);
    }
    String changed = changed(source.columns(), keys, matched);
    var merge = warehouse.delta(table).as("t").merge(source.as("s"), keysMatch(keys));
    if (!changed.isEmpty()) {
      Map<String, String> set = new java.util.LinkedHashMap<>();
      Arrays.stream(source.columns()).forEach(c -> set.put(Identifiers.spark(c),
          matched.getOrDefault(c, Identifiers.spark("s", c))));
      merge = merge.whenMatched(changed).updateExpr(set);
    }
    var changes = merge.whenNotMatched().insertAll().whenNotMatchedBySource().delete();
    // Delta copies a source that is more than a read of Delta tables first (a job per MERGE), so that both of the
    // MERGE's passes see the same rows should the source be computed again in between (a lost executor; a source
    // that is not Delta may be rewritten in place). Not copied: rows held on the driver (the catalog's), and a source
    // cached with a copy on disk in a local session, where the driver runs every task and no lost executor takes it.
    boolean kept = source.isLocal() || warehouse.spark().sparkContext().isLocal() && source.storageLevel().useDisk();
    warehouse.committing(note, kept ? Map.of("spark.databricks.delta.merge.materializeSource", "none") : Map.of(),
        () -> warehouse.commit(table, changes::execute));
    FaultPoint.written(table);
  }

  /**
   * The source rows with the {@code matched} columns computed from the published rows as the MERGE computes them,
   * for an overwrite (the columns changed); a column whose expression names one the published table lacks takes
   * the source's value.
   */
  private static Dataset<Row> fromPublished(Dataset<Row> published, Dataset<Row> source, List<String> keys,
      Map<String, String> matched) {
    java.util.Set<String> has = Arrays.stream(published.columns()).map(c -> c.toLowerCase(java.util.Locale.ROOT))
        .collect(Collectors.toSet());
    List<Column> out = new java.util.ArrayList<>();
    for (String c : source.columns()) {
      String expression = matched.get(c);
      boolean computable = expression != null && java.util.regex.Pattern.compile("\\bt\\.(\\w+)").matcher(expression)
          .results().allMatch(m -> has.contains(m.group(1).toLowerCase(java.util.Locale.ROOT)));
      out.add(computable ? functions.expr("case when " + Identifiers.spark("t", keys.get(0)) + " is null then "
          + Identifiers.spark("s", c) + " else " + expression + " end").as(c) : col(Identifiers.spark("s", c)).as(c));
    }
    return source.as("s").join(published.as("t"), functions.expr(keysMatch(keys)), "left")
        .select(out.toArray(Column[]::new));
  }

  /** A MERGE's condition that target {@code t} and source {@code s} rows have the same key. */
  static String keysMatch(List<String> keys) {
    return keys.stream().map(k -> Identifiers.spark("t", k) + " = " + Identifiers.spark("s", k))
        .collect(Collectors.joining(" and "));
  }

  /** A MERGE's condition that a matched row differs in a column other than the key (nulls equal); "" for none. */
  static String changed(String[] columns, List<String> keys) {
    return changed(columns, keys, Map.of());
  }

  /** {@link #changed(String[], List)} where the columns of {@code matched} take those values, not the source's. */
  private static String changed(String[] columns, List<String> keys, Map<String, String> matched) {
    return Arrays.stream(columns).filter(c -> !keys.contains(c)).map(c -> "not (" + Identifiers.spark("t", c)
        + " <=> " + matched.getOrDefault(c, Identifiers.spark("s", c)) + ")").collect(Collectors.joining(" or "));
  }

  /**
   * Publishes before 2026-12 set the as-of day and run as table properties, a commit per table per day; they are
   * commit notes now. Properties left by such a publish would go stale: removed once.
   */
  private static void dropAsOfProperties(Warehouse warehouse, String table) {
    List<String> stale = warehouse.ddl().properties(table).keySet().stream()
        .filter(key -> key.equals("segments.as_of_date") || key.equals("segments.run_id")).sorted().toList();
    if (!stale.isEmpty()) {
      warehouse.ddl().unsetProperties(table, stale);
    }
  }
}
