package io.segments.explain;

import static org.apache.spark.sql.functions.col;

import io.segments.config.ExpressionPolicy;
import io.segments.config.PipelineConfig;
import io.segments.config.SegmentSpec;
import io.segments.io.Warehouse;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Why a user is (or is not) in each segment on a day: the rule, each feature value it read, the clause that
 * decided, when the user entered, and for a family loser which segment took priority. The method's audit:
 * explain ten members of a segment in minutes.
 */
public final class SegmentExplainer {
  private final PipelineConfig config;
  private final Warehouse warehouse;

  public SegmentExplainer(PipelineConfig config, Warehouse warehouse) {
    this.config = config;
    this.warehouse = warehouse;
  }

  /** Explanations for up to {@code sample} members of a segment on the day (a stable pseudo-random pick). */
  public List<String> explainSample(String segment, LocalDate asOf, int sample) {
    requireSegment(segment);
    List<String> out = new ArrayList<>();
    warehouse.read("segment_membership")
        .where(col("as_of_date").equalTo(Date.valueOf(asOf)).and(col("segment").equalTo(segment)))
        .orderBy(org.apache.spark.sql.functions.xxhash64(col("user_id"))).limit(sample)
        .select("user_id").collectAsList()
        .forEach(r -> out.addAll(explain(r.getString(0), asOf, segment)));
    if (out.isEmpty()) {
      out.add("segment '" + segment + "' has no members on " + asOf);
    }
    return out;
  }

  /** Explains one user on one day, for every segment or only {@code onlySegment}. */
  public List<String> explain(String userId, LocalDate asOf, String onlySegment) {
    if (onlySegment != null) {
      requireSegment(onlySegment);
    }
    Date day = Date.valueOf(asOf);
    Dataset<Row> features = warehouse.read("user_features")
        .where(col("as_of_date").equalTo(day).and(col("user_id").equalTo(userId)));
    Set<String> featureNames = new LinkedHashSet<>(Arrays.asList(features.columns()));

    Map<String, LocalDate> membersToday = membership(userId, day);
    Map<String, LocalDate> membersYesterday = membership(userId, Date.valueOf(asOf.minusDays(1)));

    List<Column> probes = new ArrayList<>();
    Map<String, String> probeText = new LinkedHashMap<>();
    for (SegmentSpec spec : config.segments()) {
      addProbe(probes, probeText, spec.rule());
      clauses(spec.rule()).forEach(c -> addProbe(probes, probeText, c));
      addProbe(probes, probeText, spec.effectiveExitRule());
      referenced(spec, featureNames).forEach(f -> addProbe(probes, probeText, "`" + f + "`"));
    }
    List<Row> rows = features.select(probes.toArray(Column[]::new)).collectAsList();
    List<String> out = new ArrayList<>();
    if (rows.isEmpty()) {
      out.add("user " + userId + " is not known on " + asOf + " (no row in " + warehouse.name("user_features")
          + "): no event on or before that day");
      return out;
    }
    Map<String, Object> values = new LinkedHashMap<>();
    Row row = rows.get(0);
    int i = 0;
    for (String text : probeText.keySet()) {
      values.put(text, row.get(i++));
    }

    out.add("user " + userId + " as of " + asOf);
    for (SegmentSpec spec : config.segments()) {
      if (onlySegment != null && !spec.name().equals(onlySegment)) {
        continue;
      }
      out.addAll(explainSegment(spec, values, featureNames, membersToday, membersYesterday));
    }
    return out;
  }

