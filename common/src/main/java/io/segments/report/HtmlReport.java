package io.segments.report;

import static org.apache.spark.sql.functions.col;

import io.segments.config.PipelineConfig;
import io.segments.config.SegmentSpec;
import io.segments.io.Warehouse;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Row;

/**
 * {@code report --as-of D}: one self-contained HTML page (inline SVG charts and CSS, no network) with the
 * method's checks, retention curves by segment, segment sizes over time, transitions between yesterday's and
 * today's segments, the cohort table, the weekly retention triangle, the early behaviors discover ranked, and a
 * spec card per segment.
 */
public final class HtmlReport {
  private final PipelineConfig config;
  private final Warehouse warehouse;
  /** Per segment, its outcomes pooled over every cohort: one query for the charts and the table. */
  private Map<String, Row> pooledOutcomes;

  public HtmlReport(PipelineConfig config, Warehouse warehouse) {
    this.config = config;
    this.warehouse = warehouse;
  }

  public String render(LocalDate asOf) {
    for (String table : List.of("segment_membership", "segment_outcomes", "segment_catalog", "retention_cohorts")) {
      if (!warehouse.exists(table)) {
        throw new io.segments.config.ConfigException("report", "table " + warehouse.name(table) + " does not exist",
            "run the pipeline first: run --as-of " + asOf);
      }
    }
    StringBuilder html = new StringBuilder();
    html.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>Segments report ").append(asOf)
        .append("</title><style>").append(CSS).append("</style></head><body>");
    html.append("<h1>Behavioral segments as of ").append(asOf).append("</h1>");
    html.append("<section id=\"checks\"><h2>Checks</h2>").append(checks(asOf)).append("</section>");
    html.append("<section id=\"retention\"><h2>Retention by segment</h2>")
        .append("<p>N-day retention: the share of a day's members who were active (validate.active_events) on day"
            + " N after that day, for N = 1, 7, 30 and 90, as Amplitude and Mixpanel count it: every point counts one"
            + " day. A segment's curve goes up to the last day N whose cohort dates hold validate.min_size"
            + " member-days, and pools those cohort dates for every point, so every point counts the same"
            + " members.</p>");
    for (Map.Entry<String, List<SegmentSpec>> family : families().entrySet()) {
      html.append(retentionChart(family.getKey(), family.getValue()));
    }
    html.append("</section><section id=\"sizes\"><h2>Segment sizes over time</h2>");
    Map<String, List<double[]>> sizes = sizes(asOf);
    for (Map.Entry<String, List<SegmentSpec>> family : families().entrySet()) {
      html.append(sizeChart(family.getKey(), family.getValue(), sizes, asOf));
    }
    html.append("</section><section id=\"transitions\"><h2>Transitions from ").append(asOf.minusDays(1))
        .append(" to ").append(asOf).append("</h2>");
    Map<String, Long> moves = transitions(asOf);
    for (Map.Entry<String, List<SegmentSpec>> family : families().entrySet()) {
      if (!family.getKey().equals(NO_FAMILY)) {
        html.append(transitions(family.getKey(), family.getValue(), moves));
      }
    }
    html.append("</section><section id=\"cohorts\"><h2>Cohort table</h2>").append(cohortTable())
        .append("<h3>Weekly retention triangle (users by first active week)</h3>").append(triangle())
        .append("</section><section id=\"behaviors\"><h2>Early behaviors that predict outcomes</h2>")
        .append(BehaviorChart.section(warehouse, config.validate().minSize()))
        .append("</section><section id=\"stream\"><h2>Event-driven refresh</h2>")
        .append(StreamLatency.section(warehouse))
        .append("</section><section id=\"specs\"><h2>Segment specs</h2>").append(specCards()).append("</section>");
    return html.append("</body></html>").toString();
  }

  private static final String NO_FAMILY = "(no family)";

  private Map<String, List<SegmentSpec>> families() {
    Map<String, List<SegmentSpec>> families = new LinkedHashMap<>();
    config.segments().forEach(s -> families.computeIfAbsent(s.family() == null ? NO_FAMILY : s.family(),
        f -> new ArrayList<>()).add(s));
    return families;
  }

