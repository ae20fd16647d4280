package io.segments.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped config loads; each config mistake fails with file, line and a fix. */
class ConfigLoaderTest {
  @TempDir Path dir;

  private static final String SOURCE = "source:\n  events: demo.events\n";

  private ConfigException failure(String yaml) throws IOException {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(file, yaml);
    return assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
  }

  @Test
  void theShippedLocalConfigLoads() {
    PipelineConfig config = ConfigLoader.load(Path.of("..", "conf", "local.yaml"));
    assertEquals("segments", config.database());
    assertTrue(config.features().size() >= 15, "features from conf/segments/features.yaml");
    assertTrue(config.segments().stream().anyMatch(s -> s.name().equals("collaborative_starters")));
    assertEquals(Path.of("..", "warehouse").toAbsolutePath().normalize(),
        Path.of(java.net.URI.create(config.spark().get("spark.sql.warehouse.dir"))),
        "embedded.warehouse resolves against the config file's folder");
    assertEquals(45, config.replayChunkDays(), "the demo's first run replays its 45 days in one chunk");
  }

  @Test
  void theShippedClusterConfigLoads() {
    PipelineConfig config = ConfigLoader.load(Path.of("..", "conf", "cluster.yaml"));
    assertEquals("America/New_York", config.timeZone());
    assertTrue(!config.spark().containsKey("spark.master"), "a cluster config leaves the master to spark-submit");
    assertEquals(7, config.replayChunkDays(), "chunks of 7 days unless set");
  }

  @Test
  void everyShippedConfigPassesTheKeyRangeAndExpressionChecks() {
    for (String file : new String[] {"local.yaml", "cluster.yaml", "bench.yaml"}) {
      assertTrue(ConfigLoader.load(Path.of("..", "conf", file)).segments().size() > 0, file);
    }
  }

  @Test
  void unknownKindNamesFileLineAndTheKinds() throws IOException {
    ConfigException e = failure(SOURCE + "features:\n  - name: x\n    kind: countt\n");
    assertTrue(e.getMessage().contains("bad.yaml:5"), e.getMessage());
    assertTrue(e.getMessage().contains("unknown feature kind 'countt'"), e.getMessage());
    assertTrue(e.fix().contains("count, active_days"), e.fix());
  }

  @Test
  void windowMustBeAPositiveWholeNumberOfDays() throws IOException {
    assertTrue(failure(SOURCE + "features:\n  - {name: x, kind: count, window_days: 0}\n").getMessage()
        .contains("window_days must be a positive whole number"));
    assertTrue(failure(SOURCE + "features:\n  - {name: x, kind: count, window_days: 7.5}\n").getMessage()
        .contains("must be a whole number"));
  }

  @Test
  void expressionCyclesAreRefused() throws IOException {
    ConfigException e = failure(SOURCE + "features:\n"
        + "  - {name: a, kind: expression, expression: 'b + 1'}\n"
        + "  - {name: b, kind: expression, expression: 'a * 2'}\n");
    assertTrue(e.getMessage().contains("cycle"), e.getMessage());
  }

  @Test
  void incompleteSequenceSaysWhatToAdd() throws IOException {
    ConfigException e = failure(SOURCE + "features:\n  - {name: s, kind: sequence, first: a}\n");
    assertTrue(e.fix().contains("then"), e.fix());
  }

  @Test
  void audienceOfAnUnknownSegmentIsRefused() throws IOException {
    ConfigException e = failure(SOURCE + "segments:\n  - {name: s1, rule: 'true'}\n"
        + "audiences:\n  - {name: a, segment: s2}\n");
    assertTrue(e.getMessage().contains("unknown segment 's2'"), e.getMessage());
  }

  @Test
  void aFamilyHasOneRefreshCadence() throws IOException {
    ConfigException e = failure(SOURCE + "segments:\n  - {name: s1, family: f, rule: 'true', refresh: event}\n"
        + "  - {name: s2, family: f, rule: 'true'}\n");
    assertTrue(e.getMessage().contains("segment 's2' has refresh: daily but 's1' of the same family 'f' has refresh:"
        + " event"), e.getMessage());
    assertTrue(e.getMessage().contains("give every segment of family 'f' the same refresh"), e.getMessage());
    assertTrue(failure(SOURCE + "segments:\n  - {name: s1, rule: 'true', refresh: hourly}\n").getMessage()
        .contains("not one of [daily, event]"));
  }

