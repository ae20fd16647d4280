package io.segments.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The {@code features:} of the config: parsed per file, then checked together (names, kinds, expressions). */
public final class FeatureConfig {
  private static final int MAX = Integer.MAX_VALUE;

  private FeatureConfig() {}

  /** The features declared in one file. */
  static List<FeatureSpec> parse(YamlNode root) {
    List<FeatureSpec> specs = new ArrayList<>();
    for (YamlNode node : root.items("features")) {
      String name = node.string("name");
      node.describe("kind", "one of " + FeatureKind.names() + " (required)");
      FeatureKind kind = FeatureKind.parse(node.get("kind"));
      int window = node.integer("window_days", 0);
      if (window < 0 || (node.has("window_days") && window == 0)) {
        throw new ConfigException(node.get("window_days").where(),
            "feature '" + name + "': window_days must be a positive whole number of days, found " + window,
            "write e.g. 'window_days: 7', or leave it out to use all history");
      }
      String period = node.choice("period", List.of("week", "day"), "week");
      List<Integer> days = new ArrayList<>();
      for (YamlNode day : node.items("days_of_week")) {
        days.add(dayOfWeek(day));
      }
      specs.add(new FeatureSpec(
          name, kind, node.strings("events"), window,
          node.string("first", null), node.string("then", null),
          node.integer("within_days", 0, 1, MAX), node.integer("within_days_of_signup", 0, 0, MAX),
          node.choice("mode", List.of("followed_by", "not_followed_by", "days_between"), "followed_by"), days,
          node.integer("previous_days", 0, 1, MAX), node.integer("min_events", 1, 1, MAX),
          node.integer("periods", 0, 1, MAX), node.integer("min_periods", 0, 1, MAX),
          period.equals("week"),
          node.string("expression", null), node.where(), node.integer("first_days", 0, 1, MAX),
          new FeatureSpec.Filter(node.string("where", null), node.string("first_where", null),
              node.string("then_where", null))));
    }
    return specs;
  }

  private static int dayOfWeek(YamlNode node) {
    List<String> names = List.of("mon", "tue", "wed", "thu", "fri", "sat", "sun");
    String text = node.text().trim().toLowerCase();
    int index = names.indexOf(text.length() >= 3 ? text.substring(0, 3) : text);
    if (index < 0) {
      throw new ConfigException(node.where(), "unknown day of week '" + node.text() + "'", "write mon, tue, ... sun");
    }
    return index + 1;
  }

  /** Names, kinds, windows, events, expressions and cycles of all features, without Spark. */
  static void check(PipelineConfig config) {
    Map<String, FeatureSpec> byName = new LinkedHashMap<>();
    Set<String> vocabulary = new LinkedHashSet<>(config.source().vocabulary());
    for (FeatureSpec spec : config.features()) {
      Identifiers.require(spec.name(), "feature name", spec.where());
      if (byName.put(spec.name().toLowerCase(Locale.ROOT), spec) != null) {
        throw new ConfigException(spec.where(), "feature '" + spec.name() + "' is declared twice", "rename or remove one");
      }
      requireFor(spec);
      requireRevenue(spec, config.source());
      PropertyFilters.check(spec, config.source());
      List<String> named = new ArrayList<>(spec.events());
      if (spec.first() != null) named.add(spec.first());
      if (spec.then() != null) named.add(spec.then());
      for (String event : named) {
        if (!vocabulary.isEmpty() && !vocabulary.contains(event)) {
          throw new ConfigException(spec.where(), "feature '" + spec.name() + "' names event '" + event
              + "', which is not in source.vocabulary", "use one of " + vocabulary + " or add it to the vocabulary");
        }
      }
    }
    PropertyFilters.requireOneSpelling(config.features());
    Set<String> columns = featureColumns(config.features());
    for (FeatureSpec spec : config.features()) {
      if (spec.kind() == FeatureKind.EXPRESSION) {
        ExpressionPolicy.check(spec.expression(), columns,
            spec.where() + " (feature '" + spec.name() + "', expression)", "feature");
        for (String dependency : expressionDependencies(spec, byName.keySet())) {
          if (dependency.equalsIgnoreCase(spec.name())) {
            throw new ConfigException(spec.where(), "feature '" + spec.name() + "' refers to itself",
                "compute it from other features");
          }
        }
      }
    }
    orderExpressions(config.features(), byName.keySet());
  }

  /** Revenue features need a revenue column: without one every value would be 0. */
  private static void requireRevenue(FeatureSpec spec, SourceConfig source) {
    if (!source.hasRevenue() && List.of(FeatureKind.SUM, FeatureKind.RFM, FeatureKind.PURCHASE_SUMMARY)
        .contains(spec.kind())) {
      throw new ConfigException(spec.where(), "feature '" + spec.name() + "' (" + spec.kind().yamlName()
          + ") needs revenue, but source.columns maps no revenue column, so every event's revenue is 0",
          "map source.columns.revenue to the column with the amount (a column named revenue is read only when"
              + " mapped), or remove the feature");
    }
  }

