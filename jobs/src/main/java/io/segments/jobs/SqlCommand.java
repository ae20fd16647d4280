package io.segments.jobs;

import io.segments.config.ConfigException;
import io.segments.config.PipelineConfig;
import io.segments.io.SparkSessions;
import io.segments.io.Statements;
import io.segments.io.Warehouse;
import io.segments.ledger.RunLock;
import java.time.Duration;
import java.util.UUID;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;

/**
 * {@code sql "<statement>"}: the admin door. Runs any statement against the catalog with the job's own
 * credentials (queries, and DDL or DML too, e.g. to register a source table); csv and json print data rows
 * only. A statement that changes tables takes the run lock as a run does, so it never interleaves with one.
 */
final class SqlCommand {
  static final String SUMMARY = "admin: run one statement against the catalog with the job's credentials"
      + " (queries, DDL, DML); statements that change tables take the run lock (but those on pipeline_lock"
      + " alone, which clear a killed run's lock)";

  private SqlCommand() {}

  static int run(CommandLine line) {
    List<String> statement = line.getArgList();
    if (statement.size() != 1) {
      throw new ConfigException("sql", "expected one statement in quotes, got " + statement.size() + " arguments",
          "write e.g. ./segments sql \"select * from segments.user_segments limit 5\"");
    }
    String format = format(line);
    int limit = limit(line);
    PipelineConfig config = Commands.config(line);
    SparkSession spark = SparkSessions.create(config, "segments sql");
    Dataset<Row> result;
    LogicalPlan plan = parse(spark, statement.get(0));
    // Clearing a killed run's lock (delete from pipeline_lock) must not wait for that lock.
    if (Statements.changesTables(plan) && !Statements.onlyDeletesOrUpdates(plan, "pipeline_lock")) {
      Warehouse warehouse = new Warehouse(spark, config.database());
      try (RunLock lock = RunLock.acquire(warehouse, UUID.randomUUID().toString(), "sql",
          Duration.ofMinutes(config.lockStaleMinutes()))) {
        result = spark.sql(statement.get(0)); // commands run here, eagerly, under the lock
      }
    } else {
      result = spark.sql(statement.get(0));
    }
    print(result, format, limit);
    return Main.OK;
  }

  /** --format: table (default), csv or json. */
  static String format(CommandLine line) {
    String format = line.getOptionValue("format", "table");
    if (!List.of("table", "csv", "json").contains(format)) {
      throw new ConfigException("--format", "unknown format '" + format + "'", "use table, csv or json");
    }
    return format;
  }

  /** --limit N: rows to print, default 1000; 0 means all. */
  private static int limit(CommandLine line) {
    String value = line.getOptionValue("limit", "1000");
    try {
      int limit = Integer.parseInt(value.trim());
      if (limit < 0) {
        throw new NumberFormatException();
      }
      return limit == 0 ? Integer.MAX_VALUE : limit;
    } catch (NumberFormatException e) {
      throw new ConfigException("--limit", "'" + value + "' is not a whole number of rows", "write e.g. --limit 100,"
          + " or --limit 0 for all rows");
    }
  }

  /**
   * Prints at most {@code limit} rows as a table, or as csv or json (a header and rows only, for scripts); says on
   * stderr when there were more.
   */
  static void print(Dataset<Row> result, String format, int limit) {
    List<Row> rows = result.takeAsList(limit == Integer.MAX_VALUE ? limit : limit + 1);
    boolean cut = rows.size() > limit;
    if (cut) {
      rows = rows.subList(0, limit);
    }
    Dataset<Row> printed = result.sparkSession().createDataFrame(rows, result.schema()); // no second execution
    switch (format) {
      case "csv" -> {
        System.out.println(String.join(",", result.columns()));
        for (Row row : rows) {
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
      case "json" -> printed.toJSON().collectAsList().forEach(System.out::println);
      default -> printed.show(rows.size(), false);
    }
    if (cut) {
      System.err.printf("warning: printed the first %,d rows only (--limit %d); --limit 0 prints all%n", limit, limit);
    }
  }

  private static LogicalPlan parse(SparkSession spark, String statement) {
    try {
      return spark.sessionState().sqlParser().parsePlan(statement);
    } catch (Exception e) {
      throw new ConfigException("sql", "the statement does not parse: "
          + io.segments.io.SourceReader.firstLine(e.getMessage()), "check the statement's syntax (Spark SQL)");
    }
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