  private String checks(LocalDate asOf) {
    if (!warehouse.exists("pipeline_runs")) {
      return "<p>No run recorded.</p>";
    }
    List<Row> latest = warehouse.read("pipeline_runs").where(col("as_of_date").equalTo(Date.valueOf(asOf))
            .and(col("command").notEqual("stream")))
        .orderBy(col("started_at").desc()).limit(1).select("run_id").collectAsList();
    if (latest.isEmpty()) {
      return "<p>No run recorded for " + asOf + ".</p>";
    }
    List<List<String>> rows = new ArrayList<>();
    warehouse.read("pipeline_runs").where(col("run_id").equalTo(latest.get(0).getString(0)))
        .orderBy("started_at").collectAsList().forEach(r -> {
          for (Object warning : r.getList(r.fieldIndex("warnings"))) {
            rows.add(List.of(Html.escape(r.getAs("step")), Html.escape(warning)));
          }
        });
    return rows.isEmpty() ? "<p class=\"ok\">All checks passed.</p>"
        : "<p class=\"warn\">" + rows.size() + " warning(s) in run " + Html.escape(latest.get(0).getString(0)) + "</p>"
            + Html.table(List.of("step", "warning"), rows);
  }

  private String retentionChart(String family, List<SegmentSpec> segments) {
    List<Integer> days = io.segments.validate.OutcomeValidator.RETENTION_DAYS;
    Map<String, List<double[]>> series = new LinkedHashMap<>();
    for (SegmentSpec s : segments) {
      List<double[]> points = new ArrayList<>();
      Row row = pooledOutcomes().get(s.name());
      for (int day : row == null ? List.<Integer>of() : days) {
        Object rate = row.getAs("retention_d" + day);
        if (rate != null) {
          points.add(new double[] {day, 100 * ((Number) rate).doubleValue()});
        }
      }
      series.put(s.name(), points);
    }
    return Charts.lines("Retention: " + family, "days after cohort date", "% active on that day", series,
        days.stream().mapToDouble(Integer::doubleValue).toArray());
  }

  /**
   * Every segment's outcomes, read in one query: its member-days over all cohorts, and its curve: up to the last day
   * N (of 1, 7, 30, 90) whose cohort dates hold validate.min_size member-days, every point pooled over those same
   * cohort dates, so that each point counts the same members and a change in who joined the segment does not bend
   * the curve.
   */
  private Map<String, Row> pooledOutcomes() {
    if (pooledOutcomes == null) {
      pooledOutcomes = new LinkedHashMap<>();
      String enough = "sum(if(retention_d%d is not null, cohort_size, 0)) over (partition by segment) >= "
          + config.validate().minSize();
      warehouse.read("segment_outcomes").selectExpr("*", String.format(java.util.Locale.ROOT, "case when " + enough + " then 90 when "
              + enough + " then 30 when " + enough + " then 7 else 1 end as horizon", 90, 30, 7))
          .selectExpr("*", "case horizon when 90 then retention_d90 when 30 then retention_d30 when 7 then"
              + " retention_d7 else retention_d1 end is not null as curve")
          .groupBy("segment").agg(org.apache.spark.sql.functions.expr(
              "count(*) as cohorts"), java.util.stream.Stream.of("sum(cohort_size) as member_days",
              pooled("retention_d1", 1), pooled("retention_d7", 7), pooled("retention_d30", 30),
              pooled("retention_d90", 90), pooled("churn_d30", 30))
              .map(org.apache.spark.sql.functions::expr).toArray(org.apache.spark.sql.Column[]::new))
          .collectAsList().forEach(r -> pooledOutcomes.put(r.getString(0), r));
    }
    return pooledOutcomes;
  }

  private String sizeChart(String family, List<SegmentSpec> segments, Map<String, List<double[]>> sizes,
      LocalDate asOf) {
    Map<String, List<double[]>> series = new LinkedHashMap<>();
    segments.forEach(s -> series.put(s.name(), sizes.getOrDefault(s.name(), new ArrayList<>())));
    return Charts.lines("Members per day: " + family, "days before " + asOf, "members", series);
  }

