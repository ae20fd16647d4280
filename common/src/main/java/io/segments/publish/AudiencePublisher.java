package io.segments.publish;

import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import io.segments.config.AudienceSpec;
import io.segments.config.Identifiers;
import io.segments.config.PipelineConfig;
import io.segments.config.SegmentSpec;
import io.segments.io.Warehouse;
import io.segments.step.PublishGuardException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The publish step: the tables reverse-ETL tools read.
 *
 * <ul>
 *   <li>{@code audience_members}: one row per (audience, user_id) current member, with entered_on and the
 *       export attributes allowed for that audience. Primary key (audience, user_id).
 *   <li>{@code user_segments}: one row per known user: one column per family (its segment) and the sorted
 *       array of all segments. Primary key user_id.
 *   <li>{@code segment_catalog}: one row per segment with its spec, size and change since the last publish.
 * </ul>
 *
 * <p>Each table is changed by one Delta MERGE (one commit) that touches only rows whose values changed, so the
 * change data feed holds exactly who entered, left or changed. No column changes daily for everyone; the
 * as-of date is segment_catalog's last_refreshed_on and each commit's note. The publish guard checks every
 * audience before anything is written.
 */
public final class AudiencePublisher {
  private final PipelineConfig config;

  public AudiencePublisher(PipelineConfig config) {
    this.config = config;
  }

  /**
   * What a publish would write, computed but not yet written.
   *
   * @param oldSizes members per audience in the published table (absent: the audience is new)
   * @param entered per audience, members who are not in the published table
   * @param left per audience, published members who are no longer members
   * @param userSegmentsBefore rows of the published user_segments (0 before the first publish)
   * @param userSegmentsChanged rows of user_segments that would be inserted, changed or deleted
   */
  public record Plan(Dataset<Row> audienceMembers, Dataset<Row> userSegments, Dataset<Row> catalog,
      Map<String, Long> newSizes, Map<String, Long> oldSizes, Map<String, Long> entered, Map<String, Long> left,
      long userSegmentsBefore, long userSegmentsChanged, long base, List<String> notes) {}

  /** The audiences to publish: those configured, or one per segment when none is. */
  public List<AudienceSpec> audiences() {
    if (!config.audiences().isEmpty()) {
      return config.audiences();
    }
    return config.segments().stream()
        .map(s -> new AudienceSpec(s.name(), s.name(), List.of(), List.of(), s.where())).toList();
  }

  /** {@link #plan(Warehouse, Dataset, Dataset, long, Map, Dataset, LocalDate)}, counting the users and sizes. */
  public Plan plan(Warehouse warehouse, Dataset<Row> membership, Dataset<Row> knownUsers, Dataset<Row> users,
      LocalDate asOf) {
    return plan(warehouse, membership, knownUsers, knownUsers.count(), sizes(membership), users, asOf);
  }

  /** Members per segment in {@code membership}, in one job. */
  public static Map<String, Long> sizes(Dataset<Row> membership) {
    Map<String, Long> sizes = new LinkedHashMap<>();
    membership.groupBy("segment").count().collectAsList().forEach(r -> sizes.put(r.getString(0), r.getLong(1)));
    return sizes;
  }

