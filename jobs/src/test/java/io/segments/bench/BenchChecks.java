package io.segments.bench;

import static org.apache.spark.sql.functions.col;

import io.segments.config.PipelineConfig;
import io.segments.pipeline.DailyPipeline;
import java.nio.file.Path;
import java.sql.Date;
import java.time.LocalDate;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** The bench's correctness checks: the pipeline's features against DuckDB's, and a daily run against a full one. */
final class BenchChecks {
  private BenchChecks() {}

  /** The tables a daily run must leave as a full run of the same day would, with the rows of that day. */
  private static final Map<String, String> EQUAL_TABLES = Map.of("user_features", "as_of_date = :day",
      "segment_membership", "as_of_date = :day", "segment_outcomes", "true");

  /**
   * Reruns the incremental run's day as a full run (from all events) and compares, per table, the rows count and
   * an order-free checksum of all columns before and after: the incremental run must equal the full one.
   */
  static Map<String, Object> incrementalEqualsFull(SparkSession spark, PipelineConfig config, LocalDate day) {
    Map<String, long[]> incremental = checksums(spark, config, day);
    Bench.printf("%nfull rerun as of %s, to compare with the incremental run%n", day);
    long start = System.nanoTime();
    new DailyPipeline(config, spark, new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))
        .run(new DailyPipeline.RunOptions(day, null, true, true, EnumSet.allOf(DailyPipeline.Step.class), false));
    Map<String, long[]> full = checksums(spark, config, day);
    Map<String, Object> json = new LinkedHashMap<>();
    incremental.forEach((table, figures) -> {
      boolean equal = java.util.Arrays.equals(figures, full.get(table));
      Bench.printf("  %-19s incremental %,d rows, full %,d rows: %s%n", table, figures[0], full.get(table)[0],
          equal ? "equal" : "DIFFER");
      json.put(table, equal);
    });
    Bench.printf("  (full rerun %.1f s)%n", Bench.seconds(start));
    return json;
  }

  private static Map<String, long[]> checksums(SparkSession spark, PipelineConfig config, LocalDate day) {
    Map<String, long[]> sums = new java.util.TreeMap<>();
    EQUAL_TABLES.forEach((table, where) -> {
      Row row = spark.sql("select count(*), coalesce(sum(xxhash64(*)), 0) from " + config.database() + "." + table
          + " where " + where, Map.of("day", Date.valueOf(day))).first();
      sums.put(table, new long[] {row.getLong(0), row.getLong(1)});
    });
    return sums;
  }

  /** Runs the DuckDB reference as of the phase's day and compares it with user_features of that day. */
  static Map<String, Object> compareWithDuckDb(SparkSession spark, PipelineConfig config, DuckDbReference duck,
      Path dir, LocalDate asOf, List<Map<String, Object>> steps, double seconds) throws Exception {
    Path exported = dir.resolve("pipeline-features");
    spark.table(config.database() + ".user_features").where(col("as_of_date").equalTo(Date.valueOf(asOf)))
        .drop("as_of_date").write().mode("overwrite").parquet(exported.toString());
    double duckSeconds = duck.compute(dir.resolve("data/events"), asOf);
    DuckDbReference.Comparison comparison = duck.compare(exported);
    double features = steps.stream().filter(s -> s.get("step").equals("features"))
        .mapToDouble(s -> (Double) s.get("wall_seconds")).sum();
    double upToFeatures = steps.stream().takeWhile(s -> !s.get("step").equals("segments"))
        .mapToDouble(s -> (Double) s.get("wall_seconds")).sum();
    Bench.printf("  duckdb     %9.1f s for the same features as of %s: %,d users; pipeline %,d users; %,d differ%n",
        duckSeconds, asOf, comparison.referenceRows(), comparison.pipelineRows(), comparison.mismatches());
    comparison.examples().forEach(e -> Bench.printf("    differs: %s%n", e));
    Bench.printf("  ratio pipeline/duckdb: stage+rollup+features %.2f, features step %.2f, whole run %.2f%n",
        upToFeatures / duckSeconds, features / duckSeconds, seconds / duckSeconds);
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("seconds", Bench.round(duckSeconds));
    json.put("reference_rows", comparison.referenceRows());
    json.put("pipeline_rows", comparison.pipelineRows());
    json.put("mismatched_users", comparison.mismatches());
    json.put("mismatch_examples", comparison.examples());
    json.put("ratio_feature_computation", Bench.round(upToFeatures / duckSeconds));
    json.put("ratio_features_step", Bench.round(features / duckSeconds));
    json.put("ratio_whole_run", Bench.round(seconds / duckSeconds));
    return json;
  }
}
