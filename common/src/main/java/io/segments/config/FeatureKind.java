package io.segments.config;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The feature kinds an analyst can declare; see docs/features.md for the exact semantics of each. */
public enum FeatureKind {
  COUNT, ACTIVE_DAYS, RECENCY, TENURE, SEQUENCE, DISTINCT, SUM, STREAK, REGULARLY, SHARE, TREND, RFM,
  PURCHASE_SUMMARY, EXPRESSION;

  public String yamlName() {
    return name().toLowerCase();
  }

  static FeatureKind parse(YamlNode node) {
    String text = node.text().trim().toLowerCase();
    for (FeatureKind kind : values()) {
      if (kind.yamlName().equals(text)) {
        return kind;
      }
    }
    throw new ConfigException(node.where(), "unknown feature kind '" + node.text() + "'",
        "use one of: " + names());
  }

  /** Every kind's YAML name, comma-separated. */
  static String names() {
    return Arrays.stream(values()).map(FeatureKind::yamlName).collect(Collectors.joining(", "));
  }
}
