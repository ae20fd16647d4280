package io.segments.features.kinds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.segments.config.FeatureKind;
import io.segments.config.FeatureSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every kind of the config has one implementation that says how its value is carried from D-1 to D. */
class KindsTest {
  private static FeatureSpec spec(FeatureKind kind) {
    return new FeatureSpec("f", kind, List.of(), 7, "a", "b", 3, 0, "followed_by", List.of(6, 7), 7, 1, 4, 2, false,
        "1", "test");
  }

  @Test
  void everyKindOfTheConfigHasAnImplementationAndACarry() {
    Kinds kinds = new Kinds(List.of(Map.entry("Champions", "r >= 4")));
    for (FeatureKind kind : FeatureKind.values()) {
      assertNotNull(kinds.of(kind).carry(spec(kind)), kind.yamlName());
    }
  }

  @Test
  void windowSumsRollDaysSinceCountAndScoresAreRecomputed() {
    Kinds kinds = new Kinds(List.of());
    assertEquals(Kind.Carry.ROLLING_SUM, kinds.of(FeatureKind.COUNT).carry(spec(FeatureKind.COUNT)));
    assertEquals(Kind.Carry.DAYS_SINCE, kinds.of(FeatureKind.RECENCY).carry(spec(FeatureKind.RECENCY)));
    assertEquals(Kind.Carry.WINDOW_STATE, kinds.of(FeatureKind.SEQUENCE).carry(spec(FeatureKind.SEQUENCE)));
    assertEquals(Kind.Carry.RECOMPUTED, kinds.of(FeatureKind.RFM).carry(spec(FeatureKind.RFM)));
  }

  @Test
  void aKindWritesTheColumnsItsSpecNames() {
    Kinds kinds = new Kinds(List.of());
    for (FeatureKind kind : FeatureKind.values()) {
      assertEquals(spec(kind).outputNames().size(), kinds.of(kind).output(spec(kind)).size(), kind.yamlName());
    }
  }
}
