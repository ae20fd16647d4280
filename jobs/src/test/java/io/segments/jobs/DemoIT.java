package io.segments.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * {@code ./segments demo} as a newcomer runs it: its last run ends with exactly the warnings README.md names (numbers
 * aside), so the demo shows the method's checks passing and each remaining warning is one the README explains; its
 * report draws retention curves that do not rise (beyond 2 points, a single day's sampling noise on a few hundred
 * member-days) with day 90 filled in, and lays out at 1400 px.
 */
class DemoIT {
  @Test
  void theDemoEndsWithTheWarningsTheReadmeNamesAndNoOthers() throws Exception {
    Path work = Files.createTempDirectory("segments-demo");
    Path warehouse = work.resolve("warehouse");
    assertEquals(0, Main.run(EndToEnd.withConfig(warehouse, "demo")));

    String lastRun = "(select max_by(run_id, started_at) from segments.pipeline_runs where as_of_date = '2026-10-31')";
    List<String> warnings = EndToEnd.spark().sql("select step, explode(warnings) from segments.pipeline_runs"
        + " where run_id = " + lastRun).collectAsList().stream().map(r -> r.getString(0) + "  " + r.getString(1))
        .toList();
    assertEquals(expectedWarnings(), numbersAside(warnings), "README.md, \"What the demo's checks say\"");

    Path report;
    try (var files = Files.walk(work)) {
      report = files.filter(p -> p.getFileName().toString().equals("report-2026-10-31.html")).findFirst().orElseThrow();
    }
    String html = Files.readString(report);
    java.util.Map<String, Double[]> retention = EndToEnd.retentionRows(html);
    EndToEnd.assertRetentionDoesNotRise(retention);
    assertEquals(16, retention.size(), retention.keySet().toString());
    long withDay90 = retention.values().stream().filter(rates -> rates[3] != null).count();
    assertTrue(withDay90 >= 12, "day 90 is filled in: the demo replays enough history (" + withDay90 + ")");
    EndToEnd.assertLaidOut(report, 8);
  }

  /** The lines of the README's block that follows "The demo's last run ends with these warnings". */
  private static TreeSet<String> expectedWarnings() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    int at = readme.indexOf("The demo's last run ends with these warnings");
    assertTrue(at >= 0, "README.md names the demo's warnings");
    int start = readme.indexOf("```\n", at) + 4;
    return numbersAside(List.of(readme.substring(start, readme.indexOf("```", start)).strip().split("\n")));
  }

  private static TreeSet<String> numbersAside(List<String> lines) {
    TreeSet<String> set = new TreeSet<>();
    lines.forEach(line -> set.add(line.strip().replaceAll("[0-9][0-9,.]*", "N").replaceAll("\\s+", " ")));
    return set;
  }
}
