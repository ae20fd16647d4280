package io.segments.features;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.sum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import org.junit.jupiter.api.Assertions;

import io.segments.SparkTestBase;
import io.segments.config.ConfigLoader;
import io.segments.config.FeatureKind;
import io.segments.config.FeatureSpec;
import io.segments.config.PipelineConfig;
import io.segments.config.PropertyFilters;
import io.segments.io.FaultPoint;
import io.segments.io.Warehouse;
import io.segments.rollup.DailyRollup;
import io.segments.stage.EventStager;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Features carried day to day in user_feature_state (every carried kind), over 15 daily runs of generated events with late arrivals
 * (within the lookback, and one far older), a crash after the state's write and signed-up users without events:
 * the runs compared give exactly what the all-history computation gives, a daily run reads a fraction of the
 * rollup, and the chain leaves the state a rebuild from all history gives.
 */
class FeatureStateTest extends SparkTestBase {
  private static final StructType RAW = new StructType().add("id", DataTypes.StringType)
      .add("uid", DataTypes.StringType).add("name", DataTypes.StringType).add("ts", DataTypes.StringType)
      .add("amount", DataTypes.DoubleType).add("props", DataTypes.StringType);
  private static final StructType SIGNUPS = new StructType().add("user_id", DataTypes.StringType)
      .add("signup_at", DataTypes.TimestampType);
  private static final List<String> NAMES = List.of("page_view", "page_view", "add_to_cart", "purchase");
  private static final LocalDate START = LocalDate.of(2026, 1, 1);
  private static final LocalDate FIRST = LocalDate.of(2026, 5, 9);
  private static final LocalDate LAST = LocalDate.of(2026, 5, 23);
  private static final LocalDate VERY_LATE = LocalDate.of(2026, 5, 14);
  /** The day VERY_LATE's purchase arrives: six days late, beyond the lookback. */
  private static final LocalDate ARRIVES = LocalDate.of(2026, 5, 20);

  private PipelineConfig config() throws Exception {
    return loadConfig("""
        source:
          events: unused
          columns: {event_id: id, user_id: uid, event_name: name, event_at: ts, revenue: amount, properties: props}
          lookback_days: 2
          vocabulary: [page_view, add_to_cart, purchase]
        features:
          - {name: views_7d, kind: count, events: [page_view], window_days: 7}
          - {name: events_all, kind: count}
          - {name: pro_carts_14d, kind: count, events: [add_to_cart], where: "plan = 'pro'", window_days: 14}
          - {name: active_10d, kind: active_days, window_days: 10}
          - {name: active_60d, kind: active_days, window_days: 60}
          - {name: revenue_30d, kind: sum, events: [purchase], window_days: 30}
          - {name: revenue_all, kind: sum, events: [purchase]}
          - {name: days_since_purchase, kind: recency, events: [purchase]}
          - {name: tenure_days, kind: tenure}
          - {name: weekend_share, kind: share, window_days: 14, days_of_week: [sat, sun]}
          - {name: views_trend, kind: trend, events: [page_view], window_days: 7, previous_days: 14}
          - {name: cart_then_purchase, kind: sequence, first: add_to_cart, then: purchase, within_days: 3}
          - {name: pro_cart_then_purchase, kind: sequence, first: add_to_cart, first_where: "plan = 'pro'",
             then: purchase, within_days: 1}
          - {name: rfm, kind: rfm, events: [purchase], window_days: 21}
          - {name: kinds_14d, kind: distinct, window_days: 14}
          - {name: shop_kinds_30d, kind: distinct, events: [add_to_cart, purchase, add_to_cart], window_days: 30}
          - {name: clv, kind: purchase_summary, events: [purchase]}
          - {name: weekly_streak, kind: streak, period: week, min_events: 1}
          - {name: busy_day_streak, kind: streak, period: day, min_events: 2}
          - {name: views_3_of_4_weeks, kind: regularly, events: [page_view], period: week, periods: 4, min_periods: 3,
             min_events: 2}
          - {name: active_2_of_5_days, kind: regularly, period: day, periods: 5, min_periods: 2, min_events: 1}
          - {name: cart_without_purchase, kind: sequence, mode: not_followed_by, first: add_to_cart, then: purchase,
             within_days: 4}
          - {name: purchase_without_view, kind: sequence, mode: not_followed_by, first: purchase, then: page_view,
             within_days: 20}
          - {name: bought_soon_after_signup, kind: sequence, first: add_to_cart, then: purchase, within_days: 2,
             within_days_of_signup: 20}
          - {name: buyer_score, kind: expression, expression: "revenue_all * 2 + events_all"}
        segments:
          - {name: any, rule: "events_all >= 1"}
        """);
  }

