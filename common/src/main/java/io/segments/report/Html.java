package io.segments.report;

import java.util.List;

/** Small helpers to write escaped HTML tables. */
final class Html {
  private Html() {}

  static String escape(Object value) {
    if (value == null) {
      return "";
    }
    return value.toString().replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  static String percent(Object value) {
    return value == null ? "–" : String.format(java.util.Locale.ROOT, "%.1f%%", 100 * ((Number) value).doubleValue());
  }

  static String table(List<String> header, List<List<String>> rows) {
    StringBuilder html = new StringBuilder("<table><thead><tr>");
    header.forEach(h -> html.append("<th>").append(escape(h)).append("</th>"));
    html.append("</tr></thead><tbody>");
    for (List<String> row : rows) {
      html.append("<tr>");
      row.forEach(cell -> html.append("<td>").append(cell).append("</td>"));
      html.append("</tr>");
    }
    return html.append("</tbody></table>").toString();
  }
}
