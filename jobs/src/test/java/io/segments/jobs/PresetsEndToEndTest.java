package io.segments.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Each {@code source.preset} reads a small fixture shaped like its collector's export (src/test/resources/presets,
 * column names and types as the vendor documents them; docs/sources.md) through the {@code features} command
 * (stage, rollup, features: where a preset matters) as of 2026-10-02, and the features equal the values worked
 * by hand from the fixture. Segment's fixture is stitched (an identify
 * table and events carrying both ids), the others keep identity stitching off.
 */
@Tag("slow") // six collectors' fixtures, a features run each: ./segments test --all (CI)
class PresetsEndToEndTest {
  static Path warehouse;
  static final Path FIXTURES = Path.of("src", "test", "resources", "presets").toAbsolutePath();
  static final Map<String, String> CONSOLE = new LinkedHashMap<>();
  /** The fixtures are a few hundred rows: 2 shuffle partitions, not Spark's 200. */
  static final String SMALL = "spark: {spark.sql.shuffle.partitions: 2}\n";

  static int cli(Path config, String... args) {
    List<String> all = new java.util.ArrayList<>(List.of(args));
    all.addAll(List.of("--config", config.toString(), "--warehouse", warehouse.toString()));
    return Main.run(all.toArray(String[]::new));
  }

  /** Writes the preset's config and computes its features, keeping what the run printed. */
  static void run(String preset, String source, String features) throws Exception {
    Path config = warehouse.resolve(preset + ".yaml");
    Files.writeString(config, "database: p_" + preset + "\ntime_zone: UTC\nsegments_state: {replay_days: 1}\n" + SMALL
        + "source:\n  preset: " + preset + "\n" + source + "features:\n" + features
        + "segments:\n  - {name: anyone, rule: \"true\"}\n");
    String text = EndToEnd.printed("features", "--as-of", "2026-10-02", "--config", config.toString(),
        "--warehouse", warehouse.toString());
    System.out.println(text);
    CONSOLE.put(preset, text);
  }

  static Path sql(Path config, String statement) {
    assertEquals(0, cli(config, "sql", statement), statement);
    return config;
  }

  @BeforeAll
  static void runEveryPreset() throws Exception {
    warehouse = Files.createTempDirectory("segments-presets");
    Path setup = warehouse.resolve("setup.yaml");
    Files.writeString(setup, "source: {events: unused.events}\n" + SMALL);
    for (String db : List.of("raw_segment", "raw_rudderstack", "raw_snowplow")) {
      sql(setup, "create database if not exists " + db);
    }
    String stamps = "cast(timestamp as timestamp) as timestamp, cast(original_timestamp as timestamp) as"
        + " original_timestamp, cast(sent_at as timestamp) as sent_at, cast(received_at as timestamp) as received_at";
    for (String preset : List.of("segment", "rudderstack")) {
      sql(setup, "create table raw_" + preset + ".tracks_csv using csv options (path '" + FIXTURES.resolve(preset
          + "_tracks.csv") + "', header 'true')");
      sql(setup, "create table raw_" + preset + ".tracks using delta as select id, anonymous_id, user_id, event,"
          + " event_text, " + stamps + ", context_library_name from raw_" + preset + ".tracks_csv");
    }
    sql(setup, "create table raw_segment.identifies using csv options (path '"
        + FIXTURES.resolve("segment_identifies.csv") + "', header 'true')");
    sql(setup, "create table raw_snowplow.events_csv using csv options (path '"
        + FIXTURES.resolve("snowplow_events.csv") + "', header 'true')");
    sql(setup, "create table raw_snowplow.events using delta as select app_id, platform,"
        + " cast(collector_tstamp as timestamp) as collector_tstamp, cast(dvce_created_tstamp as timestamp) as"
        + " dvce_created_tstamp, cast(derived_tstamp as timestamp) as derived_tstamp, event, event_id, event_name,"
        + " user_id, domain_userid, network_userid, se_category, se_action, cast(tr_total as decimal(18, 2)) as"
        + " tr_total from raw_snowplow.events_csv");
    Path ga4 = warehouse.resolve("landing").resolve("ga4");
    SparkSession.active().read().schema("event_date STRING, event_timestamp BIGINT, event_name STRING,"
            + " event_params ARRAY<STRUCT<key: STRING, value: STRUCT<string_value: STRING, int_value: BIGINT,"
            + " float_value: DOUBLE, double_value: DOUBLE>>>, user_id STRING, user_pseudo_id STRING,"
            + " event_value_in_usd DOUBLE")
        .json(FIXTURES.resolve("ga4_events.jsonl").toString()).write().parquet(ga4.toString());

    String counts = "  - {name: pricing_views, kind: count, events: [viewed_pricing], window_days: 7}\n"
        + "  - {name: projects, kind: count, events: [created_project], window_days: 7}\n";
    run("segment", "  events: raw_segment.tracks\n  identity: {stitch: true, table: raw_segment.identifies}\n",
        counts);
    run("rudderstack", "  events: raw_rudderstack.tracks\n", counts);
    run("snowplow", "  events: raw_snowplow.events\n  columns: {revenue: tr_total}\n",
        "  - {name: views, kind: count, events: [page_view], window_days: 7}\n"
            + "  - {name: spend, kind: sum, events: [transaction], window_days: 7}\n");
    run("ga4", "  events: parquet:" + ga4 + "\n",
        "  - {name: views, kind: count, events: [page_view], window_days: 7}\n"
            + "  - {name: pricing_views, kind: count, events: [page_view], where: \"page_location like '%/pricing'\","
            + " window_days: 7}\n  - {name: spend, kind: sum, events: [purchase], window_days: 7}\n");
    String pricing = "  - {name: pricing_views, kind: count, events: [Viewed Pricing], window_days: 7}\n"
        + "  - {name: pro_pricing_views, kind: count, events: [Viewed Pricing], where: \"plan = 'pro'\","
        + " window_days: 7}\n";
    run("amplitude", "  events: json:" + FIXTURES.resolve("amplitude_export.jsonl") + "\n", pricing);
    run("mixpanel", "  events: json:" + FIXTURES.resolve("mixpanel_export.jsonl") + "\n", pricing);
  }