  /** Members per segment on each of the 60 days to D (x: days before D), every segment in one query. */
  private Map<String, List<double[]>> sizes(LocalDate asOf) {
    Map<String, List<double[]>> sizes = new LinkedHashMap<>();
    warehouse.read("segment_membership")
        .where(col("as_of_date").between(Date.valueOf(asOf.minusDays(59)), Date.valueOf(asOf)))
        .groupBy("segment", "as_of_date").count().orderBy("as_of_date").collectAsList()
        .forEach(r -> sizes.computeIfAbsent(r.getString(0), s -> new ArrayList<>()).add(new double[] {
            -java.time.temporal.ChronoUnit.DAYS.between(r.getDate(1).toLocalDate(), asOf), r.getLong(2)}));
    return sizes;
  }

  /** Users per (family, yesterday's segment, today's segment), "(none)" for none, every family in one query. */
  private Map<String, Long> transitions(LocalDate asOf) {
    var membership = warehouse.read("segment_membership").where(col("family").isNotNull());
    var before = membership.where(col("as_of_date").equalTo(Date.valueOf(asOf.minusDays(1))))
        .select(col("user_id"), col("family"), col("segment").as("from_segment"));
    var after = membership.where(col("as_of_date").equalTo(Date.valueOf(asOf)))
        .select(col("user_id"), col("family"), col("segment").as("to_segment"));
    Map<String, Long> counts = new LinkedHashMap<>();
    before.join(after, new String[] {"user_id", "family"}, "full_outer")
        .selectExpr("family", "coalesce(from_segment, '(none)') as f", "coalesce(to_segment, '(none)') as t")
        .where("f <> '(none)' or t <> '(none)'").groupBy("family", "f", "t").count().collectAsList()
        .forEach(r -> counts.put(r.getString(0) + "\u0000" + r.getString(1) + "\u0000" + r.getString(2),
            r.getLong(3)));
    return counts;
  }

  private String transitions(String family, List<SegmentSpec> segments, Map<String, Long> moves) {
    Map<String, Long> counts = new LinkedHashMap<>();
    moves.forEach((key, n) -> {
      if (key.startsWith(family + "\u0000")) {
        counts.put(key.substring(family.length() + 1), n);
      }
    });
    List<String> names = new ArrayList<>(segments.stream().map(SegmentSpec::name).toList());
    names.add("(none)");
    List<String> header = new ArrayList<>(List.of("yesterday \\ today"));
    header.addAll(names);
    List<List<String>> rows = new ArrayList<>();
    for (String from : names) {
      List<String> row = new ArrayList<>(List.of("<b>" + Html.escape(from) + "</b>"));
      for (String to : names) {
        long n = counts.getOrDefault(from + "\u0000" + to, 0L);
        row.add(n == 0 ? "" : (from.equals(to) ? "<span class=\"stay\">" : "<span class=\"move\">") + n + "</span>");
      }
      rows.add(row);
    }
    return "<h3>" + Html.escape(family) + "</h3>" + Html.table(header, rows);
  }

  private String cohortTable() {
    List<List<String>> rows = new ArrayList<>();
    for (SegmentSpec s : config.segments()) {
      Row r = pooledOutcomes().get(s.name());
      rows.add(List.of(Html.escape(s.name()), Html.escape(s.rule()), String.valueOf(r == null ? 0 : r.get(2)),
          Html.percent(r == null ? null : r.get(3)), Html.percent(r == null ? null : r.get(4)),
          Html.percent(r == null ? null : r.get(5)), Html.percent(r == null ? null : r.get(6)),
          Html.percent(r == null ? null : r.get(7))));
    }
    return "<p>Cohort = the members of a segment on a day; sizes are member-days over all cohort dates; rates pool"
        + " the cohort dates of the segment's curve above (the checks pool every cohort date whose day 30 has passed,"
        + " so their day-30 figures can differ). Day N = active on day N after the cohort date; churn d30"
        + " = active on none of days 1 to 30 after it (a member active on day 12 only counts in neither day 30 nor"
        + " churn).</p>"
        + Html.table(List.of("segment", "cohort definition", "size", "day 1", "day 7", "day 30", "day 90",
            "churn d30 (no activity days 1-30)"), rows);
  }

