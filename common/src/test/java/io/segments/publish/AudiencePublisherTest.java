package io.segments.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.delta.tables.DeltaTable;
import io.segments.SparkTestBase;
import io.segments.config.AudienceSpec;
import io.segments.config.ConfigLoader;
import io.segments.config.PipelineConfig;
import io.segments.config.SegmentSpec;
import io.segments.config.SourceConfig;
import io.segments.config.ValidateConfig;
import io.segments.io.Warehouse;
import io.segments.step.PublishGuardException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** Publishing: hashed identifiers, allowed columns per audience, the change feed and the guard. */
class AudiencePublisherTest extends SparkTestBase {
  private static final StructType MEMBERSHIP = new StructType()
      .add("as_of_date", DataTypes.DateType).add("user_id", DataTypes.StringType)
      .add("segment", DataTypes.StringType).add("family", DataTypes.StringType)
      .add("entered_on", DataTypes.DateType);
  private static final StructType USERS = new StructType()
      .add("user_id", DataTypes.StringType).add("email", DataTypes.StringType).add("plan", DataTypes.StringType);
  private static final StructType KNOWN = new StructType().add("user_id", DataTypes.StringType);

  private static PipelineConfig config(String database) {
    return config(database, List.of(new AudienceSpec("fans_ads", "fans", List.of("plan"), List.of("email"), "test"),
        new AudienceSpec("others_crm", "others", List.of(), List.of(), "test")));
  }

  private static PipelineConfig config(String database, List<AudienceSpec> audiences) {
    return config(database, audiences, "score > 5");
  }

  private static PipelineConfig config(String database, List<AudienceSpec> audiences, String fansRule) {
    List<SegmentSpec> segments = List.of(
        new SegmentSpec("fans", "tier", 1, fansRule, null, 0, "", "", "", "", "", "test"),
        new SegmentSpec("others", "tier", 2, "score > 0", null, 0, "", "", "", "", "", "test"));
    return new PipelineConfig(Path.of("test.yaml"), Map.of(), "UTC", database,
        new SourceConfig("e", Map.of(), "users", List.of(), 24, 0.05), List.of(), segments, audiences,
        new ValidateConfig(List.of(), null, 7, null, 30, 200, 15, false), 0.5, 28, 7,
        ConfigLoader.DEFAULT_RFM_MAP, null, 240);
  }

  private Dataset<Row> users() {
    return frame(USERS, row("u1", "  Alice@Example.com ", "pro"), row("u2", null, "free"), row("u3", "", "free"),
        row("u4", "d@example.com", "team"), row("u5", "e@example.com", "free"));
  }

  private void publish(PipelineConfig config, Warehouse warehouse, Dataset<Row> membership, boolean allow) {
    AudiencePublisher publisher = new AudiencePublisher(config);
    Dataset<Row> known = frame(KNOWN, row("u1"), row("u2"), row("u3"), row("u4"), row("u5"));
    AudiencePublisher.Plan plan = publisher.plan(warehouse, membership, known, users(), LocalDate.of(2026, 5, 2));
    try {
      publisher.guard(plan, allow);
      publisher.write(warehouse, plan, LocalDate.of(2026, 5, 2), "run-1");
    } finally {
      plan.audienceMembers().unpersist(); // as the publish step frees them
      plan.userSegments().unpersist();
    }
  }

