package io.segments;

import io.segments.config.FeatureSpec;
import io.segments.config.SegmentSpec;
import java.util.List;

/** A few features and segments of the shipped config, to keep whole-pipeline tests quick. */
public final class TestConfigs {
  public static final List<String> FEATURES = List.of("active_days_14d", "days_since_last_event", "tenure_days",
      "reached_value_moment");
  public static final List<String> SEGMENTS = List.of("new_users", "power_users", "dormant", "collaborative_starters");

  private TestConfigs() {}

  public static List<FeatureSpec> features(List<FeatureSpec> all) {
    return all.stream().filter(f -> FEATURES.contains(f.name())).toList();
  }

  public static List<SegmentSpec> segments(List<SegmentSpec> all) {
    return all.stream().filter(s -> SEGMENTS.contains(s.name())).toList();
  }
}
