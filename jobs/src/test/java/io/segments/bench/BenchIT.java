package io.segments.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;

/**
 * The bench at a tiny scale: both runs complete, every step has its figures, DuckDB agrees with the pipeline on
 * every user's features (full and incremental), the incremental run equals a full run of its day, and the
 * comparison does catch a single changed value.
 */
class BenchIT {
  @Test
  void benchRunsBothPhasesAndDuckDbAgreesOnEveryUser() throws Exception {
    Path dir = Files.createTempDirectory("segments-bench");
    assertEquals(0, Bench.run(Map.of("users", "3000", "events-per-user", "20", "days", "60",
        "dir", dir.toString(), "config", "../conf/bench.yaml")));

    JsonNode json = new ObjectMapper().readTree(dir.resolve("bench.json").toFile());
    for (String phase : List.of("full", "incremental")) {
      java.util.Set<String> steps = new java.util.LinkedHashSet<>();
      json.path(phase).path("steps").forEach(s -> {
        steps.add(s.path("step").asText());
        assertTrue(s.path("wall_seconds").isNumber() && s.has("shuffle_write_bytes"), phase + " step timed: " + s);
      });
      assertEquals(List.of("stage", "rollup", "features", "segments", "validate", "publish"), List.copyOf(steps), phase);
      assertEquals(0, json.path(phase).path("duckdb").path("mismatched_users").asLong(-1), phase + ": " + json);
      assertTrue(json.path(phase).path("duckdb").path("ratio_feature_computation").isNumber(), phase + ": " + json);
      assertTrue(json.path(phase).path("peak_heap_bytes").asLong() > 0, phase + ": " + json);
    }
    for (String table : List.of("segment_membership", "segment_outcomes", "user_features")) {
      assertTrue(json.path("incremental_equals_full").path(table).asBoolean(false),
          "the daily run equals a full run of its day: " + table + " in " + json);
    }

    // The comparison is not vacuous: the features as of D agree, and one changed value is one mismatched user.
    SparkSession spark = SparkSession.active();
    Path asOfD = dir.resolve("features-d");
    Path tampered = dir.resolve("features-d-tampered");
    var features = spark.read().format("delta").load(dir.resolve("warehouse/bench.db/user_features").toString())
        .where("as_of_date = date'2026-10-31'").drop("as_of_date");
    features.write().parquet(asOfD.toString());
    features.withColumn("events_7d", functions.expr("events_7d + if(user_id = 'u00000000', 1, 0)"))
        .write().parquet(tampered.toString());
    try (DuckDbReference duck = new DuckDbReference(Files.createDirectories(dir.resolve("duck")))) {
      duck.compute(dir.resolve("data/events"), LocalDate.of(2026, 10, 31));
      assertEquals(0, duck.compare(asOfD).mismatches());
      DuckDbReference.Comparison comparison = duck.compare(tampered);
      assertEquals(1, comparison.mismatches(), "a changed count is caught");
      assertTrue(comparison.examples().get(0).contains("u00000000"), comparison.examples().toString());
    }
  }
}