  @Test
  void aLocalSessionsCachedMergeSourcesAreNotCopiedAgain() throws Exception {
    Warehouse warehouse = new Warehouse(spark(), "publish_no_copy");
    spark().sql("create database if not exists publish_no_copy");
    publish(config("publish_no_copy"), warehouse, mayFirst(), false);
    java.util.List<String> jobs = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    org.apache.spark.scheduler.SparkListener listener = new org.apache.spark.scheduler.SparkListener() {
      @Override
      public void onJobStart(org.apache.spark.scheduler.SparkListenerJobStart job) {
        jobs.add(String.valueOf(job.properties().getProperty("spark.job.description")));
      }
    };
    spark().sparkContext().addSparkListener(listener);
    try {
      publish(config("publish_no_copy"), warehouse, mayFirst().where("user_id <> 'u4'"), true);
      spark().sparkContext().listenerBus().waitUntilEmpty(10_000);
    } finally {
      spark().sparkContext().removeSparkListener(listener);
    }
    org.junit.jupiter.api.Assertions.assertTrue(jobs.stream().anyMatch(d -> d.contains("MERGE")), "the publish's MERGEs ran: " + jobs);
    org.junit.jupiter.api.Assertions.assertTrue(jobs.stream().noneMatch(d -> d.contains("materialize source")),
        "the MERGE sources are cached on the driver's own executor: Delta copies none, " + jobs);
    assertEquals(List.of("fans_ads u1"), warehouse.read("audience_members").where("audience = 'fans_ads'")
        .select("audience", "user_id").collectAsList().stream().map(r -> r.getString(0) + " " + r.getString(1))
        .toList(), "u4 left fans_ads");
  }

  /** The first publish of the republish tests: u1 and u4 fans, u5 in others. */
  private Dataset<Row> mayFirst() {
    return frame(MEMBERSHIP,
        row(day("2026-05-01"), "u1", "fans", "tier", day("2026-05-01")),
        row(day("2026-05-01"), "u4", "fans", "tier", day("2026-05-01")),
        row(day("2026-05-01"), "u5", "others", "tier", day("2026-05-01")));
  }

  @Test
  void hashesTrimmedLowerCaseEmailsOnlyWhereAllowedAndNeverEmptyOnes() throws Exception {
    PipelineConfig config = config("pub_hash");
    Warehouse warehouse = new Warehouse(spark(), "pub_hash");
    publish(config, warehouse, frame(MEMBERSHIP,
        row(day("2026-05-02"), "u1", "fans", "tier", day("2026-05-01")),
        row(day("2026-05-02"), "u2", "fans", "tier", day("2026-05-01")),
        row(day("2026-05-02"), "u3", "fans", "tier", day("2026-05-02")),
        row(day("2026-05-02"), "u4", "others", "tier", day("2026-05-02"))), false);
    Map<String, Row> rows = new java.util.HashMap<>();
    warehouse.read("audience_members").collectAsList().forEach(r -> rows.put(r.<String>getAs("user_id"), r));
    assertEquals("ff8d9819fc0e12bf0d24892e45987e249a28dce836a85cad60e28eaaa8c6d976", rows.get("u1").getAs("email_sha256"),
        "sha256('alice@example.com')");
    assertEquals("pro", rows.get("u1").getAs("plan"));
    assertNull(rows.get("u2").getAs("email_sha256"), "no email: no hash");
    assertNull(rows.get("u3").getAs("email_sha256"), "empty email: no hash of ''");
    assertNull(rows.get("u4").getAs("email_sha256"), "others_crm does not export email");
    assertNull(rows.get("u4").getAs("plan"), "others_crm does not export plan");
    assertEquals(5, warehouse.read("user_segments").count(), "one row per known user");
    assertEquals(3, spark().table("pub_hash.audience_fans_ads").count(), "the view holds fans_ads only");
    Map<String, String> tableComments = Map.of("audience_members", "Current members of each audience",
        "user_segments", "One row per known user", "segment_catalog", "One row per segment");
    for (Map.Entry<String, String> table : tableComments.entrySet()) {
      assertEquals("true", spark().sql("show tblproperties pub_hash." + table.getKey()
          + " ('delta.enableChangeDataFeed')").first().getString(1), "change data feed on " + table.getKey());
      org.junit.jupiter.api.Assertions.assertTrue(spark().catalog().getTable("pub_hash", table.getKey())
          .description().startsWith(table.getValue()), "the table's comment: " + table.getKey());
    }
    Map<String, String> comments = new java.util.HashMap<>();
    spark().catalog().listColumns("pub_hash.audience_members").collectAsList()
        .forEach(c -> comments.put(c.name(), c.description()));
    assertEquals("Day the user entered the segment (stable while the user stays)", comments.get("entered_on"));
    assertNull(comments.get("plan"), "an export attribute has no comment of ours");
    assertEquals(List.of("CREATE TABLE AS SELECT", "SET TBLPROPERTIES", "MERGE"),
        spark().sql("describe history pub_hash.segment_catalog").orderBy("version").select("operation")
            .as(org.apache.spark.sql.Encoders.STRING()).collectAsList(),
        "a first publish: the table with its column comments, its comment and change feed, the rows");
    assertEquals("segments.as_of_date=2026-05-02", spark().sql("describe history pub_hash.segment_catalog limit 1")
        .first().<String>getAs("userMetadata").split("\n")[0], "the MERGE's commit notes the as-of day");
  }

