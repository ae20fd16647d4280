package io.segments.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segments.config.ConfigException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code bench --series}: every size is run into its own directory, then one table and one chart against users. */
class BenchSeriesTest {
  @Test
  void sizesAreIncreasingPositiveCounts() {
    assertEquals(List.of(100_000L, 300_000L, 1_000_000L), BenchSeries.sizes("100000, 300_000,1000000"));
    for (String bad : List.of("300000,100000", "0,10", "1e6", "100000,,300000")) {
      ConfigException e = assertThrows(ConfigException.class, () -> BenchSeries.sizes(bad), bad);
      assertTrue(e.getMessage().contains("--series 100000,300000,1000000"), e.getMessage());
    }
  }

  @Test
  void eachSizeRunsIntoItsDirectoryThenOneTableAndAChartAgainstUsers() throws Exception {
    Path dir = Files.createTempDirectory("segments-series");
    List<String> ran = new ArrayList<>();
    String printed = printed(() -> assertEquals(0, BenchSeries.run(List.of(1000L, 3000L), dir, (users, sizeDir) -> {
      ran.add(users + " " + dir.relativize(sizeDir));
      return writeFixture(sizeDir, users);
    })));
    assertEquals(List.of("1000 users-1000", "3000 users-3000"), ran);
    // features run twice in the full run (two chunks of days): their seconds add up.
    assertTrue(printed.contains(row("  %-6s %,11d %,11d %9.1f %9.1f %9.1f", "full", 3000, 300_000, 0.3, 0.6, 1.2)),
        printed);
    assertTrue(printed.contains(row("  %-6s %,11d %,11d %9.1f", "daily", 1000, 100_000, 0.1)), printed);
    assertTrue(printed.contains(row(" %9.1f %9.1f %9.2f%n", 2.0, 0.5, 4.0)), "whole, DuckDB, ratio: " + printed);
    String svg = Files.readString(dir.resolve("series.svg"));
    assertTrue(svg.contains("<svg") && svg.strip().endsWith("</svg>"), svg);

    Map<Long, com.fasterxml.jackson.databind.JsonNode> figures = new LinkedHashMap<>();
    for (long users : List.of(1000L, 3000L)) {
      figures.put(users, new com.fasterxml.jackson.databind.ObjectMapper().readTree(benchJson(users)));
    }
    Map<String, List<double[]>> lines = BenchSeries.lines(figures);
    assertEquals(List.of("full run", "DuckDB (full run features)", "daily run", "DuckDB (daily run features)"),
        List.copyOf(lines.keySet()));
    assertEquals("[1000.0, 0.667] [3000.0, 2.0]", points(lines.get("full run")));
    assertEquals("[1000.0, 0.167] [3000.0, 0.5]", points(lines.get("DuckDB (daily run features)")));
  }

  @Test
  void aFailingSizeStopsTheSeriesWithItsExitCode() throws Exception {
    Path dir = Files.createTempDirectory("segments-series");
    List<Long> ran = new ArrayList<>();
    String printed = printed(() -> assertEquals(3, BenchSeries.run(List.of(10L, 20L, 30L), dir, (users, sizeDir) -> {
      ran.add(users);
      return users == 20 ? 3 : writeFixture(sizeDir, users);
    })));
    assertEquals(List.of(10L, 20L), ran);
    assertTrue(printed.contains("the bench of 20 users exited 3"), printed);
    assertFalse(Files.exists(dir.resolve("series.svg")));
  }

  @Test
  void eachSizeGetsTheOtherOptionsButItsOwnUsersAndDirectory() {
    Map<String, String> options = new LinkedHashMap<>();
    options.put("series", "10,20");
    options.put("events-per-user", "20");
    options.put("dir", "/tmp/x");
    options.put("verbose", null);
    options.put("out", "/tmp/x.json");
    assertEquals(List.of("--events-per-user", "20", "--verbose"), BenchSeries.passedOn(options));
  }

  @Test
  void aChildJvmGetsThisJvmsOptionsButNoDebuggerOrAgent() {
    List<String> command = BenchSeries.command(List.of("-Xmx2g", "--add-opens=java.base/java.nio=ALL-UNNAMED",
        "-agentlib:jdwp=transport=dt_socket,server=y,address=5005", "-javaagent:/tmp/a.jar", "-Dx=1"),
        List.of("--days", "30"), 1000, Path.of("/tmp/s/users-1000"));
    assertTrue(command.get(0).endsWith("java"), command.toString());
    assertEquals(List.of("-Xmx2g", "--add-opens=java.base/java.nio=ALL-UNNAMED", "-Dx=1", "-cp"),
        command.subList(1, 5));
    assertEquals(List.of(Bench.class.getName(), "--days", "30", "--users", "1000", "--dir", "/tmp/s/users-1000"),
        command.subList(6, command.size()));
  }

  private static String points(List<double[]> points) {
    return String.join(" ", points.stream().map(p -> "[" + p[0] + ", " + Math.round(p[1] * 1000) / 1000.0 + "]")
        .toList());
  }

  private static String row(String format, Object... values) {
    return String.format(java.util.Locale.ROOT, format, values);
  }

  private static int writeFixture(Path sizeDir, long users) throws Exception {
    Files.createDirectories(sizeDir);
    Files.writeString(sizeDir.resolve("bench.json"), benchJson(users));
    return 0;
  }

  /** A bench.json as Bench writes it, with k = users / 10,000: stage k s, rollup 2k, features 2k twice (full run). */
  private static String benchJson(long users) {
    double k = users / 10_000.0;
    String full = String.format(java.util.Locale.ROOT, "{\"seconds\": %s, \"steps\": [%s, %s, %s, %s],"
        + " \"duckdb\": {\"seconds\": %s}}", 2 * k / 0.3, step("stage", k), step("rollup", 2 * k),
        step("features", 2 * k), step("features", 2 * k), k / 0.6);
    String daily = String.format(java.util.Locale.ROOT, "{\"seconds\": %s, \"steps\": [%s], \"duckdb\": {\"seconds\":"
        + " %s}}", 2 * k / 0.3, step("stage", k), k / 0.6);
    return "{\"spec\": {\"users\": " + users + ", \"events\": " + users * 100 + "}, \"full\": " + full
        + ", \"incremental\": " + daily + "}";
  }

  private static String step(String name, double seconds) {
    return String.format(java.util.Locale.ROOT, "{\"step\": \"%s\", \"wall_seconds\": %s}", name, seconds);
  }

  interface Body {
    void run() throws Exception;
  }

  private static String printed(Body body) throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      body.run();
    } finally {
      System.setOut(original);
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
