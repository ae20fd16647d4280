package io.segments.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * One test account with 3M events next to 2,000 ordinary users (97% of all events in one user): the daily run
 * completes in a JVM whose whole heap is 640 MiB (about 100 MiB of execution memory per task), because the one
 * task that gets that user sorts and aggregates by spilling to disk; and its rollup is one row per day and
 * event, the same as a run over the ordinary users alone gives them.
 */
class SkewIT {
  @Test
  void oneUserWithMostEventsDoesNotRunATaskOutOfMemory() throws Exception {
    Path work = Files.createTempDirectory("segments-skew");
    Path config = FaultRecoveryIT.itConfig(work);
    SparkSession spark = SparkSession.builder().master("local[2]").config("spark.ui.enabled", "false")
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        .config("spark.sql.session.timeZone", "UTC").getOrCreate();
    String events = "select concat('e', id) as event_id, %s as user_id,"
        + " element_at(array('create_project', 'comment', 'invite_teammate', 'edit_doc'), cast(id %% 4 as int) + 1)"
        + " as event_name, timestamp'2026-10-29 00:00:00' + make_interval(0, 0, 0, 0, 0, 0, id %% 259200) as event_at,"
        + " cast(null as double) as revenue_usd from range(%d)";
    spark.sql(String.format(events, "'test-account'", 3_000_000))
        .unionByName(spark.sql(String.format(events, "concat('u', id % 2000)", 40_000)))
        .write().parquet(work.resolve("data/events").toString());
    spark.sql("select concat('u', id) as user_id, timestamp'2026-10-01 00:00:00' as signup_at, 'free' as plan,"
        + " 'US' as country, 'a' as account_id, cast(null as string) as email from range(2000)"
        + " union all select 'test-account', timestamp'2026-10-01 00:00:00', 'free', 'US', 'a', null")
        .write().parquet(work.resolve("data/users").toString());

    Path warehouse = work.resolve("warehouse");
    assertEquals(0, FaultRecoveryIT.runWithHeap("640m", config, warehouse, "run", "--as-of", FaultRecoveryIT.D),
        "the run completes; log in " + warehouse.resolveSibling("warehouse-run.log"));
    List<Row> perDay = spark.read().format("delta").load(warehouse.resolve("segments.db/user_daily_activity").toString())
        .where("user_id = 'test-account'").groupBy("activity_date").count().where("count <> 4").collectAsList();
    assertEquals(List.of(), perDay, "one row per day and event name for the test account");
    Row total = spark.read().format("delta").load(warehouse.resolve("segments.db/user_daily_activity").toString())
        .where("user_id = 'test-account'").selectExpr("sum(event_count)").first();
    assertEquals(3_000_000L, total.getLong(0), "every event of the test account rolled up once");
  }
}
