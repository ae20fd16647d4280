package io.segments.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.segments.SparkTestBase;
import io.segments.discover.CandidateTable;
import io.segments.io.Warehouse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/** The report's charts: words as text, ticks at round numbers, lines told apart, discover's bars scaled to the data. */
class ChartsTest extends SparkTestBase {
  @Test
  void ticksAreRoundNumbersAroundTheData() {
    assertArrayEquals(new double[] {0, 20, 40, 60, 80, 100}, Charts.ticks(0, 93));
    assertArrayEquals(new double[] {0, 2, 4, 6, 8}, Charts.ticks(0, 7));
    assertArrayEquals(new double[] {-60, -40, -20, 0}, Charts.ticks(-59, 0));
    double[] halves = Charts.ticks(0, 2);
    Assertions.assertEquals("0.5", Charts.label(0.5, halves), "a fractional step gets the decimals it needs");
    Assertions.assertEquals("1,500", Charts.label(1500, Charts.ticks(0, 1800)));
    Assertions.assertEquals("0", Charts.label(-0.0, new double[] {-1, 0}), "no \"-0\"");
  }

  @Test
  void aLineChartHasATitleAxisTitlesTicksAndALegendEntryPerLineEachInItsOwnStyle() {
    Map<String, List<double[]>> series = new LinkedHashMap<>();
    series.put("a", List.of(new double[] {1, 80}, new double[] {7, 60}, new double[] {30, 40}));
    series.put("b", List.of(new double[] {1, 80}, new double[] {7, 60}, new double[] {30, 40}));
    series.put("empty", List.of());
    String svg = Charts.svg("Retention: f", "days after cohort date", "% active", series, 1, 7, 30, 90);
    Assertions.assertTrue(svg.contains("<title>Retention: f</title>") && svg.contains(">Retention: f</text>"), svg);
    Assertions.assertTrue(svg.contains(">days after cohort date</text>") && svg.contains(">% active</text>"), svg);
    for (String tick : List.of(">1</text>", ">7</text>", ">30</text>", ">0</text>", ">80</text>")) {
      Assertions.assertTrue(svg.contains(tick), tick);
    }
    Assertions.assertTrue(!svg.contains(">90</text>"), "no tick past the last point");
    Assertions.assertTrue(svg.contains("stroke=\"" + Charts.COLORS[0] + "\"") && svg.contains("stroke=\"" + Charts.COLORS[1]
        + "\" stroke-width=\"2\" fill=\"none\" stroke-dasharray"), "two lines on each other differ in colour and dash");
    Assertions.assertTrue(svg.contains("<circle") && svg.contains("<rect"), "and in marker");
    Assertions.assertTrue(!svg.contains(">empty</text>"), "a series without points has no legend entry");
    assertNull(Charts.svg("t", "x", "y", Map.of("none", List.of())), "nothing to draw");
  }

  @Test
  void discoversBarsAreScaledToTheDataAndAnEmptyTableSaysWhy() {
    Warehouse warehouse = new Warehouse(spark(), "charts");
    warehouse.overwrite(frame(CandidateTable.SCHEMA), CandidateTable.TABLE);
    String empty = BehaviorChart.section(warehouse, 150);
    Assertions.assertTrue(empty.contains("No candidate met min_size (150 users needed on each side")
        && empty.contains("lower validate.min_size or add cohorts"), empty);

    warehouse.overwrite(frame(CandidateTable.SCHEMA, candidate("earlier", 4.0, 1.0, 7.0),
        candidate("later", 3.0, 0.5, 5.5)), CandidateTable.TABLE);
    String chart = BehaviorChart.section(warehouse, 150);
    for (String text : List.of(">0</text>", ">+2</text>", ">+8</text>", ">difference in the outcome rate (points)<",
        "retained_d30: behaviors of the first 7 days", "1. comment at least 1 time")) {
      Assertions.assertTrue(chart.contains(text), text + " in " + chart);
    }
    Assertions.assertTrue(!chart.contains(">-"), "no negative half when every interval is above zero");

    warehouse.overwrite(frame(CandidateTable.SCHEMA, candidate("earlier", -1.0, -2.0, -0.5),
        candidate("later", -0.8, -1.5, 0.2)), CandidateTable.TABLE);
    String small = BehaviorChart.section(warehouse, 150);
    for (String tick : List.of(">-2</text>", ">-1</text>", ">0</text>", ">+1</text>", ">+2</text>", ">+3</text>")) {
      Assertions.assertTrue(small.contains(tick), "whole-point ticks, each once, on a narrow range: " + tick);
    }
  }

  private static Object[] candidate(String half, double points, double lo, double hi) {
    return row("retained_d30", 7, day("2026-01-01"), day("2026-03-01"), half, day("2026-01-01"), day("2026-03-01"), 1,
        "comment at least 1 time in the first 7 days", "count", "comment", null, 1, null, null, 300L, 0.5, 300L, 0.46,
        points, lo, hi, 1.1, true, at("2026-03-02 00:00:00"));
  }
}