  @Tag("slow") // a chain of daily runs against all history: ./segments test --all (CI), not the everyday command
  @Test
  void aChainOfDailyRunsGivesWhatAllHistoryGivesThroughLateEventsAndACrash() throws Exception {
    PipelineConfig config = config();
    FeatureBuilder builder = new FeatureBuilder(config.features(), config.rfmMap(), config.source().vocabulary());
    FeatureState state = builder.state(config.source().lookbackDays());
    assertNotNull(state, "every kind of this config is carried");
    Warehouse warehouse = new Warehouse(spark(), "features_daily");
    List<Row> events = events();
    Dataset<Row> signups = frame(SIGNUPS, row("u3", at("2026-03-20 10:00:00")), row("u41", at("2026-05-10 09:00:00")),
        row("u42", at("2026-07-01 09:00:00")));
    rollup(warehouse, config, events, FIRST.minusDays(1), null);

    for (LocalDate day = FIRST; !day.isAfter(LAST); day = day.plusDays(1)) {
      boolean veryLate = day.equals(ARRIVES);
      rollup(warehouse, config, events, day, veryLate ? null : day.minusDays(config.source().lookbackDays()));
      if (day.equals(LocalDate.of(2026, 5, 12))) {
        LocalDate crashed = day;
        FaultPoint.failAfter(FeatureState.TABLE, 1);
        assertThrows(IllegalStateException.class,
            () -> state.compute(warehouse, activity(warehouse), crashed, DailyRollup.texts(DailyRollup.storedFingerprints(warehouse)), false)
                .columns().count());
        FaultPoint.failAfter(null, 0);
      }
      Dataset<Row> activity = activity(warehouse);
      FeatureState.Computed computed = state.compute(warehouse, activity, day,
          DailyRollup.texts(DailyRollup.storedFingerprints(warehouse)), day.equals(FIRST));
      if (checked(day)) {
        assertSameTable(builder.build(activity, signups, List.of(day)),
            builder.build(computed.columns(), signups, day), "user_features as of " + day);
      }
      // what it read, in events of the rollup days read: all of them on a rebuild, a few days' otherwise
      long all = activity.where(col("activity_date").leq(java.sql.Date.valueOf(day))).agg(sum("event_count"))
          .first().getLong(0);
      if (day.equals(FIRST) || veryLate) {
        Assertions.assertTrue(computed.eventsRead() >= all, day + ": rebuilt from all history, read "
            + computed.eventsRead() + " events of " + all);
      } else if (day.isAfter(ARRIVES.plusDays(1))) {
        Assertions.assertTrue(computed.eventsRead() < all * 0.6, day + ": read " + computed.eventsRead() + " of "
            + all + " events");
      }
      computed.release();
    }

    Warehouse rebuilt = new Warehouse(spark(), "features_rebuilt");
    rebuilt.overwriteNoting(warehouse.read("user_daily_activity"), "user_daily_activity",
        warehouse.note("user_daily_activity"));
    state.compute(rebuilt, activity(rebuilt), LAST, DailyRollup.texts(DailyRollup.storedFingerprints(rebuilt)), true)
        .release();
    assertSameTable(rebuilt.read(FeatureState.TABLE), warehouse.read(FeatureState.TABLE),
        "the carried state is the state rebuilt from all history");
  }