  @Test
  void aRepublishCountsChangedUserSegmentsAndMissingEmailsAndKeepsTheViews() throws Exception {
    PipelineConfig config = config("pub_again");
    Warehouse warehouse = new Warehouse(spark(), "pub_again");
    publish(config, warehouse, mayFirst(), false);
    var view = new org.apache.spark.sql.catalyst.TableIdentifier("audience_fans_ads", scala.Option.apply("pub_again"));
    long created = spark().sessionState().catalog().getTableMetadata(view).createTime();

    Dataset<Row> membership = frame(MEMBERSHIP,
        row(day("2026-05-02"), "u1", "fans", "tier", day("2026-05-01")),
        row(day("2026-05-02"), "u2", "fans", "tier", day("2026-05-02")),
        row(day("2026-05-02"), "u3", "fans", "tier", day("2026-05-02")),
        row(day("2026-05-02"), "u5", "fans", "tier", day("2026-05-02")),
        row(day("2026-05-02"), "u4", "others", "tier", day("2026-05-02")));
    AudiencePublisher publisher = new AudiencePublisher(config);
    AudiencePublisher.Plan plan = publisher.plan(warehouse, membership,
        frame(KNOWN, row("u1"), row("u2"), row("u3"), row("u4"), row("u5")), users(), LocalDate.of(2026, 5, 2));
    assertEquals(5, plan.userSegmentsBefore());
    assertEquals(4, plan.userSegmentsChanged(), "u2 and u3 got a segment, u4 and u5 changed theirs; u1 kept fans");
    assertEquals(List.of("audience 'fans_ads': 2 members without email, left out of its ad export (email_sha256 null)"),
        plan.notes(), "u2 has no email and u3 an empty one");
    publisher.write(warehouse, plan, LocalDate.of(2026, 5, 2), "run-2");
    assertEquals(created, spark().sessionState().catalog().getTableMetadata(view).createTime(),
        "an unchanged view is not replaced");
    assertEquals(4, spark().table("pub_again.audience_fans_ads").count(), "the view shows the new members");

    // fans_ads no longer exports plan: audience_members loses the column, and so does the view.
    PipelineConfig withoutPlan = config("pub_again", List.of(
        new AudienceSpec("fans_ads", "fans", List.of(), List.of("email"), "test"), config.audiences().get(1)));
    publish(withoutPlan, warehouse, membership, true);
    assertEquals(List.of("audience", "user_id", "segment", "entered_on", "email_sha256"),
        List.of(spark().table("pub_again.audience_fans_ads").columns()), "the view follows the table's columns");
  }

  private void publishOn(PipelineConfig config, Warehouse warehouse, Dataset<Row> membership, String day) {
    AudiencePublisher publisher = new AudiencePublisher(config);
    Dataset<Row> known = frame(KNOWN, row("u1"), row("u2"), row("u3"), row("u4"), row("u5"));
    AudiencePublisher.Plan plan = publisher.plan(warehouse, membership, known, users(), LocalDate.parse(day));
    publisher.write(warehouse, plan, LocalDate.parse(day), "run-" + day);
  }