  /**
   * @param membership segment_membership rows of the publish day
   * @param knownUsers user_id of every user known on the publish day
   * @param base how many they are
   * @param sizes members per segment on the publish day (absent: none)
   * @param users the users table, or null when none is configured
   */
  public Plan plan(Warehouse warehouse, Dataset<Row> membership, Dataset<Row> knownUsers, long base,
      Map<String, Long> sizes, Dataset<Row> users, LocalDate asOf) {
    SparkSession spark = warehouse.spark();
    Dataset<Row> audienceMembers = audienceMembers(spark, membership, users).cache();
    // One job for every figure: the members now beside those published, per audience, and user_segments' changes.
    Dataset<Row> now = audienceMembers.withColumn("is_new", lit(true));
    Dataset<Row> both = !warehouse.exists("audience_members") ? now.withColumn("is_old", lit(null).cast("boolean"))
        : warehouse.read("audience_members").select(col("audience"), col("user_id"), lit(true).as("is_old"))
            .join(now, new String[] {"audience", "user_id"}, "full_outer");
    List<String> hashed = audiences().stream().flatMap(a -> a.hashedIdentifiers().stream()).distinct().toList();
    List<Column> figures = new ArrayList<>(List.of(count(col("is_new")), count(col("is_old")),
        count(when(col("is_old").isNull(), true)), count(when(col("is_new").isNull(), true))));
    hashed.forEach(id -> figures.add(count(when(col("is_new").and(col(id + "_sha256").isNull()), true))));
    Map<String, Long> newSizes = new LinkedHashMap<>();
    audiences().forEach(a -> newSizes.put(a.name(), 0L));
    Map<String, Long> oldSizes = new LinkedHashMap<>();
    Map<String, Long> entered = new LinkedHashMap<>();
    Map<String, Long> left = new LinkedHashMap<>();
    Map<String, Map<String, Long>> missing = new LinkedHashMap<>();
    Dataset<Row> userSegments = userSegments(knownUsers, membership).cache();
    // Each row says whose figures it holds: an audience's, or (in the same job) user_segments' two.
    Dataset<Row> rows = both.groupBy("audience").agg(figures.get(0), figures.subList(1, figures.size())
        .toArray(Column[]::new)).select(lit(false).as("user_segments"), col("*"));
    if (warehouse.exists("user_segments")
        && Arrays.equals(warehouse.read("user_segments").columns(), userSegments.columns())) {
      List<Column> padded = new ArrayList<>(List.of(lit(true), lit(null).cast("string"), col("before"),
          col("changed")));
      while (padded.size() < figures.size() + 2) {
        padded.add(lit(0L));
      }
      rows = rows.union(DeltaPublish.changes(warehouse.read("user_segments"), userSegments, "user_id")
          .select(padded.toArray(Column[]::new)));
    }
    long userSegmentsBefore = 0;
    long userSegmentsChanged = 0;
    for (Row r : rows.collectAsList()) {
      if (r.getBoolean(0)) {
        userSegmentsBefore = r.getLong(2);
        userSegmentsChanged = r.getLong(3);
        continue;
      }
      String audience = r.getString(1);
      if (r.getLong(3) > 0) {
        oldSizes.put(audience, r.getLong(3));
      }
      if (!newSizes.containsKey(audience)) {
        continue; // no longer configured: the MERGE removes its rows, the guard does not weigh it
      }
      newSizes.put(audience, r.getLong(2));
      entered.put(audience, r.getLong(4));
      left.put(audience, r.getLong(5));
      for (int i = 0; i < hashed.size(); i++) {
        missing.computeIfAbsent(audience, a -> new LinkedHashMap<>()).put(hashed.get(i), r.getLong(6 + i));
      }
    }
    Dataset<Row> catalog = SegmentCatalog.rows(spark, config.segments(), sizes, base, asOf);
    return new Plan(audienceMembers, userSegments, catalog, newSizes, oldSizes, entered, left, userSegmentsBefore,
        userSegmentsChanged, base, missingIdentifiers(missing));
  }

  /** Members left out of an audience's ad export because they lack an identifier (no hash of nothing). */
  private List<String> missingIdentifiers(Map<String, Map<String, Long>> missing) {
    List<String> notes = new ArrayList<>();
    for (AudienceSpec audience : audiences()) {
      for (String identifier : audience.hashedIdentifiers()) {
        long count = missing.getOrDefault(audience.name(), Map.of()).getOrDefault(identifier, 0L);
        if (count > 0) {
          notes.add(String.format("audience '%s': %,d members without %s, left out of its ad export (%s_sha256 null)",
              audience.name(), count, identifier, identifier));
        }
      }
    }
    return notes;
  }

  /**
   * Refuses a publish in which an audience would churn more than the configured share of yesterday's members
   * ((entered + left) / yesterday's size; an audience swapped for others of the same size counts fully), or
   * become empty, or in which more than that share of user_segments rows would change.
   */
  public void guard(Plan plan, boolean allowLargeChange) {
    if (allowLargeChange) {
      return;
    }
    double limit = config.maxChangeShare();
    List<String> tripped = new ArrayList<>();
    plan.newSizes().forEach((audience, size) -> {
      Long old = plan.oldSizes().get(audience);
      if (old == null || old == 0) {
        return;
      }
      long in = plan.entered().getOrDefault(audience, 0L);
      long out = plan.left().getOrDefault(audience, 0L);
      double churn = (in + out) / (double) old;
      if (size == 0 || churn > limit) {
        tripped.add(String.format("audience '%s' would change by %.0f%% of its %,d members (%,d entered, %,d left,"
            + " %,d after; limit %.0f%%)", audience, 100 * churn, old, in, out, size, 100 * limit));
      }
    });
    if (plan.userSegmentsBefore() > 0 && plan.userSegmentsChanged() / (double) plan.userSegmentsBefore() > limit) {
      tripped.add(String.format("user_segments would change %,d of its %,d rows (%.0f%%, limit %.0f%%)",
          plan.userSegmentsChanged(), plan.userSegmentsBefore(),
          100.0 * plan.userSegmentsChanged() / plan.userSegmentsBefore(), 100 * limit));
    }
    if (!tripped.isEmpty()) {
      throw new PublishGuardException("publish guard tripped, nothing was published:\n  " + String.join("\n  ", tripped),
          "check the input data of this run; if the change is real, rerun with --allow-large-change"
          + " (or raise publish.max_change_share in " + config.file() + ")");
    }
  }