  @Test
  void aConfigWithAKindThatNeedsAllHistoryHasNoState() {
    FeatureSpec between = new FeatureSpec("between", FeatureKind.SEQUENCE, List.of(), 0, "a", "b", 3, 0,
        "days_between", List.of(), 0, 1, 0, 0, false, null, "test");
    FeatureSpec count = new FeatureSpec("n", FeatureKind.COUNT, List.of(), 7, null, null, 0, 0, "followed_by",
        List.of(), 0, 1, 0, 0, false, null, "test");
    assertNull(new FeatureBuilder(List.of(count, between), ConfigLoader.DEFAULT_RFM_MAP).state(0));
    assertNotNull(new FeatureBuilder(List.of(count), ConfigLoader.DEFAULT_RFM_MAP).state(0));
    FeatureSpec anyName = new FeatureSpec("kinds", FeatureKind.DISTINCT, List.of(), 7, null, null, 0, 0,
        "followed_by", List.of(), 0, 1, 0, 0, false, null, "test");
    assertNull(new FeatureBuilder(List.of(anyName), ConfigLoader.DEFAULT_RFM_MAP).state(0),
        "distinct over any event name, without a vocabulary");
    assertNotNull(new FeatureBuilder(List.of(anyName), ConfigLoader.DEFAULT_RFM_MAP, List.of("a", "b")).state(0),
        "distinct over the vocabulary's names");
  }

  /**
   * The days compared with all history (each costs seconds): the first and the last, the crash day (its rerun), the
   * day the very late events arrive, and a Sunday and a Monday (the ends of an ISO week). The state of every day
   * feeds the last one's, which is compared too.
   */
  private static boolean checked(LocalDate day) {
    return day.equals(FIRST) || day.equals(LAST)
        || day.getMonthValue() == 5 && List.of(12, 17, 18, 20).contains(day.getDayOfMonth());
  }

  private static Dataset<Row> activity(Warehouse warehouse) {
    return warehouse.read("user_daily_activity");
  }

  /** The rollup after a run as of {@code asOf} that staged the events arrived by then, from {@code readFrom}. */
  private void rollup(Warehouse warehouse, PipelineConfig config, List<Row> events, LocalDate asOf,
      LocalDate readFrom) {
    List<Row> arrived = new ArrayList<>();
    for (Row event : events) {
      LocalDate day = LocalDate.parse(event.getString(3).substring(0, 10));
      LocalDate arrives = LocalDate.parse(event.getString(6));
      if (!arrives.isAfter(asOf) && !day.isAfter(asOf) && (readFrom == null || !day.isBefore(readFrom))) {
        arrived.add(RowFactory.create(event.get(0), event.get(1), event.get(2), event.get(3), event.get(4),
            event.get(5)));
      }
    }
    EventStager.Staged staged = EventStager.stage(spark(), spark().createDataFrame(arrived, RAW), config.source(),
        asOf, Instant.parse(asOf.plusDays(1) + "T00:00:00Z"), PropertyFilters.properties(config.features()));
    DailyRollup.refresh(warehouse, staged.events(), false, readFrom, asOf,
        DailyRollup.storedFingerprints(warehouse));
  }

  /**
   * Events of 40 users from START to LAST, each with the day it arrives (a seventh of them a day or two late),
   * and one purchase of VERY_LATE that arrives six days after it, older than the lookback.
   */
  private static List<Row> events() {
    List<Row> rows = new ArrayList<>();
    for (LocalDate day = START; !day.isAfter(LAST); day = day.plusDays(1)) {
      for (int user = 0; user < 40; user++) {
        Random random = new Random(day.toEpochDay() * 100 + user);
        int count = random.nextInt(3) == 0 ? 1 + random.nextInt(4) : 0;
        for (int i = 0; i < count; i++) {
          String name = NAMES.get(random.nextInt(NAMES.size()));
          String ts = String.format("%s %02d:%02d:00", day, random.nextInt(24), random.nextInt(60));
          Double amount = name.equals("purchase") ? (1 + random.nextInt(999_999_999)) / 1e8 : null;
          String props = "{\"plan\": \"" + (random.nextBoolean() ? "pro" : "basic") + "\"}";
          LocalDate arrives = random.nextInt(7) == 0 ? day.plusDays(1 + random.nextInt(2)) : day;
          rows.add(RowFactory.create(day + "-" + user + "-" + i, "u" + user, name, ts, amount, props,
              arrives.toString()));
        }
      }
    }
    rows.add(RowFactory.create("very-late", "u7", "purchase", VERY_LATE + " 12:00:00", 12.34, "{\"plan\": \"pro\"}",
        ARRIVES.toString()));
    return rows;
  }

  /** The same schema and the same rows (as many of each). */
  private static void assertSameTable(Dataset<Row> expected, Dataset<Row> actual, String what) {
    assertEquals(expected.schema(), actual.schema(), what + ": schema");
    assertSameRows(expected, actual, what);
  }
}
