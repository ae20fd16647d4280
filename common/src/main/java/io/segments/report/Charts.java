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

/** Line charts drawn by XChart and embedded in the report as inline SVG. */
final class Charts {
  private Charts() {}

  /** One line per series; x values are numbers (days), y values may be null (no data). */
  static String lines(String title, String xTitle, String yTitle, Map<String, List<double[]>> series) {
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
      return "<p class=\"empty\">No data yet for " + Html.escape(title) + ".</p>";
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      VectorGraphicsEncoder.saveVectorGraphic(chart, out, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String svg = out.toString(StandardCharsets.UTF_8);
    int start = svg.indexOf("<svg");
    return "<figure class=\"chart\">" + (start < 0 ? svg : svg.substring(start)) + "</figure>";
  }
}
