package io.segments.io;

import io.segments.config.SourceConfig;
import java.util.Arrays;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.NullType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;

/**
 * Opens a configured source: a catalog table ({@code db.table}) or a path with its format
 * ({@code delta:/data/events}, {@code parquet:/data/events}).
 */
public final class SourceReader {
  private SourceReader() {}

  public static Dataset<Row> open(SparkSession spark, String source, String configKey) {
    return open(spark, source, configKey, java.util.Map.of());
  }

  /**
   * What a CSV path source is read with unless {@code source.options} says otherwise: RFC 4180, a quote inside a
   * quoted field written as two (as Python's csv module, pandas and spreadsheets write it), where Spark's own default
   * escape is a backslash and would keep both quotes, so a JSON properties column would never parse.
   */
  public static final java.util.Map<String, String> CSV_DEFAULTS = java.util.Map.of("escape", "\"");

  /** The reader options of a source: {@link #CSV_DEFAULTS} for a CSV path, then {@code options}, which win. */
  public static java.util.Map<String, String> readerOptions(String source, java.util.Map<String, String> options) {
    if (!"csv".equals(SourceConfig.pathFormat(source))) {
      return options;
    }
    java.util.Map<String, String> merged = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    merged.putAll(CSV_DEFAULTS);
    merged.putAll(options);
    return merged;
  }

  /** Opens a source; {@code options} go to the reader of a path source ({@code source.options}). */
  public static Dataset<Row> open(SparkSession spark, String source, String configKey,
      java.util.Map<String, String> options) {
    try {
      String format = SourceConfig.pathFormat(source);
      if (format != null) {
        return spark.read().format(format).options(readerOptions(source, options))
            .load(source.substring(format.length() + 1));
      }
      return spark.table(source);
    } catch (Exception e) {
      if (e instanceof AnalysisException || e.getCause() instanceof AnalysisException) {
        throw new InputRefusedException("cannot read " + configKey + " '" + source + "': " + firstLine(e.getMessage()),
            "check that the table exists (./segments sql \"show tables in <db>\") or set " + configKey
                + " to an existing table or to format:path");
      }
      throw e;
    }
  }

  /**
   * Fails with the column, the type expected and found, and the config key to change when a mapped column is
   * absent or of a type the pipeline cannot read. Extra columns are ignored.
   */
  public static void requireColumns(Dataset<Row> data, SourceConfig source, String sourceName) {
    for (String pipelineName : SourceConfig.COLUMNS) {
      String column = source.column(pipelineName);
      if (column == null) {
        continue;
      }
      DataType type = typeOf(data, column);
      if (type == null) {
        throw new InputRefusedException("source " + sourceName + " has no column '" + column + "' (mapped as "
            + pipelineName + "); it has " + Arrays.toString(data.columns()),
            "set source.columns." + pipelineName + " to the column that holds it");
      }
      boolean epoch = source.timestampUnit() != null;
      String expected = switch (pipelineName) {
        case "event_at" -> epoch
            ? (type instanceof NumericType || type instanceof StringType ? null
                : "a number of " + source.timestampUnit() + " since 1970 (source.timestamp_unit)")
            : type instanceof TimestampType || type instanceof TimestampNTZType || type instanceof DateType
                || type instanceof StringType ? null : "timestamp, date or string";
        case "properties" -> type instanceof org.apache.spark.sql.types.MapType
            || type instanceof org.apache.spark.sql.types.StructType || type instanceof StringType
            || type instanceof org.apache.spark.sql.types.ArrayType array && keyValue(array) != null ? null
            : "a map, a struct, a JSON string or an array of {key, value} structs";
        case "revenue" -> type instanceof NumericType || type instanceof StringType || type instanceof NullType
            ? null : "a number (or a string holding one)";
        default -> type instanceof StringType || type instanceof IntegerType || type instanceof LongType
            || type instanceof ShortType ? null : "string or integer";
      };
      if (expected != null) {
        String fix = pipelineName.equals("event_at") && type instanceof NumericType
            ? "set source.timestamp_unit to seconds, milliseconds or microseconds (the unit of the epoch numbers)"
            : pipelineName.equals("event_at") && epoch
                ? "remove source.timestamp_unit: it is for epoch numbers only"
                : "map source.columns." + pipelineName + " to a column of that type, or cast it in a view over the"
                    + " source";
        throw new InputRefusedException("source " + sourceName + " column '" + column + "' (" + pipelineName
            + ") has type " + type.simpleString() + "; expected " + expected, fix);
      }
    }
  }

  /** The value field of an array of {key, value} structs (GA4's event_params), or null for another array. */
  public static org.apache.spark.sql.types.StructField keyValue(org.apache.spark.sql.types.ArrayType array) {
    if (array.elementType() instanceof org.apache.spark.sql.types.StructType element
        && Arrays.asList(element.fieldNames()).contains("key")
        && Arrays.asList(element.fieldNames()).contains("value")) {
      return element.apply("value");
    }
    return null;
  }

  /** The type of a column or nested field ({@code properties.time}), or null when the source has none. */
  public static DataType typeOf(Dataset<Row> data, String column) {
    try {
      return data.select(org.apache.spark.sql.functions.col(column)).schema().fields()[0].dataType();
    } catch (Exception e) {
      if (e instanceof AnalysisException || e.getCause() instanceof AnalysisException) {
        return null;
      }
      throw e;
    }
  }

  /**
   * The users table ({@code source.users}), refused when a user_id appears more than once: a duplicate would
   * give the user two feature rows, two memberships and a duplicate key in the audience tables.
   */
  public static Dataset<Row> users(SparkSession spark, String source) {
    return unique(open(spark, source, "source.users"), source);
  }

  /**
   * {@link #users(SparkSession, String)}, only the {@code columns} among those it has, planned once
   * ({@link Detached#of}): a run reads them in several queries.
   */
  public static Dataset<Row> users(SparkSession spark, String source, java.util.Collection<String> columns) {
    Dataset<Row> users = open(spark, source, "source.users");
    java.util.Set<String> wanted = new java.util.HashSet<>();
    columns.forEach(c -> wanted.add(c.toLowerCase(java.util.Locale.ROOT)));
    org.apache.spark.sql.Column[] used = java.util.Arrays.stream(users.columns())
        .filter(c -> wanted.contains(c.toLowerCase(java.util.Locale.ROOT)))
        .map(c -> org.apache.spark.sql.functions.col(io.segments.config.Identifiers.spark(c)))
        .toArray(org.apache.spark.sql.Column[]::new);
    return unique(Detached.of(used.length == 0 ? users : users.select(used)), source);
  }

  private static Dataset<Row> unique(Dataset<Row> users, String source) {
    Row duplicates = users.groupBy("user_id").count().where("count > 1")
        .agg(org.apache.spark.sql.functions.count("*"), org.apache.spark.sql.functions.min("user_id")).first();
    if (duplicates.getLong(0) > 0) {
      throw new InputRefusedException("source.users '" + source + "' has " + duplicates.getLong(0) + " user_id"
          + (duplicates.getLong(0) == 1 ? " that appears" : "s that appear") + " more than once (e.g. '"
          + duplicates.get(1) + "')", "give the users table one row per user_id, e.g. a view that keeps each"
          + " user's latest row, and point source.users at it");
    }
    return users;
  }

  /** The first line of an exception message (Spark's carry the whole plan after it). */
  public static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    String line = message.strip();
    int newline = line.indexOf('\n');
    return newline < 0 ? line : line.substring(0, newline);
  }
}
