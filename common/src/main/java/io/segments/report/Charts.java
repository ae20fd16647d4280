package io.segments.report;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Line charts as SVG whose words are text (a title, both axis titles, tick labels at round numbers, a legend), so a
 * browser lays them out, a reader can search and copy them and a test can check them. Each line has its own colour
 * from Okabe and Ito's colour-blind-safe palette (without its yellow, which does not read on white), its own dash
 * and its own marker, so lines that lie on each other, or a page printed in grey, still tell apart in the legend.
 */
public final class Charts {
  static final String[] COLORS = {"#000000", "#E69F00", "#0072B2", "#009E73", "#D55E00", "#56B4E9", "#CC79A7",
      "#7F7F7F"};
  private static final String[] DASHES = {"", "7 4", "2 3", "9 3 2 3"};
  private static final int LEFT = 64;
  private static final int TOP = 34;
  private static final int PLOT_W = 470;
  private static final int PLOT_H = 250;
  private static final int LEGEND_X = LEFT + PLOT_W + 24;
  private static final int ROW = 20;

  private Charts() {}

  /** One line per series as an inline SVG figure, or a note when no series has a point. */
  static String lines(String title, String xTitle, String yTitle, Map<String, List<double[]>> series,
      double... xTicks) {
    String svg = svg(title, xTitle, yTitle, series, xTicks);
    return svg == null ? "<p class=\"empty\">No data yet for " + Html.escape(title) + ".</p>"
        : "<figure class=\"chart\">" + svg + "</figure>";
  }