  @Test
  void yamlSyntaxErrorsGiveTheLine() throws IOException {
    ConfigException e = failure(SOURCE + "features:\n  - name: x\n   kind: count\n");
    assertTrue(e.getMessage().startsWith(dir.resolve("bad.yaml") + ":"), e.getMessage());
    assertTrue(e.getMessage().contains("YAML syntax error"), e.getMessage());
  }

  @Test
  void aPasswordInTheConfigFileIsRefused() throws IOException {
    ConfigException e = failure(SOURCE + "sinks:\n  postgres:\n    url: jdbc:postgresql://h/db\n    password: hunter2\n");
    assertTrue(e.getMessage().contains("a password in the config file"), e.getMessage());
    assertTrue(!e.getMessage().contains("hunter2"), "the secret is not echoed");
    assertTrue(e.fix().contains("password_env"), e.fix());
  }

  @Test
  void missingSourceIsNamed() throws IOException {
    ConfigException e = failure("features: []\n");
    assertTrue(e.getMessage().contains("missing required key 'source'"), e.getMessage());
  }

  @Test
  void unknownKeysAnywhereAreRefusedWithTheClosestValidKey() throws IOException {
    ConfigException feature = failure(SOURCE + "features:\n  - {name: x, kind: count, window_day: 7}\n");
    assertTrue(feature.getMessage().contains("bad.yaml:4: unknown key 'window_day'"), feature.getMessage());
    assertTrue(feature.fix().startsWith("did you mean 'window_days'?"), feature.fix());
    ConfigException segment = failure(SOURCE + "features:\n  - {name: x, kind: count}\nsegments:\n"
        + "  - name: s\n    rule: x > 1\n    exit_rul: x = 0\n");
    assertTrue(segment.getMessage().contains("bad.yaml:8: unknown key 'exit_rul'"), segment.getMessage());
    assertTrue(segment.fix().startsWith("did you mean 'exit_rule'?"), segment.fix());
    ConfigException publish = failure(SOURCE + "publish:\n  max_change_shar: 0.3\n");
    assertTrue(publish.fix().startsWith("did you mean 'max_change_share'?"), publish.fix());
    ConfigException top = failure(SOURCE + "time_zon: UTC\n");
    assertTrue(top.fix().startsWith("did you mean 'time_zone'?"), top.fix());
    ConfigException source = failure("source:\n  events: demo.events\n  lookback_day: 3\n");
    assertTrue(source.fix().startsWith("did you mean 'lookback_days'?"), source.fix());
  }

  @Test
  void unknownKeysInAnIncludedFileAreRefusedWithItsName() throws IOException {
    Files.writeString(dir.resolve("extra.yaml"), "segments:\n  - {name: s, rule: 'true', descripton: typo}\n");
    ConfigException e = failure(SOURCE + "include: [extra.yaml]\n");
    assertTrue(e.getMessage().startsWith(dir.resolve("extra.yaml") + ":2: unknown key 'descripton'"), e.getMessage());
    assertTrue(e.fix().startsWith("did you mean 'description'?"), e.fix());
  }

  @Test
  void duplicateKeysAreRefused() throws IOException {
    ConfigException e = failure(SOURCE + "features:\n  - name: x\n    kind: count\n    kind: sum\n");
    assertTrue(e.getMessage().contains("bad.yaml:6: duplicate key 'kind' (first at line 5)"), e.getMessage());
    assertTrue(failure(SOURCE + "database: a\ndatabase: b\n").getMessage().contains("duplicate key 'database'"));
  }

  @Test
  void enumeratedValuesAcceptOnlyTheirWords() throws IOException {
    ConfigException period = failure(SOURCE + "features:\n  - {name: s, kind: streak, period: weeks}\n");
    assertTrue(period.getMessage().contains("'period' is 'weeks', not one of [week, day]"), period.getMessage());
    ConfigException mode = failure(SOURCE + "features:\n  - {name: s, kind: sequence, first: a, then: b,"
        + " within_days: 3, mode: followed}\n");
    assertTrue(mode.getMessage().contains("'mode' is 'followed'"), mode.getMessage());
    assertTrue(failure(SOURCE + "time_zone: Mars/Olympus\n").getMessage().contains("unknown time_zone"));
  }

