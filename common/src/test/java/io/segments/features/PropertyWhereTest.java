package io.segments.features;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.segments.SparkTestBase;
import io.segments.config.PipelineConfig;
import io.segments.config.PropertyFilters;
import io.segments.rollup.DailyRollup;
import io.segments.stage.EventStager;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * Features filtered on event properties, from raw events through stage, rollup and features, against values worked
 * by hand; and each shape of properties column (JSON string, map, struct, GA4's key/value array) read alike.
 */
class PropertyWhereTest extends SparkTestBase {
  private static final LocalDate AS_OF = LocalDate.of(2026, 10, 3);
  private static final Instant NOW = Instant.parse("2026-10-04T00:00:00Z");

  private PipelineConfig config() throws Exception {
    return loadConfig("""
        source:
          events: unused
          columns: {event_id: id, user_id: uid, event_name: name, event_at: ts, revenue: amount, properties: props}
        features:
          - {name: pricing_views, kind: count, events: [page_view], where: "path = '/pricing'", window_days: 7}
          - {name: pricing_days, kind: active_days, events: [page_view], where: "path = '/pricing'", window_days: 7}
          - {name: days_since_pricing, kind: recency, events: [page_view], where: "path = '/pricing'"}
          - {name: pro_revenue, kind: sum, events: [purchase], where: "plan = 'pro' and cast(seats as int) >= 5"}
          - {name: views, kind: count, events: [page_view], window_days: 7}
          - {name: pricing_then_pro, kind: sequence, first: page_view, first_where: "path = '/pricing'",
             then: purchase, then_where: "plan = 'pro'", within_days: 7}
          - {name: pricing_then_enterprise, kind: sequence, first: page_view, first_where: "path = '/pricing'",
             then: purchase, then_where: "plan = 'enterprise'", within_days: 7}
        segments:
          - {name: pricing_viewers, rule: "pricing_views >= 1"}
        """);
  }

  private static final StructType RAW = new StructType().add("id", DataTypes.StringType)
      .add("uid", DataTypes.StringType).add("name", DataTypes.StringType).add("ts", DataTypes.StringType)
      .add("amount", DataTypes.DoubleType).add("props", DataTypes.StringType);

  @Test
  void aPropertyFilteredFeatureEqualsTheValueWorkedByHand() throws Exception {
    PipelineConfig config = config();
    assertEquals(List.of("path", "plan", "seats"), PropertyFilters.properties(config.features()));
    Dataset<Row> raw = frame(RAW,
        row("e1", "u1", "page_view", "2026-10-01 09:00:00", null, "{\"path\": \"/pricing\"}"),
        row("e2", "u1", "page_view", "2026-10-01 09:05:00", null, "{\"path\": \"/pricing\", \"ref\": \"ad\"}"),
        row("e3", "u1", "page_view", "2026-10-01 10:00:00", null, "{\"path\": \"/docs\"}"),
        row("e4", "u1", "purchase", "2026-10-02 12:00:00", 49.0, "{\"plan\": \"pro\", \"seats\": 5}"),
        row("e5", "u1", "purchase", "2026-10-03 12:00:00", 9.0, "{\"plan\": \"basic\", \"seats\": 1}"),
        row("e6", "u1", "purchase", "2026-10-03 13:00:00", 99.0, "{\"plan\": \"pro\", \"seats\": 2}"),
        row("e7", "u1", "page_view", "2026-10-03 08:00:00", null, "{\"path\": \"/pricing\"}"),
        row("e8", "u2", "page_view", "2026-10-02 08:00:00", null, "{\"path\": \"/docs\"}"),
        row("e9", "u2", "page_view", "2026-10-02 09:00:00", null, null));
    EventStager.Staged staged = EventStager.stage(spark(), raw, config.source(), AS_OF, NOW,
        PropertyFilters.properties(config.features()));
    Dataset<Row> rollup = DailyRollup.compute(staged.events());
    assertEquals(List.of("path", "plan", "seats"), DailyRollup.carried(rollup));
    assertEquals(2L, rollup.where("user_id = 'u1' and activity_date = date'2026-10-01'").count(),
        "one rollup row per property value: /pricing (2 events) and /docs");
    List<Row> features = sorted(new FeatureBuilder(config.features(), config.rfmMap())
        .build(rollup, null, List.of(AS_OF)), "user_id");
    Row u1 = features.get(0);
    assertEquals(3L, u1.<Long>getAs("pricing_views"));
    assertEquals(2L, u1.<Long>getAs("pricing_days"));
    assertEquals(Integer.valueOf(0), u1.<Integer>getAs("days_since_pricing"));
    assertEquals(49.0, u1.<Double>getAs("pro_revenue"), 1e-9, "pro with 5 seats only: e4, not e6 (2 seats)");
    assertEquals(4L, u1.<Long>getAs("views"), "without a where every page_view counts");
    assertEquals(true, u1.<Boolean>getAs("pricing_then_pro"));
    assertEquals(false, u1.<Boolean>getAs("pricing_then_enterprise"));
    Row u2 = features.get(1);
    assertEquals(0L, u2.<Long>getAs("pricing_views"));
    org.junit.jupiter.api.Assertions.assertNull(u2.getAs("days_since_pricing"));
    assertEquals(2L, u2.<Long>getAs("views"));
    assertEquals(false, u2.<Boolean>getAs("pricing_then_pro"));
  }

  /** The path property of each event, with the properties column in the given shape. */
  private List<String> paths(Dataset<Row> props) throws Exception {
    PipelineConfig config = config();
    Dataset<Row> raw = props.selectExpr("'e' || n as id", "'u' as uid", "'page_view' as name",
        "'2026-10-01 09:00:00' as ts", "cast(null as double) as amount", "props");
    return sorted(EventStager.stage(spark(), raw, config.source(), AS_OF, NOW, List.of("path", "plan"))
        .events(), "event_id").stream().map(r -> r.<Row>getAs("properties").getString(0)).toList();
  }

  @Test
  void mapsStructsJsonStringsAndKeyValueArraysAreReadAlike() throws Exception {
    List<String> expected = java.util.Arrays.asList("/pricing", null);
    assertEquals(expected, paths(spark().sql("select 1 as n, map('path', '/pricing', 'plan', 'pro') as props"
        + " union all select 2, map('ref', 'x')")), "map");
    assertEquals(expected, paths(spark().sql("select 1 as n, named_struct('path', '/pricing', 'n', 3) as props"
        + " union all select 2, named_struct('path', cast(null as string), 'n', 4)")), "struct");
    assertEquals(expected, paths(spark().sql("select 1 as n, '{\"path\":\"/pricing\"}' as props"
        + " union all select 2, '{\"ref\":1}'")), "JSON string");
    assertEquals(expected, paths(spark().sql("select 1 as n, array(named_struct('key', 'path', 'value',"
        + " named_struct('string_value', '/pricing', 'int_value', cast(null as bigint), 'double_value',"
        + " cast(null as double)))) as props union all select 2, array(named_struct('key', 'ga_session_id', 'value',"
        + " named_struct('string_value', cast(null as string), 'int_value', 17L, 'double_value',"
        + " cast(null as double))))")), "GA4 event_params");
  }
}
