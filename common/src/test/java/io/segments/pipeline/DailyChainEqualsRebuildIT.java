package io.segments.pipeline;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;

import io.segments.SparkTestBase;
import io.segments.config.PipelineConfig;
import io.segments.generate.EventGenerator;
import io.segments.io.Warehouse;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * The contract "a chain of daily runs and a rebuild give the same tables, also after a config edit between them":
 * one chain of daily runs, everyday edits before each (validate's events and windows, the time zone, the
 * vocabulary, the bot filter, a feature's window and its where, a segment's rule, the lookback; two a day), late
 * events arriving every day within the lookback; after each daily run, {@code run --full} of the same day must leave
 * every published and internal table as the daily run left it (the ledger and the lock aside, and the run ids).
 */
class DailyChainEqualsRebuildIT extends SparkTestBase {
  private static final LocalDate FIRST = LocalDate.of(2026, 6, 20);
  private static final String BASE = """
      time_zone: UTC
      database: chain
      source:
        events: chain_src.events
        columns: {revenue: revenue_usd, properties: props}
        vocabulary: [signup, invite_teammate, create_doc, edit_doc, comment, connect_integration,
                     create_report, view_report, hit_paywall, upgrade, cancel]
        lookback_days: 2
      segments_state: {replay_days: 3, replay_chunk_days: 3}
      features:
        - {name: comments_recent, kind: count, events: [comment, edit_doc], window_days: 7}
        - {name: pro_reports, kind: count, events: [view_report], where: "plan = 'pro'", window_days: 7}
        - {name: active_days_14d, kind: active_days, window_days: 14}
        - {name: days_since_last_event, kind: recency}
      segments:
        - {name: writers, family: engagement, priority: 1, rule: comments_recent >= 3}
        - {name: readers, family: engagement, priority: 2, rule: pro_reports >= 1}
        - {name: quiet, rule: active_days_14d <= 2}
      audiences:
        - {name: writers, segment: writers}
      validate:
        active_events: [create_doc, edit_doc, comment, view_report]
        activation_event: invite_teammate
        activation_days: 7
        conversion_event: upgrade
        conversion_days: 30
        min_size: 1
      publish: {max_change_share: 1.0}
      """;

  /** The edits, applied one after another, one before each daily run. */
  private static final Map<String, UnaryOperator<String>> EDITS = new LinkedHashMap<>();

  static {
    EDITS.put("validate.active_events", c -> c.replace("active_events: [create_doc, edit_doc, comment, view_report]",
        "active_events: [edit_doc]"));
    EDITS.put("validate's windows", c -> c.replace("activation_days: 7", "activation_days: 3")
        .replace("conversion_days: 30", "conversion_days: 14"));
    EDITS.put("time_zone", c -> c.replace("time_zone: UTC", "time_zone: Asia/Tokyo"));
    EDITS.put("source.vocabulary", c -> c.replace("[signup, invite_teammate", "[signup, create_project, invite_teammate"));
    EDITS.put("source.bot_filter", c -> c.replace("  lookback_days: 2",
        "  lookback_days: 2\n  bot_filter: {max_events_per_day: 6}"));
    EDITS.put("a feature's window", c -> c.replace("events: [comment, edit_doc], window_days: 7",
        "events: [comment, edit_doc], window_days: 10"));
    EDITS.put("a feature's where", c -> c.replace("plan = 'pro'", "plan = 'free'"));
    EDITS.put("a segment's rule", c -> c.replace("rule: comments_recent >= 3", "rule: comments_recent >= 2"));
    EDITS.put("source.lookback_days", c -> c.replace("lookback_days: 2", "lookback_days: 4"));
  }