  @Test
  void numbersAreRangeChecked() throws IOException {
    assertTrue(failure(SOURCE + "segments_state:\n  replay_days: 0\n").getMessage()
        .contains("'replay_days' is 0, outside in [1, 3660]"));
    assertTrue(failure(SOURCE + "segments_state:\n  replay_chunk_days: 0\n").getMessage()
        .contains("'replay_chunk_days' is 0, outside in [1, 3660]"));
    assertTrue(failure(SOURCE + "publish:\n  max_change_share: 0\n").getMessage()
        .contains("'max_change_share' is 0, outside (0.0, 1.0]"));
    assertTrue(failure(SOURCE + "publish:\n  max_change_share: 1.5\n").getMessage().contains("outside (0.0, 1.0]"));
    assertTrue(failure(SOURCE + "lock:\n  stale_after_minutes: 0\n").getMessage().contains("outside >= 1"));
    assertTrue(failure("source:\n  events: e\n  future_tolerance_hours: -1\n").getMessage().contains("outside >= 0"));
    assertTrue(failure("source:\n  events: e\n  max_quarantine_share: 2\n").getMessage().contains("outside [0.0, 1.0]"));
    assertTrue(failure(SOURCE + "validate:\n  retention_gap_points: -5\n").getMessage().contains("outside [0.0"));
    assertTrue(failure(SOURCE + "validate:\n  activation_days: 0\n").getMessage().contains("outside in [1, 366]"));
    assertTrue(failure(SOURCE + "validate:\n  conversion_days: 400\n").getMessage()
        .contains("'conversion_days' is 400, outside in [1, 366]"), "the outcomes carry windows of up to a year");
    assertTrue(failure("source:\n  events: e\n  freshness: {min_share: 1.5}\n").getMessage()
        .contains("'min_share' is 1.5, outside [0.0, 1.0]"));
    assertTrue(failure("source:\n  events: e\n  freshness: {max_lag_hour: 6}\n").getMessage()
        .contains("did you mean 'max_lag_hours'?"));
    assertTrue(failure(SOURCE + "features:\n  - {name: s, kind: sequence, first: a, then: b, within_days: 0}\n")
        .getMessage().contains("'within_days' is 0, outside >= 1"));
    assertTrue(failure(SOURCE + "features:\n  - {name: t, kind: trend, window_days: 7, previous_days: -7}\n")
        .getMessage().contains("'previous_days' is -7"));
  }

  private PipelineConfig loaded(String yaml) throws IOException {
    Path file = dir.resolve("ok.yaml");
    Files.writeString(file, yaml);
    return ConfigLoader.load(file);
  }

  @Test
  void aPresetFillsTheMappingAndTheTimestampRuleAndTheConfigWinsOverIt() throws IOException {
    SourceConfig ga4 = loaded("source:\n  events: parquet:/landing/ga4\n  preset: ga4\n").source();
    assertEquals("user_id", ga4.column("user_id"));
    assertEquals("event_timestamp", ga4.column("event_at"));
    assertEquals("microseconds", ga4.timestampUnit());
    assertEquals(null, ga4.column("event_id"), "GA4 has no event id");
    assertEquals(java.util.List.of(), ga4.dedupeKey(), "the events of a GA4 batch share a timestamp: no dedupe");
    assertTrue(ga4.hasRevenue(), "event_value_in_usd");

    SourceConfig mixpanel = loaded("source:\n  events: json:/landing/mixpanel\n  preset: mixpanel\n"
        + "  columns: {user_id: properties.distinct_id}\n  timestamp_unit: milliseconds\n").source();
    assertEquals("properties.distinct_id", mixpanel.column("user_id"), "overridden (Original ID Merge)");
    assertEquals("properties.time", mixpanel.column("event_at"));
    assertEquals("milliseconds", mixpanel.timestampUnit());
    assertTrue(!mixpanel.hasRevenue());
    assertEquals(null, loaded("source:\n  events: json:/x\n  preset: mixpanel\n  timestamp_unit: ~\n").source()
        .timestampUnit(), "~ clears the preset's unit");
    assertEquals("properties.$user_id", loaded("source:\n  events: json:/x\n  preset: mixpanel\n").source()
        .column("user_id"));

    ConfigException e = failure("source:\n  events: x.y\n  preset: segmnet\n");
    assertTrue(e.getMessage().contains("'preset' is 'segmnet'"), e.getMessage());
    assertTrue(e.fix().contains("segment, rudderstack, snowplow, ga4, amplitude, mixpanel"), e.fix());
  }

