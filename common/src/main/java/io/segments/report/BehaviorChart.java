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
  private static final int TOP = 10;
  private static final int LABEL = 380;
  private static final int PLOT = 420;
  private static final int ROW = 34;

  private BehaviorChart() {}

  static String section(Warehouse warehouse) {
    if (!warehouse.exists(CandidateTable.TABLE)) {
      return "<p class=\"empty\">No discover run yet: <code>./segments discover --outcome retained_d30</code> ranks"
          + " the early behaviors that go with an outcome.</p>";
    }
    StringBuilder html = new StringBuilder("<p>Difference in the outcome rate (points) between users who showed a"
        + " behavior in their first days and those who did not, ranked on the earlier cohorts (dark) and checked on"
        + " the later ones (light), with 95% intervals. Correlation on past cohorts, not cause: an experiment is what"
        + " confirms that a behavior drives the outcome.</p>");
    List<String> outcomes = warehouse.read(CandidateTable.TABLE).select("outcome").distinct().orderBy("outcome")
        .collectAsList().stream().map(r -> r.getString(0)).toList();
    for (String outcome : outcomes) {
      List<Row> rows = warehouse.read(CandidateTable.TABLE)
          .where(col("outcome").equalTo(outcome).and(col("rank").leq(TOP))).orderBy("rank", "half").collectAsList();
      html.append("<h3>").append(Html.escape(outcome)).append(" (behaviors of the first ")
          .append(rows.isEmpty() ? "" : String.valueOf(rows.get(0).<Integer>getAs("first_days"))).append(" days)</h3>").append(svg(rows));
    }
    return html.toString();
  }

  /** Rows come in pairs per rank: earlier, then later. */
  private static String svg(List<Row> rows) {
    double span = 10;
    for (Row r : rows) {
      span = Math.max(span, Math.max(Math.abs(value(r, "difference_lo")), Math.abs(value(r, "difference_hi"))));
    }
    int height = ROW * (rows.size() / 2) + 30;
    double scale = (PLOT / 2.0 - 10) / span;
    int zero = LABEL + PLOT / 2;
    StringBuilder svg = new StringBuilder(String.format(Locale.ROOT, "<figure class=\"chart\"><svg xmlns=\"http://www"
        + ".w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">", LABEL + PLOT
        + 130, height));
    svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"0\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>", zero, zero,
        height - 20));
    List<Row> earlier = new ArrayList<>();
    rows.stream().filter(r -> "earlier".equals(r.getAs("half"))).forEach(earlier::add);
    for (int i = 0; i < earlier.size(); i++) {
      Row e = earlier.get(i);
      Row later = rows.stream().filter(r -> "later".equals(r.getAs("half")) && r.getAs("rank").equals(e.getAs("rank")))
          .findFirst().orElse(e);
      int y = i * ROW + 4;
      boolean confirmed = e.getAs("confirmed");
      svg.append(String.format(Locale.ROOT, "<text x=\"4\" y=\"%d\">%d. %s%s</text>", y + 17, (int) e.getAs("rank"),
          Html.escape(e.getAs("behavior")), confirmed ? "" : " (not confirmed)"));
      svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%+.1f / %+.1f</text>", LABEL + PLOT + 10, y + 17,
          value(e, "difference_points"), value(later, "difference_points")));
      bar(svg, e, zero, scale, y + 2, "#2b5d8c");
      bar(svg, later, zero, scale, y + 16, "#9cc3e6");
    }
    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">0 points</text>", zero,
        height - 6));
    return svg.append("</svg></figure>").toString();
  }

  private static void bar(StringBuilder svg, Row r, int zero, double scale, int y, String color) {
    double d = value(r, "difference_points");
    double x = d >= 0 ? zero : zero + d * scale;
    svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"11\" fill=\"%s\">"
        + "<title>%s: %+.1f points (%+.1f, %+.1f)</title></rect>", x, y, Math.abs(d) * scale, color, r.getAs("half"), d,
        value(r, "difference_lo"), value(r, "difference_hi")));
    svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#222\"/>",
        zero + value(r, "difference_lo") * scale, y + 5, zero + value(r, "difference_hi") * scale, y + 5));
  }

  private static double value(Row r, String column) {
    Object v = r.getAs(column);
    return v == null ? 0 : ((Number) v).doubleValue();
  }
}