  private Map<String, String> catalog(String database) {
    Map<String, String> rows = new java.util.TreeMap<>();
    spark().sql("select segment, size, size_change, definition_changed_on, last_refreshed_on from " + database
        + ".segment_catalog").collectAsList().forEach(r -> rows.put(r.getString(0), r.getLong(1) + " "
            + r.get(2) + " " + r.getDate(3) + " " + r.getDate(4)));
    return rows;
  }

  @Test
  void theCatalogsSizeChangeIsSinceThePublishBeforeAndADefinitionChangeIsDated() {
    Warehouse warehouse = new Warehouse(spark(), "pub_catalog");
    publishOn(config("pub_catalog"), warehouse, mayFirst(), "2026-05-01");
    assertEquals(Map.of("fans", "2 null 2026-05-01 2026-05-01", "others", "1 null 2026-05-01 2026-05-01"),
        catalog("pub_catalog"), "a first publish has no size change");
    Dataset<Row> three = frame(MEMBERSHIP, row(day("2026-05-02"), "u1", "fans", "tier", day("2026-05-01")),
        row(day("2026-05-02"), "u4", "fans", "tier", day("2026-05-01")),
        row(day("2026-05-02"), "u5", "fans", "tier", day("2026-05-02")));
    publishOn(config("pub_catalog"), warehouse, three, "2026-05-02");
    assertEquals(Map.of("fans", "3 1 2026-05-01 2026-05-02", "others", "0 -1 2026-05-01 2026-05-02"),
        catalog("pub_catalog"));
    publishOn(config("pub_catalog"), warehouse, frame(MEMBERSHIP,
        row(day("2026-05-02"), "u1", "fans", "tier", day("2026-05-01"))), "2026-05-02");
    assertEquals(Map.of("fans", "1 -1 2026-05-01 2026-05-02", "others", "0 -1 2026-05-01 2026-05-02"),
        catalog("pub_catalog"), "a rerun of the day compares with the publish before it");
    PipelineConfig stricter = config("pub_catalog", config("pub_catalog").audiences(), "score > 7");
    publishOn(stricter, warehouse, three, "2026-05-03");
    assertEquals(Map.of("fans", "3 2 2026-05-03 2026-05-03", "others", "0 0 2026-05-01 2026-05-03"),
        catalog("pub_catalog"), "fans' rule changed on 05-03");
    // A catalog published by an older version, without a column of today's: replaced whole, its history kept.
    warehouse.overwrite(warehouse.read("segment_catalog").drop("refresh_cadence"), "segment_catalog");
    publishOn(stricter, warehouse, mayFirst(), "2026-05-04");
    assertEquals(Map.of("fans", "2 -1 2026-05-03 2026-05-04", "others", "1 1 2026-05-01 2026-05-04"),
        catalog("pub_catalog"), "the columns changed");
  }

  @Test
  void theChangeFeedHoldsExactlyWhoEnteredAndLeft() {
    PipelineConfig config = config("pub_cdf");
    Warehouse warehouse = new Warehouse(spark(), "pub_cdf");
    publish(config, warehouse, mayFirst(), false);
    long before = DeltaTable.forName(spark(), "pub_cdf.audience_members").history(1).first().getAs("version");
    publish(config, warehouse, frame(MEMBERSHIP,
        row(day("2026-05-02"), "u1", "fans", "tier", day("2026-05-01")),
        row(day("2026-05-02"), "u5", "fans", "tier", day("2026-05-02")),
        row(day("2026-05-02"), "u4", "others", "tier", day("2026-05-02"))), true);
    List<String> changes = spark().sql("select audience, user_id, _change_type from"
            + " table_changes('pub_cdf.audience_members', " + (before + 1) + ") where _change_type <> 'update_preimage'"
            + " order by audience, user_id, _change_type").collectAsList().stream()
        .map(r -> r.getString(0) + " " + r.getString(1) + " " + r.getString(2)).toList();
    assertEquals(List.of("fans_ads u4 delete", "fans_ads u5 insert", "others_crm u4 insert", "others_crm u5 delete"),
        changes, "u1 stayed and is not resent");
  }

