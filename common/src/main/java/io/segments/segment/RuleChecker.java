package io.segments.segment;

import io.segments.config.ConfigException;
import io.segments.config.ExpressionPolicy;
import io.segments.config.PipelineConfig;
import io.segments.config.SegmentSpec;
import io.segments.features.FeatureBuilder;
import io.segments.io.SourceReader;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Checks every segment rule against the feature schema without running a Spark job: it must pass the
 * {@link ExpressionPolicy} over the columns of {@code user_features}, and be boolean. Errors name the file,
 * line, segment and a near-miss suggestion.
 */
public final class RuleChecker {
  private RuleChecker() {}

  /** Checks features and rules of the config; returns the feature schema. */
  public static StructType check(SparkSession spark, PipelineConfig config) {
    StructType schema = new FeatureBuilder(config.features(), config.rfmMap())
        .schema(spark, config.source().users() != null);
    Dataset<Row> empty = spark.createDataFrame(List.of(), schema);
    Set<String> columns = new LinkedHashSet<>();
    Arrays.stream(schema.fieldNames()).forEach(c -> columns.add(c.toLowerCase(Locale.ROOT)));
    for (io.segments.config.FeatureSpec feature : config.features()) {
      if (feature.expression() != null) {
        io.segments.config.ClockCasts.refuse(empty, ExpressionPolicy.column(feature.expression()), feature.expression(),
            feature.where() + " (feature '" + feature.name() + "', expression)");
      }
    }
    for (SegmentSpec segment : config.segments()) {
      checkRule(empty, columns, segment, "rule", segment.rule());
      if (segment.exitRule() != null) {
        checkRule(empty, columns, segment, "exit_rule", segment.exitRule());
      }
      if (segment.eventDriven()) {
        checkEventDriven(config, segment);
      }
    }
    return schema;
  }

  /**
   * A segment the stream updates reads each user's own features only: RFM scores rank a user among all users of the
   * day, which a batch of a few users cannot know (checked through expression features too).
   */
  private static void checkEventDriven(PipelineConfig config, SegmentSpec segment) {
    java.util.Map<String, io.segments.config.FeatureSpec> byColumn = new java.util.HashMap<>();
    config.features().forEach(f -> f.outputNames().forEach(c -> byColumn.put(c.toLowerCase(Locale.ROOT), f)));
    java.util.Deque<String> names = new java.util.ArrayDeque<>(ExpressionPolicy.references(segment.rule()));
    if (segment.exitRule() != null) {
      names.addAll(ExpressionPolicy.references(segment.exitRule()));
    }
    Set<String> seen = new java.util.HashSet<>();
    while (!names.isEmpty()) {
      io.segments.config.FeatureSpec feature = byColumn.get(names.pop());
      if (feature == null || !seen.add(feature.name())) {
        continue;
      }
      if (feature.kind() == io.segments.config.FeatureKind.RFM) {
        throw new ConfigException(segment.where() + " (segment '" + segment.name() + "')", "segment '"
            + segment.name() + "' has refresh: event but its rules use the rfm feature '" + feature.name()
            + "', whose scores rank each user among all users of the day", "use refresh: daily for this segment, or"
            + " rules over per-user features (count, recency, sum, ...)");
      }
      if (feature.expression() != null) {
        names.addAll(ExpressionPolicy.references(feature.expression()));
      }
    }
  }

  private static void checkRule(Dataset<Row> features, Set<String> columns, SegmentSpec segment, String key,
      String rule) {
    String where = segment.where() + " (segment '" + segment.name() + "', " + key + ")";
    Column column = new Column(ExpressionPolicy.check(rule, columns, where, "feature"));
    StructType result;
    try {
      result = features.select(column.as("rule")).schema();
    } catch (Exception e) {
      throw new ConfigException(where, "rule '" + rule + "' is invalid: " + SourceReader.firstLine(e.getMessage()),
          "write a boolean expression over the declared features");
    }
    io.segments.config.ClockCasts.refuse(features, column, rule, where);
    if (!result.fields()[0].dataType().equals(DataTypes.BooleanType)) {
      throw new ConfigException(where, "rule '" + rule + "' is of type " + result.fields()[0].dataType().simpleString()
          + ", not boolean", "compare it, e.g. '" + rule + " > 0'");
    }
  }
}
