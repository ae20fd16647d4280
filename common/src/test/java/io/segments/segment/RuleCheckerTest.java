package io.segments.segment;

import static org.junit.jupiter.api.Assertions.assertThrows;

import io.segments.SparkTestBase;
import io.segments.config.ConfigException;
import io.segments.config.ConfigLoader;
import io.segments.config.FeatureKind;
import io.segments.config.FeatureSpec;
import io.segments.config.PipelineConfig;
import io.segments.config.SegmentSpec;
import io.segments.config.SourceConfig;
import io.segments.config.ValidateConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/** check-config: each kind of bad rule is refused with the file, segment and a fix. */
class RuleCheckerTest extends SparkTestBase {
  private PipelineConfig config(String rule) {
    FeatureSpec invites = new FeatureSpec("invites_7d", FeatureKind.COUNT, List.of("invite_teammate"), 7, null, null,
        0, 0, "followed_by", List.of(), 0, 1, 0, 0, true, null, "features.yaml:3");
    SegmentSpec segment = new SegmentSpec("teams", null, 1, rule, null, 0, "", "", "", "", "", "segments.yaml:8");
    return new PipelineConfig(Path.of("t.yaml"), Map.of(), "UTC", "db",
        new SourceConfig("e", Map.of(), null, List.of(), 24, 0.05), List.of(invites), List.of(segment), List.of(),
        new ValidateConfig(List.of(), null, 7, null, 30, 200, 15, false), 0.5, 28, 7,
        ConfigLoader.DEFAULT_RFM_MAP, null, 240);
  }

  private String refused(String rule) {
    ConfigException e = assertThrows(ConfigException.class, () -> RuleChecker.check(spark(), config(rule)));
    Assertions.assertTrue(e.getMessage().startsWith("segments.yaml:8 (segment 'teams', rule)"), e.getMessage());
    return e.getMessage();
  }

  @Test
  void aValidRulePasses() {
    RuleChecker.check(spark(), config("invites_7d >= 1"));
  }

  @Test
  void unknownFeatureSuggestsTheNearMiss() {
    String message = refused("invitez_7d >= 1");
    Assertions.assertTrue(message.contains("unknown feature 'invitez_7d'"), message);
    Assertions.assertTrue(message.contains("did you mean `invites_7d`?"), message);
  }

  @Test
  void anEventRefreshedSegmentMayNotUseRfmScoresEvenThroughAnExpression() {
    FeatureSpec rfm = new FeatureSpec("rfm", FeatureKind.RFM, List.of("upgrade"), 365, null, null, 0, 0,
        "followed_by", List.of(), 0, 1, 0, 0, true, null, "features.yaml:4");
    FeatureSpec best = new FeatureSpec("best", FeatureKind.EXPRESSION, List.of(), 0, null, null, 0, 0,
        "followed_by", List.of(), 0, 1, 0, 0, true, "rfm_r >= 4", "features.yaml:5");
    PipelineConfig base = config("true");
    for (String rule : List.of("rfm_r >= 4", "best and invites_7d > 0")) {
      SegmentSpec live = new SegmentSpec("live", null, 1, rule, null, 0, "", "", "", "", "", "segments.yaml:9",
          SegmentSpec.EVENT);
      PipelineConfig config = new PipelineConfig(base.file(), Map.of(), "UTC", "db", base.source(),
          List.of(base.features().get(0), rfm, best), List.of(live), List.of(), base.validate(), 0.5, 28, 7,
          ConfigLoader.DEFAULT_RFM_MAP, null, 240);
      ConfigException e = assertThrows(ConfigException.class, () -> RuleChecker.check(spark(), config));
      Assertions.assertTrue(e.getMessage().contains("has refresh: event but its rules use the rfm feature 'rfm'"),
          e.getMessage());
    }
    SegmentSpec daily = new SegmentSpec("live", null, 1, "rfm_r >= 4", null, 0, "", "", "", "", "", "s.yaml:9");
    RuleChecker.check(spark(), new PipelineConfig(base.file(), Map.of(), "UTC", "db", base.source(),
        List.of(base.features().get(0), rfm), List.of(daily), List.of(), base.validate(), 0.5, 28, 7,
        ConfigLoader.DEFAULT_RFM_MAP, null, 240));
  }

  @Test
  void nonBooleanRulesAreRefused() {
    Assertions.assertTrue(refused("invites_7d + 1").contains("not boolean"));
  }

  @Test
  void subqueriesAndStatementsAreRefused() {
    Assertions.assertTrue(refused("invites_7d in (select 1)").contains("a subquery"));
    Assertions.assertTrue(refused("drop table x").contains("does not parse"));
  }

  @Test
  void nonDeterministicRulesAreRefused() {
    Assertions.assertTrue(refused("rand() < 0.5").contains("the function 'rand' is not allowed"));
  }

  @Test
  void aStringBuiltToReadTheClockIsRefusedWhereAConstantDateIsNot() {
    Assertions.assertTrue(refused("cast(concat('to', 'day') as date) > date '2026-01-01'")
        .contains("'today' (concat(to, day)) reads the clock"), refused("cast(concat('to', 'day') as date) > null"));
    Assertions.assertTrue(refused("date_add(concat('now', ''), invites_7d) is not null").contains("reads the clock"));
    Assertions.assertTrue(refused("to_date(cast(invites_7d as string)) is not null")
        .contains("reads a date from a string that is not a constant"));
    RuleChecker.check(spark(), config("cast(concat('2026-', '01-01') as date) < date '2026-06-01' and invites_7d > 0"));
  }

  @Test
  void unparsableRulesAreRefused() {
    Assertions.assertTrue(refused("invites_7d >=").contains("does not parse"));
  }
}