  @Test
  void revenueFeaturesNeedARevenueColumn() throws IOException {
    ConfigException e = failure(SOURCE + "features:\n  - {name: spend_30d, kind: sum, events: [upgrade], window_days: 30}\n");
    assertTrue(e.getMessage().contains("feature 'spend_30d' (sum) needs revenue"), e.getMessage());
    assertTrue(e.fix().contains("source.columns.revenue"), e.fix());
    assertTrue(loaded("source:\n  events: demo.events\n  columns: {revenue: amount}\nfeatures:\n"
        + "  - {name: spend_30d, kind: sum, events: [upgrade], window_days: 30}\n").source().hasRevenue());
  }

  @Test
  void readerOptionsNeedAPathSourceAndADedupeKeyNeedsMappedColumns() throws IOException {
    ConfigException e = failure(SOURCE + "  options: {header: true}\n");
    assertTrue(e.getMessage().contains("source.options apply to a path source"), e.getMessage());
    assertEquals(java.util.Map.of("header", "true", "delimiter", ";"), loaded("source:\n  events: csv:/data/e.csv\n"
        + "  options: {header: true, delimiter: ';'}\n").source().options());

    e = failure(SOURCE + "  columns: {event_id: ~}\n");
    assertTrue(e.getMessage().contains("dedupe_key names 'event_id', which the source does not have"), e.getMessage());
    assertTrue(e.fix().contains("dedupe_key: [user_id, event_name, event_at]"), e.fix());
    e = failure(SOURCE + "  columns: {user_id: ~}\n");
    assertTrue(e.getMessage().contains("source.columns.user_id is empty"), e.getMessage());
    e = failure(SOURCE + "  columns: {properties: props}\nfeatures:\n"
        + "  - {name: a, kind: count, events: [x], where: \"Plan = 'pro'\"}\n"
        + "  - {name: b, kind: count, events: [x], where: \"plan = 'team'\"}\n");
    assertTrue(e.getMessage().contains("one property, two spellings"), e.getMessage());
    e = failure(SOURCE + "features:\n  - {name: a, kind: count, events: [x], where: \"plan = 'pro'\"}\n");
    assertTrue(e.getMessage().contains("source.columns maps no properties column"), e.getMessage());
    e = failure(SOURCE + "  columns: {properties: props}\nfeatures:\n"
        + "  - {name: a, kind: distinct, events: [x], window_days: 7, where: \"plan = 'pro'\"}\n");
    assertTrue(e.getMessage().contains("(distinct) cannot take 'where'"), e.getMessage());
    e = failure(SOURCE + "  columns: {properties: props}\nfeatures:\n"
        + "  - {name: a, kind: count, events: [x], where: \"plan = (select max(p) from t)\"}\n");
    assertTrue(e.getMessage().contains("subquery"), e.getMessage());
    e = failure(SOURCE + "  timestamp_zone: Mars/Olympus\n");
    assertTrue(e.getMessage().contains("unknown timestamp_zone 'Mars/Olympus'"), e.getMessage());
  }

  @Test
  void stitchingNeedsAnAnonymousIdAndTakesAnIdentifyTable() throws IOException {
    ConfigException e = failure(SOURCE + "  identity: {stitch: true}\n");
    assertTrue(e.getMessage().contains("source.identity.stitch needs an anonymous id column"), e.getMessage());
    SourceConfig segment = loaded("source:\n  events: raw.tracks\n  preset: segment\n"
        + "  identity: {stitch: true, table: raw.identifies}\n").source();
    assertEquals("anonymous_id", segment.column("anonymous_id"));
    assertEquals(new SourceConfig.Identity(true, "raw.identifies", "user_id", "anonymous_id"), segment.identity());
    SourceConfig rudder = loaded("source:\n  events: raw.tracks\n  preset: rudderstack\n  identity: {stitch: true,"
        + " table: raw.aliases, columns: {anonymous_id: previous_id}}\n").source();
    assertEquals("previous_id", rudder.identity().anonymousIdColumn());
  }
}
