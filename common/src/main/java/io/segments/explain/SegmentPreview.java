package io.segments.explain;

import static org.apache.spark.sql.functions.col;

import io.segments.config.ConfigException;
import io.segments.config.PipelineConfig;
import io.segments.config.SegmentSpec;
import io.segments.features.FeatureBuilder;
import io.segments.io.Warehouse;
import io.segments.segment.RuleChecker;
import io.segments.segment.SegmentEngine;
import io.segments.step.StepContext;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Before a definition change ships: for each new or changed segment, its size on D under the current and the
 * new definitions, who would enter and who would leave (ten of each). Nothing is written.
 */
public final class SegmentPreview {
  private SegmentPreview() {}

  /**
   * What the segments of this config would look like on D compared with what is published: new or changed
   * segments only, nothing written. The current definitions are read from {@code segment_catalog}.
   */
  public static List<Change> preview(PipelineConfig config, Warehouse warehouse, LocalDate asOf) {
    RuleChecker.check(warehouse.spark(), config);
    if (!warehouse.exists("segment_catalog") || !warehouse.exists("segment_membership")) {
      throw new ConfigException("preview", "nothing is published yet in " + config.database(),
          "run the pipeline once (run --as-of D) before previewing a change");
    }
    List<SegmentSpec> current = new ArrayList<>();
    warehouse.read("segment_catalog").collectAsList().forEach(r -> current.add(new SegmentSpec(r.getAs("segment"),
        r.getAs("family"), r.<Integer>getAs("priority"), r.getAs("rule"), r.getAs("exit_rule"),
        r.<Integer>getAs("min_days"), "", "", "", "", "", "segment_catalog")));
    java.util.List<String> needed = io.segments.config.PropertyFilters.properties(config.features());
    java.util.List<String> carried = io.segments.rollup.DailyRollup.carried(warehouse.read("user_daily_activity"));
    if (!carried.containsAll(needed)) {
      throw new ConfigException("preview", "the features' where conditions name event properties the rollup does not"
          + " carry yet: " + needed.stream().filter(p -> !carried.contains(p)).toList(), "run the pipeline once with"
          + " this config (the run rebuilds the rollup with them), then preview");
    }
    Dataset<Row> features = new FeatureBuilder(config.features(), config.rfmMap(), config.source().vocabulary())
        .build(warehouse.read("user_daily_activity"), new StepContext(config, warehouse, null).signups(),
            List.of(asOf));
    Dataset<Row> membership = warehouse.read("segment_membership");
    return preview(current, config.segments(), features,
        membership.where(Warehouse.on("as_of_date", asOf.minusDays(1))),
        membership.where(Warehouse.on("as_of_date", asOf)));
  }

  /** One changed segment. */
  public record Change(String segment, long before, long after, long entering, long leaving,
      List<String> enteringSample, List<String> leavingSample) {}

  /**
   * @param current the segments as published
   * @param proposed the new definitions
   * @param features user_features of D computed with the new config
   * @param yesterday segment_membership of D-1 (user_id, segment, entered_on)
   * @param today segment_membership of D as published
   */
  public static List<Change> preview(List<SegmentSpec> current, List<SegmentSpec> proposed, Dataset<Row> features,
      Dataset<Row> yesterday, Dataset<Row> today) {
    Map<String, SegmentSpec> before = current.stream().collect(Collectors.toMap(SegmentSpec::name, s -> s));
    List<String> changed = proposed.stream().filter(s -> !same(before.get(s.name()), s)).map(SegmentSpec::name).toList();
    List<Change> out = new ArrayList<>();
    if (changed.isEmpty()) {
      return out;
    }
    Dataset<Row> after = new SegmentEngine(proposed).assign(features, yesterday).membership()
        .where(col("segment").isin(changed.toArray())).select("user_id", "segment").cache();
    Dataset<Row> now = today.where(col("segment").isin(changed.toArray())).select("user_id", "segment").cache();
    for (String segment : changed) {
      Dataset<Row> a = after.where(col("segment").equalTo(segment)).select("user_id");
      Dataset<Row> b = now.where(col("segment").equalTo(segment)).select("user_id");
      Dataset<Row> entering = a.except(b);
      Dataset<Row> leaving = b.except(a);
      out.add(new Change(segment, b.count(), a.count(), entering.count(), leaving.count(), sample(entering),
          sample(leaving)));
    }
    after.unpersist();
    now.unpersist();
    return out;
  }

  private static boolean same(SegmentSpec a, SegmentSpec b) {
    return a != null && Objects.equals(a.family(), b.family()) && a.priority() == b.priority()
        && a.rule().equals(b.rule()) && a.effectiveExitRule().equals(b.effectiveExitRule()) && a.minDays() == b.minDays();
  }

  private static List<String> sample(Dataset<Row> users) {
    return users.orderBy("user_id").limit(10).collectAsList().stream().map(r -> r.getString(0)).toList();
  }
}