  @Test
  void anAudienceNoLongerConfiguredIsRemovedWithoutTrippingTheGuard() {
    Warehouse warehouse = new Warehouse(spark(), "pub_removed");
    Dataset<Row> members = frame(MEMBERSHIP,
        row(day("2026-05-01"), "u1", "fans", "tier", day("2026-05-01")),
        row(day("2026-05-01"), "u5", "others", "tier", day("2026-05-01")));
    publish(config("pub_removed"), warehouse, members, false);
    PipelineConfig fansOnly = config("pub_removed",
        List.of(new AudienceSpec("fans_ads", "fans", List.of("plan"), List.of("email"), "test")));
    publish(fansOnly, warehouse, members, false);
    assertEquals(List.of("fans_ads"), warehouse.read("audience_members").select("audience").distinct()
        .as(org.apache.spark.sql.Encoders.STRING()).collectAsList(), "others_crm's rows are gone, fans_ads kept");
  }

  @Test
  void theGuardRefusesAShrinkAndLeavesThePublishedTablesAlone() {
    PipelineConfig config = config("pub_guard");
    Warehouse warehouse = new Warehouse(spark(), "pub_guard");
    publish(config, warehouse, frame(MEMBERSHIP,
        row(day("2026-05-01"), "u1", "fans", "tier", day("2026-05-01")),
        row(day("2026-05-01"), "u2", "fans", "tier", day("2026-05-01")),
        row(day("2026-05-01"), "u3", "fans", "tier", day("2026-05-01")),
        row(day("2026-05-01"), "u5", "others", "tier", day("2026-05-01"))), false);
    long version = DeltaTable.forName(spark(), "pub_guard.audience_members").history(1).first().getAs("version");
    PublishGuardException e = assertThrows(PublishGuardException.class, () -> publish(config, warehouse,
        frame(MEMBERSHIP,
            row(day("2026-05-02"), "u1", "fans", "tier", day("2026-05-01")),
            row(day("2026-05-02"), "u5", "others", "tier", day("2026-05-01"))), false));
    assertEquals(true, e.getMessage().contains("audience 'fans_ads' would change by 67% of its 3 members (0 entered,"
        + " 2 left, 1 after; limit 50%)"), e.getMessage());
    assertEquals(true, e.getMessage().contains("--allow-large-change"), e.getMessage());
    assertEquals(version, (long) DeltaTable.forName(spark(), "pub_guard.audience_members").history(1).first()
        .getAs("version"), "no commit");
    assertEquals(4, warehouse.read("audience_members").count());
  }

  @Test
  void sqlKeywordsAndMixedCaseAsNamesAreQuotedWhereTheyMeetSql() {
    List<SegmentSpec> segments = List.of(
        new SegmentSpec("from", "order", 1, "score > 5", null, 0, "", "", "", "", "", "test"),
        new SegmentSpec("Select", "order", 2, "score > 0", null, 0, "", "", "", "", "", "test"));
    List<AudienceSpec> audiences = List.of(new AudienceSpec("table", "from", List.of("plan"), List.of(), "test"),
        new AudienceSpec("Where", "Select", List.of(), List.of(), "test"));
    PipelineConfig config = new PipelineConfig(Path.of("test.yaml"), Map.of(), "UTC", "group",
        new SourceConfig("e", Map.of(), "users", List.of(), 24, 0.05), List.of(), segments, audiences,
        new ValidateConfig(List.of(), null, 7, null, 30, 200, 15, false), 1.0, 28, 7,
        ConfigLoader.DEFAULT_RFM_MAP, null, 240);
    Warehouse warehouse = new Warehouse(spark(), "group");
    for (String day : List.of("2026-05-01", "2026-05-02")) {
      publish(config, warehouse, frame(MEMBERSHIP,
          row(day(day), "u1", "from", "order", day("2026-05-01")),
          row(day(day), "u2", day.endsWith("1") ? "from" : "Select", "order", day("2026-05-01"))), true);
    }
    assertEquals(List.of("from", "Select"), sorted(spark().table("`group`.`user_segments`")
        .where("user_id in ('u1', 'u2')"), "user_id").stream().map(r -> r.<String>getAs("order")).toList(),
        "the family column named order, merged twice");
    assertEquals(1, spark().table("`group`.`audience_table`").count(), "the view of audience 'table'");
    assertEquals(1, spark().table("`group`.`audience_Where`").count(), "the view of audience 'Where'");
  }

