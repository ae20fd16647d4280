package io.segments.io;

import io.segments.config.SourceConfig;
import java.util.Arrays;
import java.util.Locale;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Opens a configured source: a catalog table ({@code db.table}) or a path with its format
 * ({@code delta:/data/events}, {@code parquet:/data/events}).
 */
public final class SourceReader {
  private SourceReader() {}

  public static Dataset<Row> open(SparkSession spark, String source, String configKey) {
    try {
      int colon = source.indexOf(':');
      if (colon > 0 && Arrays.asList("delta", "parquet", "orc", "json", "csv").contains(
          source.substring(0, colon).toLowerCase(Locale.ROOT))) {
        return spark.read().format(source.substring(0, colon)).load(source.substring(colon + 1));
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

  /** Fails with the missing column and the config key to change when a mapped column is absent. */
  public static void requireColumns(Dataset<Row> data, SourceConfig source, String sourceName) {
    for (String pipelineName : SourceConfig.COLUMNS) {
      String column = source.column(pipelineName);
      if (!Arrays.asList(data.columns()).contains(column)) {
        throw new InputRefusedException("source " + sourceName + " has no column '" + column + "' (mapped as "
            + pipelineName + "); it has " + Arrays.toString(data.columns()),
            "set source.columns." + pipelineName + " to the column that holds it");
      }
    }
  }

  static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
