package io.segments.bench;

import io.segments.config.PipelineConfig;
import io.segments.discover.BehaviorDiscovery;
import io.segments.discover.FamilySuggestion;
import io.segments.discover.Outcome;
import io.segments.io.Warehouse;
import org.apache.spark.sql.SparkSession;

/**
 * {@code ./segments bench --discover}: discover at scale. Writes a rollup of N users with 20 event names straight
 * from Spark SQL (cohort days over 90 days, 2..9 rows of event_00..event_19 in each user's first week; a page_view,
 * the bench config's activity, on day 30 for 25% of users and 60% of those with a row of event_03 counting 2
 * or more), then times
 * {@code discover --outcome retained_d30 --first-days 7}: the one pass over the rollup, the aggregation, the
 * suggestion and the write of behavior_candidates.
 */
final class DiscoverBench {
  private DiscoverBench() {}

  static int run(SparkSession spark, PipelineConfig config, long users) {
    Warehouse warehouse = new Warehouse(spark, config.database());
    long start = System.nanoTime();
    spark.range(users).selectExpr("concat('u', id) as user_id",
            "date_add(date'2026-06-01', cast(pmod(hash(id, 'cohort'), 90) as int)) as cohort",
            "pmod(hash(id, 'rows'), 8) + 2 as rows", "pmod(hash(id, 'engaged'), 1000) / 1000.0 as u")
        .createOrReplaceTempView("bench_users");
    spark.sql("""
        with early as (
          select user_id, cohort, u, date_add(cohort, pmod(hash(user_id, k, 'day'), 7)) as activity_date,
                 concat('event_', lpad(cast(pmod(hash(user_id, k, 'name'), 20) as string), 2, '0')) as event_name,
                 cast(pmod(hash(user_id, k, 'count'), 3) + 1 as long) as event_count
          from bench_users lateral view explode(sequence(1, rows)) t as k
        ),
        planted as (
          select user_id, max(event_name = 'event_03' and event_count >= 2) as planted, first(cohort) as cohort,
                 first(u) as u from early group by user_id
        ),
        later as (
          select user_id, date_add(cohort, 30) as activity_date, 'page_view' as event_name,
                 cast(1 as long) as event_count
          from planted where u < case when planted then 0.6 else 0.25 end
        )
        select user_id, activity_date, event_name, sum(event_count) as event_count, 0.0 as revenue_usd,
               timestamp(activity_date) + interval 9 hours as first_event_at,
               timestamp(activity_date) + interval 17 hours as last_event_at
        from (select user_id, activity_date, event_name, event_count from early union all select * from later)
        group by user_id, activity_date, event_name""").createOrReplaceTempView("bench_rollup");
    warehouse.overwrite(spark.table("bench_rollup"), "user_daily_activity");
    long rows = warehouse.read("user_daily_activity").count();
    System.out.printf("discover bench: rollup of %,d users, 20 event names, %,d rows, written in %.1fs%n", users, rows,
        (System.nanoTime() - start) / 1e9);

    start = System.nanoTime();
    BehaviorDiscovery.Answer answer = new BehaviorDiscovery(config, warehouse, null)
        .answer(new BehaviorDiscovery.Options(Outcome.RETAINED_D30, 7, null, null));
    BehaviorDiscovery.Result result = answer.result();
    FamilySuggestion.Suggestion suggestion = answer.suggestion();
    double seconds = (System.nanoTime() - start) / 1e9;
    BehaviorDiscovery.Candidate best = result.candidates().isEmpty() ? null : result.candidates().get(0);
    System.out.printf("discover retained_d30 --first-days 7: %,d users, %,d candidates, %.1fs; rank 1: %s (%s);"
        + " suggested %d segments%n", result.earlierUsers() + result.laterUsers(), result.candidates().size(), seconds,
        best == null ? "-" : best.behavior().text(7), best == null ? "-" : best.confirmed() ? "confirmed" : "not confirmed",
        suggestion.segments().size());
    return 0;
  }
}
