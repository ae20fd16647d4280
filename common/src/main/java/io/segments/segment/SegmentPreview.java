package io.segments.segment;

import static org.apache.spark.sql.functions.col;

import io.segments.config.SegmentSpec;
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
