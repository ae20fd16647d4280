package io.segments.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.segments.SparkTestBase;
import io.segments.config.ConfigException;
import io.segments.io.Warehouse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Notebooks run their query cells into HTML; a cell that would change a table is refused. */
class NotebookRunnerTest extends SparkTestBase {
  @TempDir Path dir;

  @Test
  void queryCellsRunAndACellThatChangesATableIsRefused() throws Exception {
    new Warehouse(spark(), "nb").overwrite(frame(new StructType().add("segment", DataTypes.StringType),
        row("fans"), row("others")), "segment_catalog");
    Path notebook = dir.resolve("n.sql");
    Files.writeString(notebook, NotebookRunner.HEADER + "\n-- MAGIC %md\n-- MAGIC # Sizes\n"
        + "select segment from nb.segment_catalog order by segment\n");
    String html = NotebookRunner.run(spark(), notebook);
    Assertions.assertTrue(html.contains("<h1>Sizes</h1>") && html.contains("fans") && html.contains("2 rows"), html);

    Files.writeString(notebook, NotebookRunner.HEADER + "\nselect 1\n" + NotebookRunner.SEPARATOR
        + "\ndrop table nb.segment_catalog\n");
    ConfigException e = assertThrows(ConfigException.class, () -> NotebookRunner.run(spark(), notebook));
    Assertions.assertTrue(e.getMessage().contains("cell 2: the cell changes tables"), e.getMessage());
    assertEquals(2, spark().table("nb.segment_catalog").count(), "the table is still there");
  }

  @Test
  void widgetsAreParametersWithDefaultsAndAnUndefinedOneIsRefused() throws Exception {
    new Warehouse(spark(), "nb_widgets").overwrite(frame(new StructType().add("segment", DataTypes.StringType),
        row("fans")), "segment_catalog");
    Path notebook = dir.resolve("w.sql");
    Files.writeString(notebook, NotebookRunner.HEADER + "\n-- the database\nCREATE WIDGET TEXT database DEFAULT \"nope\"\n"
        + NotebookRunner.SEPARATOR + "\ncreate widget text segment default 'fans';\n" + NotebookRunner.SEPARATOR
        + "\nselect segment from ${database}.segment_catalog where segment = '${segment}'\n");
    String html = NotebookRunner.run(spark(), notebook, java.util.Map.of("database", "nb_widgets"));
    Assertions.assertTrue(html.contains("database = nb_widgets") && html.contains("segment = fans")
        && html.contains("1 rows"), html);
    assertThrows(Exception.class, () -> NotebookRunner.run(spark(), notebook), "the default database nope is not there");

    Files.writeString(notebook, NotebookRunner.HEADER + "\nselect * from ${db}.segment_catalog\n");
    ConfigException e = assertThrows(ConfigException.class, () -> NotebookRunner.run(spark(), notebook));
    Assertions.assertTrue(e.getMessage().contains("cell 1: uses ${db}, which no widget defines"), e.getMessage());
  }

  @Test
  void everyCellOfTheShippedNotebooksOnlyReads() throws Exception {
    try (var notebooks = Files.list(Path.of("..", "notebooks"))) {
      for (Path notebook : notebooks.filter(p -> p.toString().endsWith(".sql")).toList()) {
        String text = Files.readString(notebook);
        java.util.Map<String, String> widgets = new java.util.HashMap<>();
        for (String cell : text.substring(NotebookRunner.HEADER.length()).split(
            java.util.regex.Pattern.quote(NotebookRunner.SEPARATOR))) {
          String sql = java.util.Arrays.stream(cell.strip().split("\n"))
              .filter(l -> !l.startsWith("-- MAGIC") && !l.isBlank()).collect(java.util.stream.Collectors.joining("\n"));
          var widget = NotebookRunner.widget(sql);
          if (widget != null) {
            widgets.put(widget.getKey(), widget.getValue());
          } else if (!sql.isEmpty()) {
            Assertions.assertFalse(io.segments.io.Statements.changesTables(spark().sessionState().sqlParser()
                .parsePlan(NotebookRunner.substituted(sql, widgets, notebook.toString()))), notebook + ": " + sql);
            Assertions.assertFalse(sql.matches("(?s).*\\bsegments\\.\\w+.*"),
                notebook + ": reads the configured database (${database}), not segments.: " + sql);
          }
        }
      }
    }
  }
}
