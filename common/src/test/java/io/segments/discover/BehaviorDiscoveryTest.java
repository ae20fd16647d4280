package io.segments.discover;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;

import static org.junit.jupiter.api.Assertions.assertThrows;
import org.junit.jupiter.api.Assertions;

import io.segments.SparkTestBase;
import io.segments.config.ConfigException;
import io.segments.config.ConfigLoader;
import io.segments.config.PipelineConfig;
import io.segments.io.Warehouse;
import io.segments.pipeline.DailyPipeline;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Discover on generated events with a planted value moment: users who invite a teammate on their first 3 days are
 * engaged (active every day from day 3) 60% of the time against 25%; a decoy (connect_integration on day 0) adds 15
 * points, but only for the cohorts of the first 30 days. 3,000 users over 60 cohort days, events to day 100.
 */
class BehaviorDiscoveryTest extends SparkTestBase {
  private static final LocalDate DAY0 = LocalDate.of(2026, 1, 1);

  private void events() {
    if (new Warehouse(spark(), "disc_src").exists("events")) {
      return;
    }
    spark().range(3000).selectExpr("id", "concat('u', id) as user_id", "date_add(date'2026-01-01', cast(id % 60 as int)) as cohort",
            "pmod(hash(id, 'invite'), 1000) / 1000.0 as u_invite", "pmod(hash(id, 'decoy'), 1000) / 1000.0 as u_decoy",
            "pmod(hash(id, 'engaged'), 1000) / 1000.0 as u_engaged")
        .selectExpr("*", "u_invite < 0.4 as invited", "u_decoy < 0.4 as decoy", "id % 60 < 30 as first_half")
        .selectExpr("*", "u_engaged < 0.25 + (case when invited then 0.35 else 0 end)"
            + " + (case when decoy and first_half then 0.15 else 0 end) as engaged")
        .createOrReplaceTempView("disc_users");
    // signup at 09:00 of the cohort day; invites on day 0..2 (planted), late invites on day 5 (no effect)
    Warehouse source = new Warehouse(spark(), "disc_src");
    source.overwrite(spark().sql("""
        select * from (
          select user_id, 'signup' as event_name, timestamp(cohort) + interval 9 hours as event_at from disc_users
          union all
          select user_id, 'invite_teammate', timestamp(date_add(cohort, cast(u_invite * 7.5 as int) % 3))
                 + interval 10 hours from disc_users where invited
          union all
          select user_id, 'invite_teammate', timestamp(date_add(cohort, 5)) + interval 10 hours from disc_users
          where not invited and u_invite > 0.8
          union all
          select user_id, 'connect_integration', timestamp(cohort) + interval 11 hours from disc_users where decoy
          union all
          select user_id, 'view_report', timestamp(date_add(cohort, 1)) + interval 12 hours from disc_users
          union all
          select user_id, 'view_report', timestamp(date_add(cohort, d)) + interval 12 hours
          from disc_users lateral view explode(sequence(3, 99)) t as d where engaged
        ) where event_at < timestamp'2026-04-11'""")
        .selectExpr("concat(user_id, event_name, cast(event_at as string)) as event_id", "user_id", "event_name",
            "event_at", "cast(0 as double) as revenue_usd"), "events");
  }

