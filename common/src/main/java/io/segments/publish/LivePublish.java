package io.segments.publish;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.array_union;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.when;

import io.segments.config.AudienceSpec;
import io.segments.config.ConfigException;
import io.segments.config.Identifiers;
import io.segments.config.PipelineConfig;
import io.segments.config.SegmentSpec;
import io.segments.io.Warehouse;
import io.segments.step.PublishGuardException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * What a stream batch publishes: for the users it evaluated, their rows of the event-refreshed segments' audiences in
 * {@code audience_members} and their {@code user_segments} row (the event families' columns and the event segments
 * in {@code segments}; the daily families as the daily publish left them), each one MERGE that touches only those
 * users' rows, so the change data feed carries exactly the batch's entries and exits.
 */
public final class LivePublish {
  private final PipelineConfig config;
  private final List<SegmentSpec> segments;
  private final AudiencePublisher publisher;

  public LivePublish(PipelineConfig config, List<SegmentSpec> eventSegments) {
    this.config = config;
    this.segments = List.copyOf(eventSegments);
    this.publisher = new AudiencePublisher(config);
  }

  /** The published tables must be there: the stream changes rows of a publish, it does not make the first. */
  public static void requirePublished(Warehouse warehouse) {
    for (String table : List.of("audience_members", "user_segments")) {
      if (!warehouse.exists(table)) {
        throw new ConfigException("stream", warehouse.name(table) + " does not exist yet",
            "publish once with the daily run first: ./segments run --as-of <yesterday>");
      }
    }
  }

  /** The audiences of the event-refreshed segments. */
  public List<AudienceSpec> audiences() {
    Set<String> names = segments.stream().map(SegmentSpec::name).collect(Collectors.toSet());
    return publisher.audiences().stream().filter(a -> names.contains(a.segment())).toList();
  }

  /**
   * The guard per batch: refuses (exit 4) when the batch's entries and exits of an audience are more than
   * publish.max_change_share of its members, or of validate.min_size when it has fewer (a handful of entries into a
   * small churn-save audience is its normal day, not a runaway rule).
   *
   * @param moved entries and exits of the batch per segment
   */
  public void guard(Warehouse warehouse, Map<String, Long> moved, long batchId, boolean allowLargeChange) {
    List<AudienceSpec> audiences = audiences();
    if (allowLargeChange || audiences.isEmpty() || moved.isEmpty()) {
      return;
    }
    Map<String, Long> sizes = new LinkedHashMap<>();
    Object[] names = audiences.stream().map(AudienceSpec::name).toArray();
    warehouse.read("audience_members").where(col("audience").isin(names)).groupBy("audience").count()
        .collectAsList().forEach(r -> sizes.put(r.getString(0), r.getLong(1)));
    double limit = config.maxChangeShare();
    List<String> tripped = new ArrayList<>();
    for (AudienceSpec audience : audiences) {
      long size = sizes.getOrDefault(audience.name(), 0L);
      long changed = moved.getOrDefault(audience.segment(), 0L);
      long base = Math.max(size, config.validate().minSize());
      if (changed > limit * base) {
        tripped.add(String.format("audience '%s' would change by %,d members in one batch, %.0f%% of %,d (its %,d"
            + " members, at least validate.min_size; limit %.0f%%)", audience.name(), changed,
            100.0 * changed / base, base, size, 100 * limit));
      }
    }
    if (!tripped.isEmpty()) {
      throw new PublishGuardException("publish guard tripped in stream batch " + batchId + ", nothing of it was"
          + " published:\n  " + String.join("\n  ", tripped), "check the events of this batch; if the change is"
          + " real, restart the stream with --allow-large-change (or raise publish.max_change_share in "
          + config.file() + ")");
    }
  }

  /**
   * Writes the evaluated users' rows: {@code membership} (user_id, segment, family, entered_on: their event segments
   * now) into audience_members and user_segments.
   *
   * @param evaluated user_id of every user the batch evaluated (those without a membership leave)
   * @param users the users table for export attributes, or null
   */
  public void write(Warehouse warehouse, Dataset<Row> membership, Dataset<Row> evaluated, Dataset<Row> users,
      String note) {
    writeAudiences(warehouse, membership, evaluated, users, note);
    writeUserSegments(warehouse, membership, evaluated, note);
  }