  private List<String> explainSegment(SegmentSpec spec, Map<String, Object> values, Set<String> featureNames,
      Map<String, LocalDate> today, Map<String, LocalDate> yesterday) {
    List<String> out = new ArrayList<>();
    boolean ruleHolds = Boolean.TRUE.equals(values.get(spec.rule()));
    boolean exitHolds = Boolean.TRUE.equals(values.get(spec.effectiveExitRule()));
    String header = "  " + spec.name() + (spec.family() == null ? "" : " [" + spec.family() + ", priority "
        + spec.priority() + "]") + ": ";
    if (today.containsKey(spec.name())) {
      LocalDate entered = today.get(spec.name());
      boolean stayed = yesterday.containsKey(spec.name());
      out.add(header + "IN since " + entered + (stayed ? (ruleHolds ? " (rule still holds)"
          : exitHolds ? " (kept by min_days " + spec.minDays() + " although the exit rule holds)"
              : " (stays: exit rule does not hold)") : " (entered today: rule holds)"));
    } else {
      SegmentSpec winner = familyWinner(spec, today);
      if (ruleHolds && winner != null) {
        out.add(header + "OUT: qualifies, but lost to " + winner.name() + " (priority " + winner.priority()
            + " in family " + spec.family() + ")");
      } else if (yesterday.containsKey(spec.name())) {
        out.add(header + "OUT: left today, exit rule holds");
      } else {
        out.add(header + "OUT: rule does not hold");
      }
    }
    out.add("      rule: " + spec.rule() + "  -> " + values.get(spec.rule()));
    List<String> clauses = clauses(spec.rule());
    if (clauses.size() > 1) {
      for (String clause : clauses) {
        out.add("        " + clause + "  -> " + values.get(clause));
      }
    }
    if (!ruleHolds && !today.containsKey(spec.name())) {
      clauses.stream().filter(c -> !Boolean.TRUE.equals(values.get(c))).findFirst()
          .ifPresent(c -> out.add("      decided by: " + c + " is " + values.get(c)));
    }
    if (spec.exitRule() != null) {
      out.add("      exit rule: " + spec.exitRule() + "  -> " + values.get(spec.effectiveExitRule()));
    }
    List<String> read = new ArrayList<>();
    referenced(spec, featureNames).forEach(f -> read.add(f + " = " + values.get("`" + f + "`")));
    out.add("      features: " + String.join(", ", read));
    return out;
  }

  private SegmentSpec familyWinner(SegmentSpec loser, Map<String, LocalDate> today) {
    if (loser.family() == null) {
      return null;
    }
    return config.segments().stream()
        .filter(s -> loser.family().equals(s.family()) && today.containsKey(s.name()) && !s.name().equals(loser.name()))
        .findFirst().orElse(null);
  }

  private Map<String, LocalDate> membership(String userId, Date day) {
    Map<String, LocalDate> members = new LinkedHashMap<>();
    if (!warehouse.exists("segment_membership")) {
      return members;
    }
    warehouse.read("segment_membership")
        .where(col("as_of_date").equalTo(day).and(col("user_id").equalTo(userId)))
        .select("segment", "entered_on").collectAsList()
        .forEach(r -> members.put(r.getString(0), r.getDate(1).toLocalDate()));
    return members;
  }

  private static void addProbe(List<Column> probes, Map<String, String> texts, String text) {
    if (!texts.containsKey(text)) {
      texts.put(text, text);
      probes.add(ExpressionPolicy.column(text));
    }
  }

  private static Set<String> referenced(SegmentSpec spec, Set<String> featureNames) {
    Set<String> names = new LinkedHashSet<>();
    Set<String> references = new LinkedHashSet<>(ExpressionPolicy.references(spec.rule()));
    if (spec.exitRule() != null) {
      references.addAll(ExpressionPolicy.references(spec.exitRule()));
    }
    for (String reference : references) {
      featureNames.stream().filter(f -> f.equalsIgnoreCase(reference) && !f.equals("as_of_date"))
          .findFirst().ifPresent(names::add);
    }
    return names;
  }

  /** The rule's top-level conjuncts (split on AND outside parentheses and quotes). */
  static List<String> clauses(String rule) {
    List<String> parts = new ArrayList<>();
    int depth = 0;
    boolean quoted = false;
    int start = 0;
    String lower = rule.toLowerCase();
    for (int i = 0; i < rule.length(); i++) {
      char c = rule.charAt(i);
      if (c == '\'') {
        quoted = !quoted;
      } else if (!quoted && c == '(') {
        depth++;
      } else if (!quoted && c == ')') {
        depth--;
      } else if (!quoted && depth == 0 && lower.startsWith(" and ", i) && !betweenPending(lower, start, i)) {
        parts.add(rule.substring(start, i).trim());
        start = i + 5;
        i += 4;
      }
    }
    parts.add(rule.substring(start).trim());
    return parts;
  }

  /** "x between 1 and 5": the AND belongs to BETWEEN, not to the conjunction. */
  private static boolean betweenPending(String lower, int start, int at) {
    String part = lower.substring(start, at);
    int between = part.lastIndexOf(" between ");
    return between >= 0 && !part.substring(between).contains(" and ");
  }

  private void requireSegment(String segment) {
    if (config.segments().stream().noneMatch(s -> s.name().equals(segment))) {
      throw new io.segments.config.ConfigException("--segment", "unknown segment '" + segment + "'",
          "use one of: " + config.segments().stream().map(SegmentSpec::name).toList());
    }
  }
}