  /** user_id -> the listed features, as of 2026-10-02. */
  static Map<String, String> features(String preset, String... columns) {
    Map<String, String> values = new java.util.TreeMap<>();
    for (Row r : SparkSession.active().sql("select user_id, " + String.join(", ", columns) + " from p_" + preset
        + ".user_features where as_of_date = date'2026-10-02'").collectAsList()) {
      StringBuilder text = new StringBuilder();
      for (int i = 1; i < r.size(); i++) {
        text.append(i > 1 ? " " : "").append(r.get(i));
      }
      values.put(r.getString(0), text.toString());
    }
    return values;
  }

  @Test
  void segmentStitchesAnonymousEventsByEventsAndTheIdentifiesTable() {
    assertEquals(Map.of("u-1", "1 2", "u-2", "1 0"), features("segment", "pricing_views", "projects"),
        "u-1's pricing view before signing in (anon-a) is theirs; anon-c is u-2 by identifies; ajs-5 counts once");
  }

  @Test
  void rudderstackSetsAnonymousEventsAsideWhenStitchingIsOff() {
    assertEquals(Map.of("w-1", "0 2", "w-2", "0 0"), features("rudderstack", "pricing_views", "projects"));
    assertTrue(CONSOLE.get("rudderstack").contains("set aside 1 events with only an anonymous id"
        + " (source.identity.stitch is off)"), CONSOLE.get("rudderstack"));
  }

  @Test
  void snowplowReadsDerivedTimestampsAndMappedRevenue() {
    assertEquals(Map.of("sp-1", "1 49.0", "sp-2", "1 0.0"), features("snowplow", "views", "spend"));
  }

  @Test
  void ga4ReadsMicrosecondsEventParamsAndKeepsEveryRow() {
    assertEquals(Map.of("g-1", "4 2 49.0", "g-2", "1 1 0.0"), features("ga4", "views", "pricing_views", "spend"),
        "g-1: two docs views of one batch share their microsecond and both count; 23:59:59 UTC is still 2026-10-02");
  }

  @Test
  void amplitudeAndMixpanelFilterOnTheirEventProperties() {
    assertEquals(Map.of("am-1", "2 1", "am-2", "1 1"), features("amplitude", "pricing_views", "pro_pricing_views"),
        "am-2's view at 23:59:59.999 UTC (no offset, read in UTC) is on 2026-10-02");
    assertEquals(Map.of("mp-1", "2 1", "mp-2", "1 1"), features("mixpanel", "pricing_views", "pro_pricing_views"),
        "a repeated $insert_id counts once; time is epoch seconds");
  }
}
