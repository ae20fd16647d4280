package io.segments.features.kinds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.segments.config.FeatureKind;
import io.segments.config.FeatureSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every kind of the config has one implementation, which says what it carries from D-1 to D. */
class KindsTest {
  private static FeatureSpec spec(FeatureKind kind) {
    return new FeatureSpec("f", kind, List.of(), 7, "a", "b", 3, 0, "followed_by", List.of(6, 7), 7, 1, 4, 2, false,
        "1", "test");
  }

  @Test
  void everyKindOfTheConfigHasAnImplementation() {
    Kinds kinds = new Kinds(List.of(Map.entry("Champions", "r >= 4")));
    for (FeatureKind kind : FeatureKind.values()) {
      assertNotNull(kinds.of(kind), kind.yamlName());
    }
  }

  @Test
  void windowSumsLastDaysAndRunsAreCarriedAndDaysBetweenNeedsAllHistory() {
    Kinds kinds = new Kinds(List.of());
    Carried count = kinds.of(FeatureKind.COUNT).carried(spec(FeatureKind.COUNT));
    assertEquals(List.of(Carried.Fold.SUM), count.quantities().stream().map(Carried.Quantity::fold).toList());
    assertEquals(7, count.quantities().get(0).to(), "a 7-day window: the day 7 days ago leaves it");
    Carried recency = kinds.of(FeatureKind.RECENCY).carried(spec(FeatureKind.RECENCY));
    assertEquals(Carried.Fold.LAST_DAY, recency.quantities().get(0).fold());
    Carried sequence = kinds.of(FeatureKind.SEQUENCE).carried(spec(FeatureKind.SEQUENCE));
    assertEquals(3, sequence.quantities().get(0).lookback(), "a B day looks back within_days for an A");
    assertEquals(List.of(), kinds.of(FeatureKind.EXPRESSION).carried(spec(FeatureKind.EXPRESSION)).quantities());
    Carried streak = kinds.of(FeatureKind.STREAK).carried(spec(FeatureKind.STREAK));
    assertEquals(List.of(Carried.Fold.LAST_DAY, Carried.Fold.LAST_DAY),
        streak.quantities().stream().map(Carried.Quantity::fold).toList(), "the last active day, the run's start");
    assertEquals(1, streak.quantities().get(1).lookback(), "a daily streak's start looks at the day before");
    Carried without = kinds.of(FeatureKind.SEQUENCE).carried(mode("not_followed_by"));
    assertEquals(3, without.quantities().get(0).from(), "an A day's fate is known within_days later");
    assertNull(kinds.of(FeatureKind.SEQUENCE).carried(mode("days_between")), "days_between needs all history");
  }

  private static FeatureSpec mode(String mode) {
    return new FeatureSpec("f", FeatureKind.SEQUENCE, List.of(), 7, "a", "b", 3, 0, mode, List.of(6, 7), 7, 1, 4, 2,
        false, "1", "test");
  }

  @Test
  void aKindWritesTheColumnsItsSpecNames() {
    Kinds kinds = new Kinds(List.of());
    for (FeatureKind kind : FeatureKind.values()) {
      assertEquals(spec(kind).outputNames().size(), kinds.of(kind).output(spec(kind)).size(), kind.yamlName());
    }
  }
}