  /**
   * Writes the three tables (one MERGE commit each, noting the as-of day and run: {@code describe history}'s
   * userMetadata) and the per-audience views.
   */
  public void write(Warehouse warehouse, Plan plan, LocalDate asOf, String runId) {
    String note = "segments.as_of_date=" + asOf + "\nsegments.run_id=" + runId;
    DeltaPublish.merge(warehouse, "audience_members", plan.audienceMembers(), List.of("audience", "user_id"),
        TableDocs.AUDIENCE_MEMBERS, note);
    DeltaPublish.merge(warehouse, "user_segments", plan.userSegments(), List.of("user_id"),
        TableDocs.USER_SEGMENTS, note);
    DeltaPublish.merge(warehouse, "segment_catalog", plan.catalog(), List.of("segment"),
        TableDocs.SEGMENT_CATALOG, note, SegmentCatalog.FROM_PUBLISHED);
    for (AudienceSpec audience : audiences()) {
      // A view definition takes no parameter markers: the name passed the identifier rule and is escaped by Spark.
      warehouse.ddl().view("audience_" + audience.name(), "select * from " + warehouse.quoted("audience_members")
          + " where audience = " + Identifiers.sparkString(audience.name()));
    }
  }

  Dataset<Row> audienceMembers(SparkSession spark, Dataset<Row> membership, Dataset<Row> users) {
    List<Row> mapping = audiences().stream().map(a -> RowFactory.create(a.name(), a.segment())).toList();
    Dataset<Row> audienceOf = spark.createDataFrame(mapping,
        new StructType().add("audience", DataTypes.StringType).add("segment", DataTypes.StringType));
    // A local relation: Spark broadcasts it where broadcast joins are on (not a hint: a job of its own where they are
    // off, as for the demo's small data).
    Dataset<Row> members = membership.join(audienceOf, "segment")
        .select("audience", "user_id", "segment", "entered_on");

    Set<String> attributes = new LinkedHashSet<>();
    Set<String> hashed = new LinkedHashSet<>();
    audiences().forEach(a -> {
      attributes.addAll(a.attributes());
      hashed.addAll(a.hashedIdentifiers());
    });
    if (users == null || (attributes.isEmpty() && hashed.isEmpty())) {
      return members;
    }
    Set<String> needed = new LinkedHashSet<>(attributes);
    needed.addAll(hashed);
    List<Column> userColumns = new ArrayList<>(List.of(col("user_id")));
    needed.forEach(c -> userColumns.add(col(c).cast(DataTypes.StringType).as("__" + c)));
    Dataset<Row> joined = members.join(users.select(userColumns.toArray(Column[]::new)), "user_id", "left");

    List<Column> out = new ArrayList<>(List.of(col("audience"), col("user_id"), col("segment"), col("entered_on")));
    for (String attribute : attributes) {
      out.add(when(col("audience").isin(allowed(attribute, false)), col("__" + attribute)).as(attribute));
    }
    for (String identifier : hashed) {
      Column normalized = lower(trim(col("__" + identifier)));
      out.add(when(col("audience").isin(allowed(identifier, true)).and(normalized.notEqual("")),
          sha2(normalized, 256)).as(identifier + "_sha256"));
    }
    return joined.select(out.toArray(Column[]::new));
  }

  private Object[] allowed(String column, boolean hashedIdentifier) {
    return audiences().stream()
        .filter(a -> (hashedIdentifier ? a.hashedIdentifiers() : a.attributes()).contains(column))
        .map(AudienceSpec::name).toArray();
  }

  private Dataset<Row> userSegments(Dataset<Row> knownUsers, Dataset<Row> membership) {
    Set<String> families = new LinkedHashSet<>();
    config.segments().stream().map(SegmentSpec::family).filter(f -> f != null).forEach(families::add);
    List<Column> aggregates = new ArrayList<>();
    for (String family : families) {
      aggregates.add(max(when(col("family").equalTo(family), col("segment"))).as(family));
    }
    aggregates.add(array_sort(collect_list(col("segment"))).as("segments"));
    Dataset<Row> perUser = membership.groupBy("user_id")
        .agg(aggregates.get(0), aggregates.subList(1, aggregates.size()).toArray(Column[]::new));
    Dataset<Row> all = knownUsers.select("user_id").distinct().join(perUser, "user_id", "left");
    return all.withColumn("segments",
        when(col("segments").isNull(), org.apache.spark.sql.functions.array().cast("array<string>"))
            .otherwise(col("segments")));
  }
}
