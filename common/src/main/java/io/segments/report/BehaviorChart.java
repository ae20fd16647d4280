package io.segments.report;

import static org.apache.spark.sql.functions.col;

import io.segments.discover.CandidateTable;
import io.segments.io.Warehouse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Row;

/**
 * The report's "early behaviors" section from {@code behavior_candidates}: per outcome, the ten best-ranked
 * candidates as horizontal bars of the difference in points, the earlier half (where they were ranked) and the
 * later half (the hold-out) each with its 95% interval, drawn as inline SVG.
 */
final class BehaviorChart {
  private static final int RANKS = 10;
  private static final int LABEL = 380;
  private static final int PLOT = 420;
  private static final int ROW = 34;
  private static final int TOP = 24;

  private BehaviorChart() {}

  static String section(Warehouse warehouse, int minSize) {
    if (!warehouse.exists(CandidateTable.TABLE)) {
      return "<p class=\"empty\">No discover run yet: <code>./segments discover --outcome retained_d30</code> ranks"
          + " the early behaviors that go with an outcome.</p>";
    }
    List<String> outcomes = warehouse.read(CandidateTable.TABLE).select("outcome").distinct().orderBy("outcome")
        .collectAsList().stream().map(r -> r.getString(0)).toList();
    if (outcomes.isEmpty()) {
      return "<p class=\"empty\">No candidate met min_size (" + minSize + " users needed on each side of a behavior,"
          + " with it and without it, in the earlier cohorts): lower validate.min_size or add cohorts.</p>";
    }
    StringBuilder html = new StringBuilder("<p>Difference in the outcome rate (points) between users who showed a"
        + " behavior in their first days and those who did not, ranked on the earlier cohorts (dark) and checked on"
        + " the later ones (light), with 95% intervals. Correlation on past cohorts, not cause: an experiment is what"
        + " confirms that a behavior drives the outcome.</p>");
    for (String outcome : outcomes) {
      List<Row> rows = warehouse.read(CandidateTable.TABLE)
          .where(col("outcome").equalTo(outcome).and(col("rank").leq(RANKS))).orderBy("rank", "half").collectAsList();
      String title = outcome + ": behaviors of the first " + rows.get(0).<Integer>getAs("first_days") + " days";
      html.append("<h3>").append(Html.escape(title)).append("</h3>").append(svg(title, rows));
    }
    return html.toString();
  }

  /** Rows come in pairs per rank: earlier, then later. The axis spans zero and every interval, at round ticks. */
  private static String svg(String title, List<Row> rows) {
    double min = 0;
    double max = 0;
    for (Row r : rows) {
      min = Math.min(min, value(r, "difference_lo"));
      max = Math.max(max, value(r, "difference_hi"));
    }
    double[] ticks = Charts.ticks(min, Math.max(max, min + 5));  // at least 5 points wide: whole-point ticks
    double lo = ticks[0];
    double hi = ticks[ticks.length - 1];
    List<Row> earlier = rows.stream().filter(r -> "earlier".equals(r.getAs("half"))).toList();
    int axis = TOP + ROW * earlier.size() + 4;
    int height = axis + 44;
    java.util.function.DoubleUnaryOperator x = v -> LABEL + (v - lo) / (hi - lo) * PLOT;
    StringBuilder svg = new StringBuilder(String.format(Locale.ROOT, "<figure class=\"chart\"><svg xmlns=\"http://www"
        + ".w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\" role=\"img\">"
        + "<title>%s</title>", LABEL + PLOT + 130, height, Html.escape(title)));
    svg.append(String.format(Locale.ROOT, "<text class=\"chart-title\" x=\"4\" y=\"16\" font-weight=\"bold\">"
        + "behavior (rank)</text><text class=\"chart-title\" x=\"%d\" y=\"16\" font-weight=\"bold\">earlier /"
        + " later</text>", LABEL + PLOT + 10));
    for (double t : ticks) {
      svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\"/>"
          + "<text class=\"tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>", x.applyAsDouble(t), TOP,
          x.applyAsDouble(t), axis + 5, t == 0 ? "#555" : "#e3e3e3", x.applyAsDouble(t), axis + 18,
          (t > 0 ? "+" : "") + Charts.label(t, ticks)));
    }
    svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#555\"/>"
        + "<text class=\"axis-title\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">difference in the outcome rate"
        + " (points)</text>", LABEL, axis, LABEL + PLOT, axis, LABEL + PLOT / 2, axis + 36));
    for (int i = 0; i < earlier.size(); i++) {
      Row e = earlier.get(i);
      Row later = rows.stream().filter(r -> "later".equals(r.getAs("half")) && r.getAs("rank").equals(e.getAs("rank")))
          .findFirst().orElse(e);
      int y = TOP + i * ROW;
      boolean confirmed = e.getAs("confirmed");
      String name = e.getAs("rank") + ". " + e.getAs("behavior") + (confirmed ? "" : " (not confirmed)");
      svg.append(String.format(Locale.ROOT, "<text class=\"label\" x=\"4\" y=\"%d\"><title>%s</title>%s</text>",
          y + 17, Html.escape(name), Html.escape(name.length() > 56 ? name.substring(0, 55) + "\u2026" : name)));
      svg.append(String.format(Locale.ROOT, "<text class=\"value\" x=\"%d\" y=\"%d\">%+.1f / %+.1f</text>",
          LABEL + PLOT + 10, y + 17, value(e, "difference_points"), value(later, "difference_points")));
      bar(svg, e, x, y + 2, "#0072B2");
      bar(svg, later, x, y + 16, "#56B4E9");
    }
    return svg.append("</svg></figure>").toString();
  }

  private static void bar(StringBuilder svg, Row r, java.util.function.DoubleUnaryOperator x, int y, String color) {
    double d = value(r, "difference_points");
    double zero = x.applyAsDouble(0);
    svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"11\" fill=\"%s\">"
        + "<title>%s: %+.1f points (%+.1f, %+.1f)</title></rect>", Math.min(zero, x.applyAsDouble(d)), y,
        Math.abs(x.applyAsDouble(d) - zero), color, r.getAs("half"), d, value(r, "difference_lo"),
        value(r, "difference_hi")));
    svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#222\"/>",
        x.applyAsDouble(value(r, "difference_lo")), y + 5, x.applyAsDouble(value(r, "difference_hi")), y + 5));
  }

  private static double value(Row r, String column) {
    Object v = r.getAs(column);
    return v == null ? 0 : ((Number) v).doubleValue();
  }
}