  private static String pooled(String rate, int day) {
    String on = "curve and horizon >= " + day + " and " + rate + " is not null";
    return "sum(case when " + on + " then " + rate + " * cohort_size end) / sum(case when " + on
        + " then cohort_size end) as " + rate;
  }

  private String triangle() {
    List<Row> cells = warehouse.read("retention_cohorts").where("cohort_grain = 'week' and period_index <= 11")
        .orderBy(col("cohort_start").desc()).collectAsList();
    Map<Date, Map<Integer, Double>> byCohort = new LinkedHashMap<>();
    Map<Date, Long> sizes = new LinkedHashMap<>();
    for (Row r : cells) {
      byCohort.computeIfAbsent(r.getAs("cohort_start"), d -> new LinkedHashMap<>())
          .put(r.getAs("period_index"), r.getAs("retention"));
      sizes.put(r.getAs("cohort_start"), r.getAs("cohort_size"));
    }
    List<String> header = new ArrayList<>(List.of("first active week", "users"));
    for (int i = 0; i <= 11; i++) {
      header.add("w" + i);
    }
    List<List<String>> rows = new ArrayList<>();
    byCohort.entrySet().stream().limit(12).forEach(e -> {
      List<String> row = new ArrayList<>(List.of(e.getKey().toString(), String.valueOf(sizes.get(e.getKey()))));
      for (int i = 0; i <= 11; i++) {
        Double value = e.getValue().get(i);
        row.add(value == null ? "" : String.format("<span style=\"background:rgba(31,119,180,%.2f)\">%.0f%%</span>",
            value, 100 * value));
      }
      rows.add(row);
    });
    return Html.table(header, rows);
  }

  private String specCards() {
    StringBuilder html = new StringBuilder("<div class=\"cards\">");
    Set<String> seen = new LinkedHashSet<>();
    for (Row r : warehouse.read("segment_catalog").orderBy("family", "priority").collectAsList()) {
      seen.add(r.getAs("segment"));
      html.append("<div class=\"card\"><h3>").append(Html.escape(r.getAs("segment"))).append("</h3><dl>");
      for (String field : List.of("family", "priority", "description", "owner", "rule", "exit_rule", "min_days",
          "on_enter", "on_exit", "success_metric", "refresh_cadence", "size", "share_of_base", "size_change",
          "definition_changed_on", "last_refreshed_on")) {
        Object value = r.getAs(field);
        html.append("<dt>").append(field.replace('_', ' ')).append("</dt><dd>")
            .append(field.equals("share_of_base") ? Html.percent(value) : Html.escape(value)).append("</dd>");
      }
      html.append("</dl></div>");
    }
    return html.append("</div>").toString();
  }

  private static final String CSS = "body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1100px}"
      + "h1{font-size:1.6em}h2{border-bottom:2px solid #1f77b4;padding-bottom:.2em;margin-top:2em}"
      + "table{border-collapse:collapse;margin:1em 0;font-size:.9em}td,th{border:1px solid #ddd;padding:.3em .6em;"
      + "text-align:left}th{background:#f3f6fa}"
      + ".warn{color:#b35c00;font-weight:bold}.ok{color:#2a7a2a;font-weight:bold}.stay{color:#2a7a2a}"
      + ".move{color:#b35c00;font-weight:bold}.cards{display:grid;grid-template-columns:repeat(auto-fill,"
      + "minmax(320px,1fr));gap:1em}.card{border:1px solid #ddd;border-radius:6px;padding:.6em 1em}"
      + ".card dt{font-weight:bold;font-size:.8em;color:#555}.card dd{margin:0 0 .4em 0}"
      + "figure.chart{margin:1em 0}figure.chart svg{max-width:100%;height:auto}";
}