  private void writeAudiences(Warehouse warehouse, Dataset<Row> membership, Dataset<Row> evaluated,
      Dataset<Row> users, String note) {
    Object[] names = audiences().stream().map(AudienceSpec::name).toArray();
    if (names.length == 0) {
      return;
    }
    Dataset<Row> target = warehouse.read("audience_members");
    Dataset<Row> fresh = publisher.audienceMembers(warehouse.spark(), membership, users)
        .where(col("audience").isin(names));
    List<Column> aligned = new ArrayList<>();
    for (String column : target.columns()) {
      aligned.add(List.of(fresh.columns()).contains(column) ? col(column)
          : lit(null).cast(target.schema().apply(column).dataType()).as(column));
    }
    Dataset<Row> gone = target.where(col("audience").isin(names))
        .join(evaluated, new String[] {"user_id"}, "left_semi")
        .join(fresh.select("audience", "user_id"), new String[] {"audience", "user_id"}, "left_anti");
    Dataset<Row> source = fresh.select(aligned.toArray(Column[]::new)).withColumn("__gone", lit(false))
        .unionByName(gone.withColumn("__gone", lit(true)));
    merge(warehouse, "audience_members", source, List.of("audience", "user_id"), target.columns(), note);
  }

  private void writeUserSegments(Warehouse warehouse, Dataset<Row> membership, Dataset<Row> evaluated,
      String note) {
    Dataset<Row> target = warehouse.read("user_segments");
    Set<String> families = new LinkedHashSet<>();
    segments.stream().map(SegmentSpec::family).filter(f -> f != null).forEach(families::add);
    List<Column> perUser = new ArrayList<>();
    for (String family : families) {
      perUser.add(max(when(col("family").equalTo(family), col("segment"))).as("__" + family));
    }
    perUser.add(collect_list(col("segment")).as("__event"));
    Dataset<Row> now = membership.groupBy("user_id").agg(perUser.get(0), perUser.subList(1, perUser.size())
        .toArray(Column[]::new));
    String eventNames = segments.stream().map(s -> Identifiers.sparkString(s.name()))
        .collect(Collectors.joining(", "));
    Dataset<Row> joined = evaluated.select("user_id").join(target, new String[] {"user_id"}, "left")
        .join(now, new String[] {"user_id"}, "left");
    List<Column> out = new ArrayList<>();
    for (String column : target.columns()) {
      if (column.equals("segments")) {
        Column daily = expr("filter(coalesce(segments, array()), s -> not array_contains(array(" + eventNames
            + "), s))");
        out.add(array_sort(array_union(daily, coalesce(col("__event"), array().cast("array<string>"))))
            .as("segments"));
      } else if (families.contains(column)) {
        out.add(col(Identifiers.spark("__" + column)).as(column));
      } else {
        out.add(col(Identifiers.spark(column)));
      }
    }
    Dataset<Row> source = joined.select(out.toArray(Column[]::new)).withColumn("__gone", lit(false));
    merge(warehouse, "user_segments", source, List.of("user_id"), target.columns(), note);
  }

  /** One MERGE by key: rows marked __gone are deleted, changed rows updated, new ones inserted. */
  private static void merge(Warehouse warehouse, String table, Dataset<Row> source, List<String> keys,
      String[] columns, String note) {
    Map<String, String> values = new LinkedHashMap<>();
    for (String column : columns) {
      values.put(Identifiers.spark(column), Identifiers.spark("s", column));
    }
    String changed = DeltaPublish.changed(columns, keys);
    var merge = warehouse.delta(table).as("t").merge(source.as("s"), DeltaPublish.keysMatch(keys))
        .whenMatched("s.__gone").delete();
    if (!changed.isEmpty()) {
      merge = merge.whenMatched(changed).updateExpr(values);
    }
    var write = merge.whenNotMatched("not s.__gone").insertExpr(values);
    warehouse.committing(note, Map.of(), () -> warehouse.commit(table, write::execute));
    io.segments.io.FaultPoint.written(table);
  }
}
