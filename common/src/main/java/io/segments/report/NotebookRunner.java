package io.segments.report;

import io.segments.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Runs a notebook in the Databricks source format ({@code -- Databricks notebook source} header, cells split by
 * {@code -- COMMAND ----------}, markdown in {@code -- MAGIC} lines) against the catalog, and writes one HTML page
 * with each cell's markdown and result table. A cell {@code CREATE WIDGET TEXT name DEFAULT "value"} defines a
 * parameter, as on Databricks: later cells' {@code ${name}} is its value, the one given (the config's database
 * for {@code database}) or else its default.
 */
public final class NotebookRunner {
  static final String HEADER = "-- Databricks notebook source";
  static final String SEPARATOR = "-- COMMAND ----------";
  private static final int MAX_ROWS = 200;

  private static final Pattern WIDGET = Pattern.compile(
      "(?is)(?:\\s*--[^\\n]*\\n)*\\s*create\\s+widget\\s+text\\s+(\\w+)\\s+default\\s+(?:\"([^\"]*)\"|'([^']*)')\\s*;?\\s*");
  private static final Pattern REFERENCE = Pattern.compile("\\$\\{(\\w+)}");

  private NotebookRunner() {}

  /** The name and default of a {@code CREATE WIDGET TEXT} statement, or null for any other statement. */
  static Map.Entry<String, String> widget(String statement) {
    Matcher widget = WIDGET.matcher(statement);
    return !widget.matches() ? null
        : Map.entry(widget.group(1), widget.group(2) != null ? widget.group(2) : widget.group(3));
  }

  /** The statement with each {@code ${name}} replaced by its widget's value. */
  static String substituted(String statement, Map<String, String> widgets, String where) {
    Matcher reference = REFERENCE.matcher(statement);
    StringBuilder out = new StringBuilder();
    while (reference.find()) {
      String value = widgets.get(reference.group(1));
      if (value == null) {
        throw new ConfigException(where, "uses ${" + reference.group(1) + "}, which no widget defines",
            "define it in an earlier cell: CREATE WIDGET TEXT " + reference.group(1) + " DEFAULT \"...\"");
      }
      reference.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    return reference.appendTail(out).toString();
  }

  /**
   * Runs every cell; returns the HTML page. A failing cell fails the run, naming the notebook and cell. Cells
   * only read: a cell that would change a table is refused (exit 2) instead of run.
   */
  public static String run(SparkSession spark, Path notebook) {
    return run(spark, notebook, Map.of());
  }

  /** As {@link #run(SparkSession, Path)}, with values for the notebook's widgets. */
  public static String run(SparkSession spark, Path notebook, Map<String, String> parameters) {
    Map<String, String> widgets = new HashMap<>();
    String text;
    try {
      text = Files.readString(notebook);
    } catch (IOException e) {
      throw new ConfigException(notebook.toString(), "cannot read notebook: " + e.getMessage(), "check the path");
    }
    if (!text.startsWith(HEADER)) {
      throw new ConfigException(notebook.toString(), "not a Databricks source notebook",
          "start the file with '" + HEADER + "'");
    }
    StringBuilder html = new StringBuilder("<!doctype html><html><head><meta charset=\"utf-8\"><title>")
        .append(Html.escape(notebook.getFileName())).append("</title><style>")
        .append("body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse}"
            + "td,th{border:1px solid #ddd;padding:.2em .5em}th{background:#f3f6fa}pre{background:#f7f7f7;padding:.5em}")
        .append("</style></head><body>");
    String[] cells = text.substring(HEADER.length()).split(java.util.regex.Pattern.quote(SEPARATOR));
    for (int i = 0; i < cells.length; i++) {
      List<String> markdown = new ArrayList<>();
      List<String> sql = new ArrayList<>();
      for (String line : cells[i].strip().split("\n")) {
        if (line.startsWith("-- MAGIC")) {
          String content = line.substring("-- MAGIC".length()).strip();
          if (!content.equals("%md")) {
            markdown.add(content);
          }
        } else if (!line.isBlank()) {
          sql.add(line);
        }
      }
      markdown.forEach(m -> html.append(m.startsWith("# ") ? "<h1>" + Html.escape(m.substring(2)) + "</h1>"
          : "<p>" + Html.escape(m) + "</p>"));
      if (sql.isEmpty()) {
        continue;
      }
      String statement = String.join("\n", sql);
      Map.Entry<String, String> widget = widget(statement);
      if (widget != null) {
        String value = parameters.getOrDefault(widget.getKey(), widget.getValue());
        widgets.put(widget.getKey(), value);
        html.append("<p>").append(Html.escape(widget.getKey() + " = " + value)).append("</p>");
        continue;
      }
      statement = substituted(statement, widgets, notebook + ", cell " + (i + 1));
      html.append("<pre>").append(Html.escape(statement)).append("</pre>");
      Dataset<Row> result;
      List<Row> rows;
      boolean writes;
      try {
        writes = io.segments.io.Statements.changesTables(spark.sessionState().sqlParser().parsePlan(statement));
      } catch (Exception e) {
        throw new ConfigException(notebook + ", cell " + (i + 1), "does not parse: "
            + String.valueOf(e.getMessage()).split("\n")[0], "fix the cell's SQL");
      }
      if (writes) {
        throw new ConfigException(notebook + ", cell " + (i + 1), "the cell changes tables; notebooks only read",
            "keep notebooks to queries; DDL and DML go through ./segments sql (the admin door, under the run lock)");
      }
      try {
        result = spark.sql(statement);
        rows = result.takeAsList(MAX_ROWS);
      } catch (Exception e) {
        throw new IllegalStateException(notebook.getFileName() + ", cell " + (i + 1) + " failed: "
            + String.valueOf(e.getMessage()).split("\n")[0], e);
      }
      List<List<String>> table = new ArrayList<>();
      for (Row row : rows) {
        List<String> cellsOut = new ArrayList<>();
        for (int c = 0; c < row.size(); c++) {
          cellsOut.add(Html.escape(row.get(c)));
        }
        table.add(cellsOut);
      }
      html.append(Html.table(Arrays.asList(result.columns()), table))
          .append("<p>").append(rows.size()).append(rows.size() == MAX_ROWS ? "+ rows" : " rows").append("</p>");
    }
    return html.append("</body></html>").toString();
  }
}