  private static PipelineConfig config(Path dir, String database, String include) throws Exception {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("local.yaml"), """
        database: %s
        time_zone: UTC
        source:
          events: disc_src.events
          columns: {event_id: event_id, user_id: user_id, event_name: event_name, event_at: event_at, revenue: revenue_usd}
        segments_state: {replay_days: 3}
        validate: {min_size: 100, retention_gap_points: 15}
        features:
          - {name: tenure_days, kind: tenure}
        segments:
          - {name: everyone, rule: "tenure_days >= 0"}
        %s
        """.formatted(database, include == null ? "" : "include: [" + include + "]"));
    return ConfigLoader.load(dir.resolve("local.yaml"));
  }

  private void run(PipelineConfig config, LocalDate asOf, EnumSet<DailyPipeline.Step> steps) {
    new DailyPipeline(config, spark(), new PrintStream(new ByteArrayOutputStream()))
        .run(new DailyPipeline.RunOptions(asOf, null, true, false, steps, false, true));  // the fixture's last day is quiet
  }

  @Test
  void ranksThePlantedBehaviorFirstFlagsTheDecoyAndSuggestsAFamilyThatPassesValidate() throws Exception {
    spark().sql("create database if not exists disc_src");
    events();
    Path dir = Files.createTempDirectory("discover");
    PipelineConfig config = config(dir, "disc_a", null);
    run(config, DAY0.plusDays(100), EnumSet.of(DailyPipeline.Step.STAGE));
    Warehouse warehouse = new Warehouse(spark(), "disc_a");
    BehaviorDiscovery.Answer answer = new BehaviorDiscovery(config, warehouse, null)
        .answer(new BehaviorDiscovery.Options(Outcome.RETAINED_D30, 3, null, null));
    BehaviorDiscovery.Result result = answer.result();
    FamilySuggestion.Suggestion suggestion = answer.suggestion();
    CandidateTable.write(warehouse, result);
    assertEquals(DAY0.plusDays(1), result.from(), "not the rollup's first day: its users may predate the data");
    assertEquals(DAY0.plusDays(59), result.to(), "the last cohort whose day 30 is known on day 89, the last day");

    BehaviorDiscovery.Candidate first = result.candidates().get(0);
    assertEquals(new Behavior(Behavior.AT_LEAST, "invite_teammate", null, 1), first.behavior(), "the planted one: " + result.candidates().subList(0, 4));
    Assertions.assertTrue(first.confirmed());
    Assertions.assertTrue(first.earlier().points() > 25 && first.later().points() > 25, first.toString());
    Assertions.assertTrue(first.earlier().lo() > 0 && first.earlier().lo() < first.earlier().points());
    Assertions.assertTrue(result.candidates().stream().noneMatch(c -> c.behavior().equals(
        new Behavior(Behavior.THEN, "signup", "invite_teammate", 3))), "a pair with the same users as a count is shown once");

    BehaviorDiscovery.Candidate decoy = result.candidates().stream()
        .filter(c -> c.behavior().equals(new Behavior(Behavior.AT_LEAST, "connect_integration", null, 1)))
        .findFirst().orElseThrow();
    Assertions.assertTrue(decoy.earlier().points() > 10, decoy.toString());
    Assertions.assertFalse(decoy.confirmed(), "the decoy's difference does not hold on the later cohorts: " + decoy);

    assertEquals(2L * result.candidates().size(), warehouse.read(CandidateTable.TABLE).count(),
        "one row per candidate and half; a second run replaces the outcome's rows");
    assertEquals(first.rank(), warehouse.read(CandidateTable.TABLE)
        .where(col("half").equalTo("later").and(col("behavior").startsWith("invite_teammate at least 1 ")))
        .first().<Integer>getAs("rank"));

    assertEquals(2, suggestion.segments().size(), suggestion.yaml());
    assertEquals("invite_teammate_first_3d >= 1", suggestion.segments().get(0).rule());
    Assertions.assertTrue(suggestion.segments().get(0).retention()[2] - suggestion.segments().get(1).retention()[2] > 0.15);

    // The family as YAML goes through check-config and a run; validate's gap check finds nothing to say about it.
    Files.writeString(dir.resolve("discovered.yaml"), suggestion.yaml());
    PipelineConfig family = config(dir, "disc_b", "discovered.yaml");
    run(family, DAY0.plusDays(62), EnumSet.of(DailyPipeline.Step.FEATURES, DailyPipeline.Step.SEGMENTS));
    run(family, DAY0.plusDays(100), EnumSet.of(DailyPipeline.Step.STAGE));
    run(family, DAY0.plusDays(100), EnumSet.of(DailyPipeline.Step.VALIDATE));
    List<String> warnings = spark().table("disc_b.pipeline_runs").where(col("step").equalTo("validate"))
        .selectExpr("explode(warnings)").as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
    Assertions.assertTrue(warnings.stream().noneMatch(w -> w.contains("'" + suggestion.family() + "'")), warnings.toString());
    Assertions.assertTrue(spark().table("disc_b.segment_outcomes").where(col("segment").equalTo(suggestion.segments().get(0).name())
        .and(col("retention_d30").isNotNull())).count() > 0, "the gap check had day-30 retention to compare");
  }

  @Test
  void retentionIsLookedForOnlyAfterTheEarlyWindow() {
    assertEquals(7, Outcome.RETAINED_D7.firstDayAfter(3), "retained_d7 after 3 first days: active on day 7");
    assertEquals(30, Outcome.RETAINED_D30.firstDayAfter(7));
    assertEquals(0, Outcome.ACTIVATED.firstDayAfter(7), "activation keeps days 0..N; its event is left out");
    assertEquals(3, Outcome.RETAINED_D7.defaultFirstDays());
    ConfigException e = assertThrows(ConfigException.class, () -> Outcome.RETAINED_D7.requireRoom(8,
        new io.segments.config.ValidateConfig(List.of(), null, 7, null, 30, 200, 15, false)));
    Assertions.assertTrue(e.getMessage().contains("--first-days 7"), e.getMessage());
    assertThrows(ConfigException.class, () -> Outcome.parse("retention"));
  }

  @Test
  void onlyWhatAUserDidBeforeTheirFirstActivationCountsAlsoOnThatDay() throws Exception {
    org.apache.spark.sql.types.StructType rollup = new org.apache.spark.sql.types.StructType()
        .add("user_id", "string").add("activity_date", "date").add("event_name", "string")
        .add("event_count", "long").add("revenue_usd", "double").add("first_event_at", "timestamp")
        .add("last_event_at", "timestamp").add("checksum", "long");
    new Warehouse(spark(), "disc_before").overwrite(frame(rollup,
        // u1 comments at 09:00, invites at 10:00, then comments twice more and edits: one comment came before
        row("u1", day("2026-03-01"), "comment", 3L, 0.0, at("2026-03-01 09:00:00"), at("2026-03-01 12:00:00"), 1L),
        row("u1", day("2026-03-01"), "invite_teammate", 1L, 0.0, at("2026-03-01 10:00:00"),
            at("2026-03-01 10:00:00"), 1L),
        row("u1", day("2026-03-01"), "edit_doc", 1L, 0.0, at("2026-03-01 11:00:00"), at("2026-03-01 11:00:00"), 1L),
        row("u2", day("2026-03-02"), "comment", 2L, 0.0, at("2026-03-02 09:00:00"), at("2026-03-02 09:30:00"), 1L),
        row("u3", day("2026-03-12"), "comment", 1L, 0.0, at("2026-03-12 09:00:00"), at("2026-03-12 09:00:00"), 1L)),
        "user_daily_activity");
    PipelineConfig config = loadConfig("""
        database: disc_before
        source: {events: disc_src.events}
        validate: {min_size: 1, activation_event: invite_teammate, activation_days: 7}
        features: [{name: tenure_days, kind: tenure}]
        segments: [{name: everyone, rule: "tenure_days >= 0"}]
        """);
    BehaviorDiscovery.Result result = new BehaviorDiscovery(config, new Warehouse(spark(), "disc_before"), null)
        .discover(new BehaviorDiscovery.Options(Outcome.ACTIVATED, 3, LocalDate.of(2026, 3, 1),
            LocalDate.of(2026, 3, 2)));
    assertEquals(List.of("u1 comment 1"), sorted(result.early().where("user_id = 'u1'"), "event_name").stream()
        .map(r -> r.getAs("user_id") + " " + r.getAs("event_name") + " " + r.getAs("times")).toList(),
        "one comment before the invite; the edit after it is not a behavior of u1");
    assertEquals(0, result.behaviors().where("user_id = 'u1' and (kind = 'at_least' and threshold >= 2 or kind = 'then')")
        .count(),
        "neither 'comment at least 2 times' nor 'comment then edit_doc' for u1");
    BehaviorDiscovery.release(result);
  }

  @Test
  void newcombeIntervalOfADifferenceMatchesThePublishedExample() {
    // Newcombe (1998), Statistics in Medicine 17:873, example (a): 56/70 vs 48/80, method 10: 0.0524 to 0.3339
    Difference d = new Difference(70, 56, 80, 48);
    assertEquals(20.0, d.points(), 1e-9);
    assertEquals(5.24, d.lo(), 0.01);
    assertEquals(33.39, d.hi(), 0.01);
    assertEquals(0.8 / 0.6, d.lift(), 1e-9);
  }

  /**
   * With properties carried (a feature filters page views by path), the planted behavior is a property value: the
   * users who invite (the 40% of the first test) view /pricing on days 0..2, everyone else /docs, so "page_view at
   * least once" tells nobody apart, while "page_view where path = '/pricing'" does.
   */
  @Test
  void aCommonPropertyValueOfTheCarriedPropertiesIsACandidateAndItsWhereIsSuggested() throws Exception {
    spark().sql("create database if not exists disc_src");
    events();
    Warehouse source = new Warehouse(spark(), "disc_src");
    if (!source.exists("events_props")) {
      source.overwrite(spark().sql("""
          select concat(user_id, event_name, cast(event_at as string)) as event_id, user_id, event_name, event_at,
                 cast(0 as double) as revenue_usd, props from (
            select user_id, 'signup' as event_name, timestamp(cohort) + interval 9 hours as event_at,
                   cast(null as map<string, string>) as props from disc_users
            union all
            select user_id, 'page_view', timestamp(date_add(cohort, cast(u_invite * 7.5 as int) % 3))
                   + interval 10 hours, map('path', case when invited then '/pricing' else '/docs' end) from disc_users
            union all
            select user_id, 'view_report', timestamp(date_add(cohort, d)) + interval 12 hours, null
            from disc_users lateral view explode(sequence(3, 99)) t as d where engaged
          ) where event_at < timestamp'2026-04-11'"""), "events_props");
    }
    Path dir = Files.createTempDirectory("discover-props");
    Files.writeString(dir.resolve("local.yaml"), """
        database: disc_p
        time_zone: UTC
        source:
          events: disc_src.events_props
          columns: {revenue: revenue_usd, properties: props}
        validate: {min_size: 100, retention_gap_points: 15}
        features:
          - {name: docs_views, kind: count, events: [page_view], where: "path = '/docs'"}
        segments:
          - {name: everyone, rule: "docs_views >= 0"}
        """);
    PipelineConfig config = ConfigLoader.load(dir.resolve("local.yaml"));
    run(config, DAY0.plusDays(100), EnumSet.of(DailyPipeline.Step.STAGE));
    Warehouse warehouse = new Warehouse(spark(), "disc_p");
    BehaviorDiscovery.Answer answer = new BehaviorDiscovery(config, warehouse, null)
        .answer(new BehaviorDiscovery.Options(Outcome.RETAINED_D30, 3, null, null));
    BehaviorDiscovery.Candidate first = answer.result().candidates().get(0);
    assertEquals(new Behavior(Behavior.AT_LEAST, "page_view", null, 1, "path", "/pricing"), first.behavior(),
        answer.result().candidates().subList(0, 3).toString());
    Assertions.assertTrue(first.confirmed(), first.toString());
    Assertions.assertTrue(answer.result().candidates().stream().noneMatch(c -> c.behavior().equals(
        new Behavior(Behavior.AT_LEAST, "page_view", null, 1))), "every user views a page: no contrast, no candidate");
    String yaml = answer.suggestion().yaml();
    Assertions.assertTrue(yaml.contains("where: \"path = '/pricing'\""), yaml);
    Files.writeString(dir.resolve("discovered.yaml"), yaml);
    Files.writeString(dir.resolve("local.yaml"), Files.readString(dir.resolve("local.yaml"))
        + "include: [discovered.yaml]\n");
    PipelineConfig family = ConfigLoader.load(dir.resolve("local.yaml"));
    Assertions.assertTrue(family.features().stream().anyMatch(f -> "path = '/pricing'".equals(f.filter().events())),
        "the suggested feature passes check-config with its where");
  }
}
