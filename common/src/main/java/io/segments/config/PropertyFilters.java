package io.segments.config;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The {@code where} conditions of features on event properties: which kinds take them, what they may refer to, and
 * which properties the rollup must carry (only those some condition names, as part of its key).
 */
public final class PropertyFilters {
  /** Property names a condition may name: letters, digits, '_' and '$' (Mixpanel's {@code $browser}). */
  private static final Pattern NAME = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]{0,62}");
  private static final List<FeatureKind> ON_EVENTS = List.of(FeatureKind.COUNT, FeatureKind.ACTIVE_DAYS,
      FeatureKind.RECENCY, FeatureKind.SUM);

  private PropertyFilters() {}

  /** The conditions of one feature: on a kind that takes them, over a mapped properties column, policy-checked. */
  static void check(FeatureSpec spec, SourceConfig source) {
    FeatureSpec.Filter filter = spec.filter();
    String feature = "feature '" + spec.name() + "'";
    if (filter.events() != null && !ON_EVENTS.contains(spec.kind())) {
      throw new ConfigException(spec.where(), feature + " (" + spec.kind().yamlName() + ") cannot take 'where'",
          spec.kind() == FeatureKind.SEQUENCE ? "write first_where and then_where, one condition per step"
              : "'where' applies to count, active_days, recency and sum features; remove it");
    }
    if ((filter.first() != null || filter.then() != null) && spec.kind() != FeatureKind.SEQUENCE) {
      throw new ConfigException(spec.where(), feature + ": first_where and then_where apply to sequences only",
          "write 'where' instead");
    }
    for (String text : filter.texts()) {
      String where = spec.where() + " (" + feature + ", where)";
      ExpressionPolicy.check(text, null, where, "property");
      Set<String> names = ExpressionPolicy.writtenReferences(text);
      if (names.isEmpty()) {
        throw ExpressionPolicy.refused(where, text, "it names no property", "compare a property, e.g. plan = 'pro'");
      }
      for (String name : names) {
        if (!NAME.matcher(name).matches()) {
          throw ExpressionPolicy.refused(where, text, "property " + Identifiers.shown(name) + " is not a name the"
              + " rollup can carry", "use letters, digits, '_' and '$' (rename it in a view over the source)");
        }
      }
      if (source.column("properties") == null) {
        throw new ConfigException(spec.where(), feature + " filters on event properties (" + String.join(", ", names)
            + "), but source.columns maps no properties column", "set source.columns.properties to the column"
            + " that holds them (a map, a struct, a JSON string or GA4's key/value array), or use a preset");
      }
    }
  }

  /**
   * Refuses two spellings of one property across the conditions ({@code Plan} and {@code plan}): the rollup's
   * columns, like Spark's names, do not tell them apart.
   */
  static void requireOneSpelling(List<FeatureSpec> features) {
    java.util.Map<String, String> seen = new java.util.HashMap<>();
    for (FeatureSpec spec : features) {
      for (String text : spec.filter().texts()) {
        for (String name : ExpressionPolicy.writtenReferences(text)) {
          String before = seen.putIfAbsent(name.toLowerCase(java.util.Locale.ROOT), name);
          if (before != null && !before.equals(name)) {
            throw new ConfigException(spec.where(), "feature '" + spec.name() + "' names property '" + name
                + "', another feature '" + before + "': one property, two spellings", "write it one way everywhere;"
                + " if the source has both, rename one in a view over the source");
          }
        }
      }
    }
  }

  /** Every property some condition names, as written, in order: what the rollup carries. */
  public static List<String> properties(List<FeatureSpec> features) {
    Set<String> names = new TreeSet<>();
    features.forEach(f -> f.filter().texts().forEach(t -> names.addAll(ExpressionPolicy.writtenReferences(t))));
    return List.copyOf(names);
  }
}
