package io.segments.jobs;

import io.segments.config.ConfigException;
import io.segments.config.PipelineConfig;
import io.segments.io.SparkSessions;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** {@code sql "<statement>"}: runs a statement against the catalog; csv and json print data rows only. */
final class SqlCommand {
  private SqlCommand() {}

  static int run(CommandLine line) {
    List<String> statement = line.getArgList();
    if (statement.size() != 1) {
      throw new ConfigException("sql", "expected one statement in quotes, got " + statement.size() + " arguments",
          "write e.g. ./segments sql \"select * from segments.user_segments limit 5\"");
    }
    String format = line.getOptionValue("format", "table");
    if (!List.of("table", "csv", "json").contains(format)) {
      throw new ConfigException("--format", "unknown format '" + format + "'", "use table, csv or json");
    }
    int limit = (int) Commands.number(line, "limit", 1000);
    PipelineConfig config = Commands.config(line);
    SparkSession spark = SparkSessions.create(config, "segments sql");
    Dataset<Row> result = spark.sql(statement.get(0));
    switch (format) {
      case "csv" -> {
        System.out.println(String.join(",", result.columns()));
        for (Row row : result.takeAsList(limit)) {
          StringBuilder out = new StringBuilder();
          for (int i = 0; i < row.size(); i++) {
            Object value = row.isNullAt(i) ? null
                : row.get(i) instanceof scala.collection.Seq<?> ? String.join(";", row.getList(i).stream()
                    .map(String::valueOf).toList()) : row.get(i);
            out.append(i == 0 ? "" : ",").append(csv(value));
          }
          System.out.println(out);
        }
      }
      case "json" -> result.toJSON().takeAsList(limit).forEach(System.out::println);
      default -> result.show(limit, false);
    }
    return Main.OK;
  }

  private static String csv(Object value) {
    if (value == null) {
      return "";
    }
    String text = value.toString();
    return text.contains(",") || text.contains("\"") || text.contains("\n")
        ? "\"" + text.replace("\"", "\"\"") + "\""
        : text;
  }

}