  private static void requireFor(FeatureSpec spec) {
    String fix = null;
    if (spec.firstDays() > 0 && spec.kind() != FeatureKind.COUNT
        && !(spec.kind() == FeatureKind.SEQUENCE && spec.mode().equals("followed_by"))) {
      throw new ConfigException(spec.where(), "feature '" + spec.name() + "': first_days applies to count features"
          + " and followed_by sequences only", "remove 'first_days', or use a count feature");
    }
    switch (spec.kind()) {
      case COUNT, ACTIVE_DAYS, DISTINCT, SUM -> {
        if (spec.windowDays() == 0 && spec.kind() != FeatureKind.SUM && spec.kind() != FeatureKind.COUNT) {
          fix = "add 'window_days: N' (a positive whole number)";
        }
      }
      case SEQUENCE -> {
        if (spec.first() == null || spec.then() == null) {
          fix = "add 'first: <event>' and 'then: <event>'";
        } else if (spec.withinDays() <= 0) {
          fix = "add 'within_days: N' (B at most N days after A)";
        } else if (!List.of("followed_by", "not_followed_by", "days_between").contains(spec.mode())) {
          fix = "set 'mode' to followed_by, not_followed_by or days_between";
        }
      }
      case SHARE -> {
        if (spec.daysOfWeek().isEmpty() || spec.windowDays() == 0) {
          fix = "add 'days_of_week: [sat, sun]' and 'window_days: N'";
        }
      }
      case TREND -> {
        if (spec.windowDays() == 0 || spec.previousDays() <= 0) {
          fix = "add 'window_days: N' (recent period) and 'previous_days: M' (earlier period)";
        }
      }
      case STREAK -> {
        if (spec.minEvents() <= 0) {
          fix = "set 'min_events' to a positive number";
        }
      }
      case REGULARLY -> {
        if (spec.periods() <= 0 || spec.minPeriods() <= 0 || spec.minPeriods() > spec.periods()) {
          fix = "add 'periods: N' and 'min_periods: K' with 0 < K <= N";
        }
      }
      case RFM -> {
        if (spec.windowDays() == 0) {
          fix = "add 'window_days: N', the window in which frequency and spend are measured";
        }
      }
      case EXPRESSION -> {
        if (spec.expression() == null) {
          fix = "add 'expression: <Spark SQL over other features>'";
        }
      }
      default -> { }
    }
    if (fix != null) {
      throw new ConfigException(spec.where(), "feature '" + spec.name() + "' (kind " + spec.kind().yamlName()
          + ") is incomplete", fix);
    }
  }

  /** The columns of user_features a rule or expression may read: every feature's outputs, as_of_date, user_id. */
  public static Set<String> featureColumns(List<FeatureSpec> features) {
    Set<String> columns = new LinkedHashSet<>(List.of("as_of_date", "user_id"));
    features.forEach(f -> f.outputNames().forEach(n -> columns.add(n.toLowerCase(Locale.ROOT))));
    return columns;
  }

  /** Feature names an expression refers to (references that are names of features). */
  public static Set<String> expressionDependencies(FeatureSpec spec, Set<String> featureNames) {
    Set<String> found = new LinkedHashSet<>();
    Set<String> lower = new LinkedHashSet<>();
    featureNames.forEach(n -> lower.add(n.toLowerCase(Locale.ROOT)));
    for (String reference : ExpressionPolicy.references(spec.expression())) {
      if (lower.contains(reference)) {
        found.add(reference);
      }
    }
    return found;
  }

  /** Expression features in an order where each comes after the features it reads; refuses cycles. */
  public static List<FeatureSpec> orderExpressions(List<FeatureSpec> features, Set<String> featureNames) {
    Map<String, FeatureSpec> expressions = new LinkedHashMap<>();
    features.stream().filter(f -> f.kind() == FeatureKind.EXPRESSION)
        .forEach(f -> expressions.put(f.name().toLowerCase(Locale.ROOT), f));
    List<FeatureSpec> ordered = new ArrayList<>();
    Set<String> done = new LinkedHashSet<>();
    for (FeatureSpec spec : expressions.values()) {
      visit(spec, expressions, featureNames, done, new LinkedHashSet<>(), ordered);
    }
    return ordered;
  }

  private static void visit(FeatureSpec spec, Map<String, FeatureSpec> expressions, Set<String> featureNames,
      Set<String> done, Set<String> path, List<FeatureSpec> ordered) {
    if (done.contains(spec.name())) {
      return;
    }
    if (!path.add(spec.name())) {
      throw new ConfigException(spec.where(), "features form a cycle: " + String.join(" -> ", path) + " -> " + spec.name(),
          "break the cycle: one of these expressions must not refer back to the others");
    }
    for (String dependency : expressionDependencies(spec, featureNames)) {
      FeatureSpec next = expressions.get(dependency);
      if (next != null && !next.name().equalsIgnoreCase(spec.name())) {
        visit(next, expressions, featureNames, done, path, ordered);
      }
    }
    path.remove(spec.name());
    done.add(spec.name());
    ordered.add(spec);
  }
}
