package io.segments.report;

import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Line charts drawn by XChart as SVG: inline in the report, and the bench's chart of time against users. */
public final class Charts {
  private Charts() {}

  /** One line per series as an inline SVG figure, or a note when no series has a point. */
  static String lines(String title, String xTitle, String yTitle, Map<String, List<double[]>> series) {
    String svg = svg(title, xTitle, yTitle, series);
    if (svg == null) {
      return "<p class=\"empty\">No data yet for " + Html.escape(title) + ".</p>";
    }
    int start = svg.indexOf("<svg");
    return "<figure class=\"chart\">" + (start < 0 ? svg : svg.substring(start)) + "</figure>";
  }

  /** One line per series ({x, y} points) as an SVG document; null when no series has a point. */
  public static String svg(String title, String xTitle, String yTitle, Map<String, List<double[]>> series) {
    XYChart chart = new XYChartBuilder().width(720).height(360).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle)
        .build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setPlotGridLinesColor(new Color(230, 230, 230));
    chart.getStyler().setDatePattern("yyyy-MM-dd");
    int drawn = 0;
    for (Map.Entry<String, List<double[]>> entry : series.entrySet()) {
      List<double[]> points = entry.getValue();
      if (points.isEmpty()) {
        continue;
      }
      double[] x = points.stream().mapToDouble(p -> p[0]).toArray();
      double[] y = points.stream().mapToDouble(p -> p[1]).toArray();
      chart.addSeries(entry.getKey(), x, y).setMarker(points.size() > 12 ? SeriesMarkers.NONE : SeriesMarkers.CIRCLE);
      drawn++;
    }
    if (drawn == 0) {
      return null;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      VectorGraphicsEncoder.saveVectorGraphic(chart, out, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