  @Test
  void theGuardMeasuresChurnSoASwapOfTheSameSizeTripsIt() {
    PipelineConfig config = config("pub_swap");
    Warehouse warehouse = new Warehouse(spark(), "pub_swap");
    publish(config, warehouse, frame(MEMBERSHIP,
        row(day("2026-05-01"), "u1", "fans", "tier", day("2026-05-01")),
        row(day("2026-05-01"), "u2", "fans", "tier", day("2026-05-01")),
        row(day("2026-05-01"), "u3", "others", "tier", day("2026-05-01"))), false);
    PublishGuardException e = assertThrows(PublishGuardException.class, () -> publish(config, warehouse,
        frame(MEMBERSHIP,
            row(day("2026-05-02"), "u4", "fans", "tier", day("2026-05-02")),
            row(day("2026-05-02"), "u5", "fans", "tier", day("2026-05-02")),
            row(day("2026-05-02"), "u3", "others", "tier", day("2026-05-01"))), false));
    assertEquals(true, e.getMessage().contains("audience 'fans_ads' would change by 200% of its 2 members (2 entered,"
        + " 2 left, 2 after"), e.getMessage());
    assertEquals(false, e.getMessage().contains("others_crm"), "others_crm did not change: " + e.getMessage());
    assertEquals(List.of("u1", "u2"), sorted(warehouse.read("audience_members").where("audience = 'fans_ads'"),
        "user_id").stream().map(r -> r.<String>getAs("user_id")).toList(), "nothing was published");
  }

  @Test
  void theGuardCoversUserSegments() {
    PipelineConfig config = new PipelineConfig(Path.of("test.yaml"), Map.of(), "UTC", "pub_users",
        new SourceConfig("e", Map.of(), "users", List.of(), 24, 0.05), List.of(), config("x").segments(),
        List.of(new AudienceSpec("others_crm", "others", List.of(), List.of(), "test")),
        new ValidateConfig(List.of(), null, 7, null, 30, 200, 15, false), 0.5, 28, 7,
        ConfigLoader.DEFAULT_RFM_MAP, null, 240);
    Warehouse warehouse = new Warehouse(spark(), "pub_users");
    publish(config, warehouse, frame(MEMBERSHIP,
        row(day("2026-05-01"), "u1", "fans", "tier", day("2026-05-01")),
        row(day("2026-05-01"), "u2", "fans", "tier", day("2026-05-01")),
        row(day("2026-05-01"), "u3", "fans", "tier", day("2026-05-01")),
        row(day("2026-05-01"), "u5", "others", "tier", day("2026-05-01"))), false);
    PublishGuardException e = assertThrows(PublishGuardException.class, () -> publish(config, warehouse,
        frame(MEMBERSHIP, row(day("2026-05-02"), "u5", "others", "tier", day("2026-05-01"))), false),
        "the only audience is unchanged, but three of five users lose their segment");
    assertEquals(true, e.getMessage().contains("user_segments would change 3 of its 5 rows (60%, limit 50%)"),
        e.getMessage());
  }
}
