package io.segments.segment;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;

import io.segments.config.SegmentSpec;
import io.segments.step.Check;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The method's checklist per segment, as run-ledger warnings: unstable (members flipping in and out more than
 * twice in 14 days) and large overlaps between segments without a family, from the segments step; the size
 * checks (empty, too small, holding most users), from the validate step.
 */
public final class SegmentChecklist {
  /** Share of all known users above which a segment separates nobody. */
  public static final double MOST_USERS = 0.8;
  /** Overlap of two segments without a family, as a share of the smaller one, worth a warning. */
  public static final double OVERLAP = 0.5;

  private SegmentChecklist() {}

  /**
   * The size checks of one segment on D, which the validate step makes (once per run, so the segments step does
   * not): empty, fewer than {@code minSize} members (0: not checked), or more than {@link #MOST_USERS} of the
   * known users.
   */
  public static List<Check> sizeChecks(String segment, long size, long knownUsers, int minSize, LocalDate asOf) {
    List<Check> warnings = new ArrayList<>();
    if (size == 0) {
      warnings.add(Check.warning("segment '" + segment + "' is empty on " + asOf));
    } else if (size < minSize) {
      warnings.add(Check.warning(String.format("segment '%s' has %,d members on %s, fewer than validate.min_size %,d: too small"
          + " to trust", segment, size, asOf, minSize)));
    }
    if (knownUsers > 0 && size > MOST_USERS * knownUsers) {
      warnings.add(Check.warning(String.format("segment '%s' holds %.0f%% of users on %s: it does not separate"
          + " anyone", segment, 100.0 * size / knownUsers, asOf)));
    }
    return warnings;
  }

  /** A day's checks and the sizes they were measured with. */
  public record Result(Map<String, Long> sizes, List<Check> checks) {}

  /**
   * The members per segment on the day and the checks, all counted in one query (one Spark job where adaptive
   * execution is off, as on the demo's small data).
   *
   * @param membership segment_membership rows of the day
   * @param changes segment_changes rows of (at least) the 14 days ending with the day
   */
  public static Result checks(List<SegmentSpec> segments, Dataset<Row> membership, Dataset<Row> changes,
      LocalDate asOf) {
    Column none = lit(null).cast("string");
    Dataset<Row> figures = membership.groupBy("segment").count()
        .select(lit("size").as("figure"), col("segment").as("a"), none.as("b"), col("count"));
    figures = figures.unionAll(changes
        .where(col("as_of_date").gt(Date.valueOf(asOf.minusDays(14))).and(col("as_of_date").leq(Date.valueOf(asOf))))
        .groupBy("segment", "user_id").agg(count("*").as("flips")).where(col("flips").gt(2))
        .groupBy("segment").count().select(lit("unstable"), col("segment"), none, col("count")));
    List<String> free = segments.stream().filter(s -> s.family() == null).map(SegmentSpec::name).toList();
    if (free.size() >= 2) {
      Dataset<Row> members = membership.where(col("segment").isin(free.toArray())).select("user_id", "segment");
      figures = figures.unionAll(members.as("a").join(members.as("b"), col("a.user_id").equalTo(col("b.user_id"))
              .and(col("a.segment").lt(col("b.segment"))))
          .groupBy(col("a.segment"), col("b.segment")).count().select(lit("overlap"), col("a.segment"),
              col("b.segment"), col("count")));
    }
    Map<String, Long> sizes = new HashMap<>();
    Map<String, Long> flippers = new HashMap<>();
    Map<List<String>, Long> shared = new java.util.TreeMap<>(java.util.Comparator.comparing((List<String> pair) ->
        pair.get(0)).thenComparing(pair -> pair.get(1)));
    for (Row r : figures.collectAsList()) {
      switch (r.getString(0)) {
        case "size" -> sizes.put(r.getString(1), r.getLong(3));
        case "unstable" -> flippers.put(r.getString(1), r.getLong(3));
        default -> shared.put(List.of(r.getString(1), r.getString(2)), r.getLong(3));
      }
    }
    List<Check> warnings = new ArrayList<>();
    for (SegmentSpec spec : segments) {
      long unstable = flippers.getOrDefault(spec.name(), 0L);
      if (unstable > 0) {
        warnings.add(Check.warning(String.format("segment '%s' is unstable: %,d users entered or left it more than"
            + " twice in the 14 days to %s", spec.name(), unstable, asOf), "add an exit_rule or min_days"));
      }
    }
    shared.forEach((pair, count) -> {
      long smaller = Math.min(sizes.getOrDefault(pair.get(0), 0L), sizes.getOrDefault(pair.get(1), 0L));
      if (smaller > 0 && count > OVERLAP * smaller) {
        warnings.add(Check.warning(String.format("segments '%s' and '%s' overlap: %,d shared members, %.0f%% of"
            + " the smaller", pair.get(0), pair.get(1), count, 100.0 * count / smaller)));
      }
    });
    return new Result(sizes, warnings);
  }
}
