package io.segments.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.segments.PostgresServer;
import io.segments.SparkTestBase;
import io.segments.config.AudienceSpec;
import io.segments.config.ConfigLoader;
import io.segments.config.PipelineConfig;
import io.segments.config.PostgresSinkConfig;
import io.segments.config.SegmentSpec;
import io.segments.config.SourceConfig;
import io.segments.config.ValidateConfig;
import io.segments.io.Warehouse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The PostgreSQL sink against a real server: equal to the Delta audience after a sync, a failed sync, a rerun. */
class PostgresSinkTest extends SparkTestBase {
  private static final StructType MEMBERSHIP = new StructType()
      .add("as_of_date", DataTypes.DateType).add("user_id", DataTypes.StringType)
      .add("segment", DataTypes.StringType).add("family", DataTypes.StringType)
      .add("entered_on", DataTypes.DateType);
  private static final StructType KNOWN = new StructType().add("user_id", DataTypes.StringType);
  private static PostgresServer server;

  @BeforeAll
  static void startPostgres() throws Exception {
    server = PostgresServer.start();
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  private PostgresSinkConfig sinkConfig() {
    return sinkConfig("crm_audience_members");
  }

  private PostgresSinkConfig sinkConfig(String table) {
    return new PostgresSinkConfig(server.url(), "UNUSED", "segments", null, null, table, "test");
  }

  private PipelineConfig config() {
    List<SegmentSpec> segments = List.of(
        new SegmentSpec("fans", "tier", 1, "score > 5", null, 0, "", "", "", "", "", "test"),
        new SegmentSpec("others", "tier", 2, "score > 0", null, 0, "", "", "", "", "", "test"));
    return new PipelineConfig(Path.of("test.yaml"), Map.of(), "UTC", "pg_sink",
        new SourceConfig("e", Map.of(), null, List.of(), 24, 0.05), List.of(), segments,
        List.of(new AudienceSpec("fans", "fans", List.of(), List.of(), "t"),
            new AudienceSpec("others", "others", List.of(), List.of(), "t")),
        new ValidateConfig(List.of(), null, 7, null, 30, 200, 15, false), 0.5, 28, 7, ConfigLoader.DEFAULT_RFM_MAP,
        sinkConfig(), 240);
  }

  private void publish(Warehouse warehouse, LocalDate day, Object[]... members) {
    AudiencePublisher publisher = new AudiencePublisher(config());
    Dataset<Row> known = frame(KNOWN, row("u1"), row("u2"), row("u3"), row("u4"));
    AudiencePublisher.Plan plan = publisher.plan(warehouse, frame(MEMBERSHIP, members), known, null, day);
    publisher.write(warehouse, plan, day, "run");
  }

  private List<String> postgresRows() throws Exception {
    return postgresRows("crm_audience_members");
  }

  private List<String> postgresRows(String quotedTable) throws Exception {
    List<String> rows = new ArrayList<>();
    try (Connection connection = DriverManager.getConnection(server.url(), "segments", "");
        ResultSet result = connection.createStatement().executeQuery(
            "select audience, user_id, segment, entered_on from " + quotedTable + " order by 1, 2")) {
      while (result.next()) {
        rows.add(result.getString(1) + "|" + result.getString(2) + "|" + result.getString(3) + "|"
            + result.getDate(4));
      }
    }
    return rows;
  }

  private List<String> deltaRows(Warehouse warehouse) {
    return sorted(warehouse.read("audience_members"), "audience", "user_id").stream()
        .map(r -> r.getString(0) + "|" + r.getString(1) + "|" + r.getString(2) + "|" + r.getDate(3)).toList();
  }

  @Test
  void postgresEqualsTheDeltaAudienceAfterARunAFailedRunAndARerun() throws Exception {
    Warehouse warehouse = new Warehouse(spark(), "pg_sink");
    publish(warehouse, LocalDate.of(2026, 5, 1),
        row(day("2026-05-01"), "u1", "fans", "tier", day("2026-05-01")),
        row(day("2026-05-01"), "u2", "fans", "tier", day("2026-05-01")),
        row(day("2026-05-01"), "u3", "others", "tier", day("2026-05-01")));
    PostgresSink.Sync first = new PostgresSink(sinkConfig()).sync(warehouse);
    assertEquals(true, first.fullLoad());
    assertEquals(deltaRows(warehouse), postgresRows());

    publish(warehouse, LocalDate.of(2026, 5, 2),
        row(day("2026-05-02"), "u1", "fans", "tier", day("2026-05-01")),
        row(day("2026-05-02"), "u2", "others", "tier", day("2026-05-02")),
        row(day("2026-05-02"), "u4", "fans", "tier", day("2026-05-02")));
    List<String> before = postgresRows();
    assertThrows(IllegalStateException.class, () -> new PostgresSink(sinkConfig(), 2).sync(warehouse),
        "the injected failure after two statements aborts the transaction");
    assertEquals(before, postgresRows(), "a failed sync leaves the previous state");

    PostgresSink.Sync rerun = new PostgresSink(sinkConfig()).sync(warehouse);
    assertEquals(deltaRows(warehouse), postgresRows());
    assertEquals(2, rerun.deleted(), "fans/u2 and others/u3 left");
    assertEquals(2, rerun.upserted(), "others/u2 and fans/u4 entered; u1 unchanged is not resent");
    assertEquals(0, new PostgresSink(sinkConfig()).sync(warehouse).upserted(), "nothing new: nothing applied");
  }

  @Test
  void aSchemaQualifiedMixedCaseTableIsFoundAgainAndSyncedIncrementally() throws Exception {
    try (Connection connection = DriverManager.getConnection(server.url(), "segments", "")) {
      connection.createStatement().execute("create schema if not exists crm");
    }
    Warehouse warehouse = new Warehouse(spark(), "pg_sink_qualified");
    publish(warehouse, LocalDate.of(2026, 5, 1),
        row(day("2026-05-01"), "u1", "fans", "tier", day("2026-05-01")),
        row(day("2026-05-01"), "u3", "others", "tier", day("2026-05-01")));
    PostgresSinkConfig sink = sinkConfig("crm.AudienceMembers");
    assertEquals(true, new PostgresSink(sink).sync(warehouse).fullLoad(), "the first sync loads the table");
    publish(warehouse, LocalDate.of(2026, 5, 2),
        row(day("2026-05-02"), "u1", "fans", "tier", day("2026-05-01")),
        row(day("2026-05-02"), "u4", "fans", "tier", day("2026-05-02")));
    PostgresSink.Sync second = new PostgresSink(sink).sync(warehouse);
    assertEquals(false, second.fullLoad(), "crm.\"AudienceMembers\" is recognized as existing: no drop and reload");
    assertEquals(1, second.deleted());
    assertEquals(1, second.upserted());
    assertEquals(deltaRows(warehouse), postgresRows("crm.\"AudienceMembers\""));
  }

  @Test
  void aLostChangeFeedOrARecreatedTableFallsBackToAFullReloadWithAWarning() throws Exception {
    Warehouse warehouse = new Warehouse(spark(), "pg_sink_lost");
    PostgresSinkConfig sink = sinkConfig("lost_audience");
    publish(warehouse, LocalDate.of(2026, 5, 1), row(day("2026-05-01"), "u1", "fans", "tier", day("2026-05-01")));
    new PostgresSink(sink).sync(warehouse);
    // A publish while the change feed was off (say someone turned it off by hand) recorded no change data.
    spark().sql("alter table pg_sink_lost.audience_members set tblproperties ('delta.enableChangeDataFeed' = 'false')");
    publish(warehouse, LocalDate.of(2026, 5, 2), row(day("2026-05-02"), "u2", "fans", "tier", day("2026-05-02")));
    spark().sql("alter table pg_sink_lost.audience_members set tblproperties ('delta.enableChangeDataFeed' = 'true')");
    PostgresSink.Sync lost = new PostgresSink(sink).sync(warehouse);
    assertEquals(true, lost.fullLoad(), "a version without change data: reload");
    assertEquals(true, lost.warning().contains("the change data feed of audience_members for versions "),
        lost.warning());
    assertEquals(deltaRows(warehouse), postgresRows("lost_audience"));

    try (Connection connection = DriverManager.getConnection(server.url(), "segments", "")) {
      connection.createStatement().execute("update segments_sync_state set delta_version = 999"
          + " where target_table = 'lost_audience'");
    }
    PostgresSink.Sync recreated = new PostgresSink(sink).sync(warehouse);
    assertEquals(true, recreated.fullLoad());
    assertEquals(true, recreated.warning().contains("before the synced version 999 (the table was recreated)"),
        recreated.warning());
    assertEquals(deltaRows(warehouse), postgresRows("lost_audience"));

    // Dropped and rebuilt: the version may land anywhere; the table id tells.
    spark().sql("drop table pg_sink_lost.audience_members");
    publish(warehouse, LocalDate.of(2026, 5, 3), row(day("2026-05-03"), "u3", "fans", "tier", day("2026-05-03")));
    PostgresSink.Sync rebuilt = new PostgresSink(sink).sync(warehouse);
    assertEquals(true, rebuilt.fullLoad(), "a new table id means a full reload");
    assertEquals(true, rebuilt.warning().contains("audience_members was recreated (Delta table id"), rebuilt.warning());
    assertEquals(deltaRows(warehouse), postgresRows("lost_audience"));
  }

  @Test
  void moreDeletesThanOneBatchAllApply() throws Exception {
    Warehouse warehouse = new Warehouse(spark(), "pg_sink_batch");
    PostgresSinkConfig sink = sinkConfig("batch_audience");
    Object[][] many = new Object[2500][];
    for (int i = 0; i < many.length; i++) {
      many[i] = row(day("2026-05-01"), "u" + i, "fans", "tier", day("2026-05-01"));
    }
    publish(warehouse, LocalDate.of(2026, 5, 1), many);
    new PostgresSink(sink).sync(warehouse);
    publish(warehouse, LocalDate.of(2026, 5, 2), row(day("2026-05-02"), "u1", "fans", "tier", day("2026-05-01")));
    PostgresSink.Sync sync = new PostgresSink(sink).sync(warehouse);
    assertEquals(2499, sync.deleted());
    assertEquals(deltaRows(warehouse), postgresRows("batch_audience"));
  }
}