  /**
   * One line per series ({x, y} points) as an SVG element; null when no series has a point. The x axis has ticks at
   * the given values up to the last point (then it starts at 0), or else at round numbers.
   */
  public static String svg(String title, String xTitle, String yTitle, Map<String, List<double[]>> series,
      double... xTicks) {
    double xMin = Double.MAX_VALUE;
    double xMax = -Double.MAX_VALUE;
    double yMax = 0;
    for (List<double[]> points : series.values()) {
      for (double[] p : points) {
        xMin = Math.min(xMin, p[0]);
        xMax = Math.max(xMax, p[0]);
        yMax = Math.max(yMax, p[1]);
      }
    }
    if (xMin > xMax) {
      return null; // no series has a point
    }
    double last = xMax;
    double[] xAt = xTicks.length > 0 ? Arrays.stream(xTicks).filter(t -> t <= last).toArray()
        : ticks(xMin, xMax == xMin ? xMin + 1 : xMax);
    double[] yTicks = ticks(0, yMax == 0 ? 1 : yMax);
    int longest = series.keySet().stream().mapToInt(String::length).max().orElse(0);
    int width = LEGEND_X + 44 + 8 * longest;  // room for the longest legend entry (12 px sans: under 8 px a letter)
    Scale x = xTicks.length > 0 ? new Scale(0, Math.max(1, xMax), LEFT, LEFT + PLOT_W)
        : new Scale(xAt[0], xAt[xAt.length - 1], LEFT, LEFT + PLOT_W);
    Scale y = new Scale(yTicks[0], yTicks[yTicks.length - 1], TOP + PLOT_H, TOP);
    int height = Math.max(TOP + PLOT_H + 52, TOP + ROW * series.size() + 10);
    StringBuilder svg = new StringBuilder(format("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\""
        + " height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\" role=\"img\">"
        + "<title>%s</title>", width, height, width, height, Html.escape(title)));
    svg.append(format("<text class=\"chart-title\" x=\"%d\" y=\"18\" font-size=\"15\" font-weight=\"bold\">%s"
        + "</text>", LEFT, Html.escape(title)));
    for (double t : yTicks) {
      svg.append(format("<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#e3e3e3\"/>", LEFT, LEFT + PLOT_W,
          y.at(t), y.at(t)));
      svg.append(format("<text class=\"tick\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>", LEFT - 6,
          y.at(t) + 4, label(t, yTicks)));
    }
    for (double t : xAt) {
      svg.append(format("<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"#555\"/>", x.at(t), x.at(t),
          TOP + PLOT_H, TOP + PLOT_H + 5));
      svg.append(format("<text class=\"tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>", x.at(t),
          TOP + PLOT_H + 18, label(t, xAt)));
    }
    svg.append(format("<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#555\"/>", LEFT, LEFT + PLOT_W,
        TOP + PLOT_H, TOP + PLOT_H));
    svg.append(format("<text class=\"axis-title\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>",
        LEFT + PLOT_W / 2, TOP + PLOT_H + 40, Html.escape(xTitle)));
    svg.append(format("<text class=\"axis-title\" transform=\"translate(16 %d) rotate(-90)\" text-anchor=\"middle\">"
        + "%s</text>", TOP + PLOT_H / 2, Html.escape(yTitle)));
    int i = 0;
    for (Map.Entry<String, List<double[]>> entry : series.entrySet()) {
      List<double[]> points = entry.getValue();
      if (points.isEmpty()) {
        continue;
      }
      final int k = i++;
      String style = format("stroke=\"%s\" stroke-width=\"2\" fill=\"none\"%s", COLORS[k % COLORS.length],
          DASHES[k % DASHES.length].isEmpty() ? "" : " stroke-dasharray=\"" + DASHES[k % DASHES.length] + "\"");
      StringBuilder path = new StringBuilder();
      for (double[] p : points) {
        path.append(format("%.1f,%.1f ", x.at(p[0]), y.at(p[1])));
      }
      svg.append(format("<g class=\"series\" data-name=\"%s\"><title>%s</title>", Html.escape(entry.getKey()),
          Html.escape(entry.getKey())));
      svg.append(format("<polyline points=\"%s\" %s/>", path.toString().trim(), style));
      if (points.size() <= 12) {
        points.forEach(p -> svg.append(marker(k, x.at(p[0]), y.at(p[1]))));
      }
      int ly = TOP + k * ROW;
      svg.append(format("<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" %s/>", LEGEND_X, LEGEND_X + 28, ly, ly, style))
          .append(marker(k, LEGEND_X + 14, ly))
          .append(format("<text class=\"legend\" x=\"%d\" y=\"%d\">%s</text></g>", LEGEND_X + 34, ly + 4,
              Html.escape(entry.getKey())));
    }
    return svg.append("</svg>").toString();
  }

  /** The i-th series' marker: a circle, square, triangle or diamond in its colour. */
  private static String marker(int i, double cx, double cy) {
    String color = COLORS[i % COLORS.length];
    return switch (i % 4) {
      case 0 -> format("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"/>", cx, cy, color);
      case 1 -> format("<rect x=\"%.1f\" y=\"%.1f\" width=\"7\" height=\"7\" fill=\"%s\"/>", cx - 3.5, cy - 3.5, color);
      case 2 -> format("<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\" fill=\"%s\"/>", cx, cy - 4.5, cx + 4.5,
          cy + 3.5, cx - 4.5, cy + 3.5, color);
      default -> format("<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f\" fill=\"%s\"/>", cx, cy - 4.5,
          cx + 4.5, cy, cx, cy + 4.5, cx - 4.5, cy, color);
    };
  }

  /** Round tick values (steps of 1, 2 or 5 times a power of ten) from at or below lo to at or above hi. */
  static double[] ticks(double lo, double hi) {
    double raw = (hi - lo) / 5;
    double power = Math.pow(10, Math.floor(Math.log10(raw)));
    double step = raw / power <= 1 ? power : raw / power <= 2 ? 2 * power : raw / power <= 5 ? 5 * power : 10 * power;
    double first = Math.floor(lo / step) * step;
    int n = (int) Math.ceil((hi - first) / step - 1e-9) + 1;
    double[] ticks = new double[n];
    for (int k = 0; k < n; k++) {
      ticks[k] = first + k * step;
    }
    return ticks;
  }

  /** A tick's label with as many decimals as the step between ticks needs (none for whole steps). */
  static String label(double v, double[] ticks) {
    double step = ticks.length > 1 ? ticks[1] - ticks[0] : 1;
    int decimals = step >= 1 ? 0 : (int) Math.ceil(-Math.log10(step) - 1e-9);
    return String.format(Locale.ROOT, "%,." + decimals + "f", v + 0.0);  // + 0.0: no "-0"
  }

  private static String format(String pattern, Object... args) {
    return String.format(Locale.ROOT, pattern, args);
  }

  /** A linear map from data values to pixels. */
  private record Scale(double lo, double hi, double from, double to) {
    double at(double v) {
      return from + (v - lo) / (hi - lo) * (to - from);
    }
  }
}
