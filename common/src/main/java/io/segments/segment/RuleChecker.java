package io.segments.segment;

import io.segments.config.ConfigException;
import io.segments.config.PipelineConfig;
import io.segments.config.SegmentSpec;
import io.segments.features.FeatureBuilder;
import io.segments.io.SourceReader;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Checks every segment rule against the feature schema without running a Spark job: it must parse, name only
 * existing features, be boolean, deterministic and free of subqueries. Errors name the file, line, segment and
 * a near-miss suggestion.
 */
public final class RuleChecker {
  private static final Pattern UNRESOLVED = Pattern.compile("`?([A-Za-z_][A-Za-z0-9_]*)`? cannot be resolved");
  private static final Pattern FORBIDDEN = Pattern.compile("(?i)\\b(select|insert|delete|update|drop|create|alter|merge)\\b");

  private RuleChecker() {}

  /** Checks features and rules of the config; returns the feature schema. */
  public static StructType check(SparkSession spark, PipelineConfig config) {
    StructType schema = new FeatureBuilder(config.features(), config.rfmMap())
        .schema(spark, config.source().users() != null);
    Dataset<Row> empty = spark.createDataFrame(List.of(), schema);
    for (SegmentSpec segment : config.segments()) {
      checkRule(empty, segment, "rule", segment.rule());
      if (segment.exitRule() != null) {
        checkRule(empty, segment, "exit_rule", segment.exitRule());
      }
    }
    return schema;
  }

  private static void checkRule(Dataset<Row> features, SegmentSpec segment, String key, String rule) {
    String where = segment.where() + " (segment '" + segment.name() + "', " + key + ")";
    if (FORBIDDEN.matcher(rule.replaceAll("'[^']*'", "''")).find()) {
      throw new ConfigException(where, "rule '" + rule + "' contains a query or statement",
          "write a boolean expression over features only, e.g. invites_7d >= 1 and comments_14d = 0");
    }
    Column column;
    try {
      column = functions.expr(rule);
    } catch (Exception e) {
      throw new ConfigException(where, "rule '" + rule + "' does not parse: " + SourceReader.firstLine(e.getMessage()),
          "write a Spark SQL boolean expression, e.g. invites_7d >= 1 and comments_14d = 0");
    }
    StructType result;
    Dataset<Row> selected;
    try {
      selected = features.select(column.as("rule"));
      result = selected.schema();
    } catch (Exception e) {
      String message = SourceReader.firstLine(e.getMessage());
      Matcher matcher = UNRESOLVED.matcher(message);
      if (matcher.find()) {
        String unknown = matcher.group(1);
        throw new ConfigException(where, "rule '" + rule + "' names unknown feature '" + unknown + "'",
            "did you mean `" + nearest(unknown, features.columns()) + "`? Features are declared under 'features:'");
      }
      throw new ConfigException(where, "rule '" + rule + "' is invalid: " + message,
          "write a boolean expression over the declared features");
    }
    if (!selected.queryExecution().analyzed().deterministic()) {
      throw new ConfigException(where, "rule '" + rule + "' is not deterministic",
          "remove rand(), uuid() and similar: a rule must give the same answer for the same features");
    }
    if (!result.fields()[0].dataType().equals(DataTypes.BooleanType)) {
      throw new ConfigException(where, "rule '" + rule + "' is of type " + result.fields()[0].dataType().simpleString()
          + ", not boolean", "compare it, e.g. '" + rule + " > 0'");
    }
  }

  static String nearest(String unknown, String[] candidates) {
    return Arrays.stream(candidates)
        .filter(c -> !c.equals("as_of_date"))
        .min(Comparator.comparingInt(c -> distance(unknown.toLowerCase(), c.toLowerCase())))
        .orElse("?");
  }

  private static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