  @Test
  void afterEachEverydayEditADailyRunLeavesTheTablesARebuildOfItsDayLeaves() throws Exception {
    Dataset<Row> all = EventGenerator.events(spark(), new EventGenerator.Spec(150, FIRST.plusDays(EDITS.size()), 40, 5,
            "UTC"))
        .withColumn("props", expr("to_json(named_struct('plan', if(abs(hash(event_id)) % 3 = 0, 'pro', 'free')))"))
        .withColumn("arrives_on", expr("date_add(to_date(event_at), if(abs(hash(event_id, 'late')) % 8 = 0, 1, 0))"))
        .localCheckpoint();
    String yaml = BASE;
    arrive(all, FIRST);
    run(loadConfig(yaml), FIRST, false);
    List<String> differing = new ArrayList<>();
    LocalDate day = FIRST;
    List<Map.Entry<String, UnaryOperator<String>>> edits = List.copyOf(EDITS.entrySet());
    for (int i = 0; i < edits.size(); i += 2) {
      // Two edits a day (each run pays the pipeline's fixed cost); a difference names both.
      List<Map.Entry<String, UnaryOperator<String>>> today = edits.subList(i, Math.min(edits.size(), i + 2));
      day = day.plusDays(1);
      for (Map.Entry<String, UnaryOperator<String>> edit : today) {
        String edited = edit.getValue().apply(yaml);
        if (edited.equals(yaml)) {
          throw new IllegalStateException("the edit of " + edit.getKey() + " changes nothing");
        }
        yaml = edited;
      }
      Map.Entry<String, UnaryOperator<String>> edit = Map.entry(String.join(" and ",
          today.stream().map(Map.Entry::getKey).toList()), UnaryOperator.identity());
      PipelineConfig config = loadConfig(yaml);
      arrive(all, day);
      run(config, day, false);
      Map<String, Dataset<Row>> chain = tables();
      run(config, day, true);
      Map<String, Dataset<Row>> rebuilt = tables();
      org.junit.jupiter.api.Assertions.assertTrue(chain.keySet().containsAll(List.of("user_daily_activity",
          "user_features", "user_feature_state", "segment_membership", "segment_history", "segment_outcomes",
          "user_activity_state", "retention_cell_days", "audience_members", "user_segments", "segment_catalog")),
          "every table is compared: " + chain.keySet());
      if (!chain.keySet().equals(rebuilt.keySet())) {
        differing.add(edit.getKey() + ": tables " + chain.keySet() + " against " + rebuilt.keySet());
      }
      for (String table : chain.keySet()) {
        Dataset<Row> expected = rebuilt.get(table);
        long missing = expected.exceptAll(chain.get(table)).count();
        long extra = chain.get(table).exceptAll(expected).count();
        if (missing + extra > 0) {
          differing.add(String.format("after the edit of %s, %s on %s: %d rows only in the rebuild, %d only in the"
              + " daily run, e.g. %s", edit.getKey(), table, day, missing, extra,
              expected.exceptAll(chain.get(table)).limit(2).collectAsList()));
        }
      }
    }
    org.junit.jupiter.api.Assertions.assertEquals(List.of(), differing);
  }

  /** The source as it stands at the end of {@code day}: the events that have arrived by then. */
  private void arrive(Dataset<Row> all, LocalDate day) {
    new Warehouse(spark(), "chain_src").overwrite(all.where(col("arrives_on").leq(java.sql.Date.valueOf(day)))
        .drop("arrives_on"), "events");
  }

  private void run(PipelineConfig config, LocalDate day, boolean full) {
    new DailyPipeline(config, spark(), new PrintStream(new ByteArrayOutputStream())).run(new DailyPipeline.RunOptions(
        day, null, true, full, EnumSet.allOf(DailyPipeline.Step.class), false));
  }

  /** Every table of the output database as it is now (materialized), without the ledger, the lock and run ids. */
  private Map<String, Dataset<Row>> tables() throws Exception {
    Map<String, Dataset<Row>> tables = new java.util.TreeMap<>();
    for (org.apache.spark.sql.catalog.Table table : spark().catalog().listTables("chain").collectAsList()) {
      if (table.isTemporary() || table.tableType().equals("VIEW")
          || List.of("pipeline_runs", "pipeline_lock").contains(table.name())) {
        continue;
      }
      tables.put(table.name(), spark().table("chain." + table.name()).drop("run_id", "written_at").localCheckpoint());
    }
    return tables;
  }
}
