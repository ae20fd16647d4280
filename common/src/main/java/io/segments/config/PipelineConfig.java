package io.segments.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The whole validated configuration of one environment. Parsed once by {@link ConfigLoader}; nothing below
 * the jobs reads raw YAML.
 *
 * <p>Precedence: command-line options (e.g. {@code --warehouse}) override the environment file
 * ({@code conf/local.yaml}, {@code conf/cluster.yaml}), which overrides the defaults documented in
 * {@code conf/local.yaml}.
 *
 * @param file the environment file it came from
 * @param spark Spark settings applied when the job builds its session (master, warehouse, ...)
 * @param timeZone the zone that defines calendar days
 * @param database the output database
 * @param replayDays on a first run without yesterday's membership, replay this many days before D
 * @param replayChunkDays a replay goes through features and segments this many days at a time
 * @param maxChangeShare the publish guard: the largest allowed relative change of an audience's size
 * @param rfmMap named RFM segments, in order: first matching condition wins
 * @param postgres the optional PostgreSQL sink of {@code audience_members}, or null
 * @param lockStaleMinutes a run lock older than this is considered left by a killed run and taken over
 */
public record PipelineConfig(
    Path file,
    Map<String, String> spark,
    String timeZone,
    String database,
    SourceConfig source,
    List<FeatureSpec> features,
    List<SegmentSpec> segments,
    List<AudienceSpec> audiences,
    ValidateConfig validate,
    double maxChangeShare,
    int replayDays,
    int replayChunkDays,
    List<Map.Entry<String, String>> rfmMap,
    PostgresSinkConfig postgres,
    int lockStaleMinutes) {

  public PipelineConfig {
    if (replayChunkDays < 1) {
      throw new IllegalArgumentException("replayChunkDays must be at least 1, got " + replayChunkDays);
    }
    spark = Map.copyOf(spark);
    features = List.copyOf(features);
    segments = List.copyOf(segments);
    audiences = List.copyOf(audiences);
    rfmMap = List.copyOf(rfmMap);
  }

  public String table(String name) {
    return database + "." + name;
  }

  public PipelineConfig withSpark(Map<String, String> overrides) {
    Map<String, String> merged = new java.util.LinkedHashMap<>(spark);
    merged.putAll(overrides);
    return new PipelineConfig(file, merged, timeZone, database, source, features, segments, audiences, validate,
        maxChangeShare, replayDays, replayChunkDays, rfmMap, postgres, lockStaleMinutes);
  }

  /**
   * The PostgreSQL sink for {@code --sink postgres}: a missing block, URL or password is a config error (exit 2),
   * found before anything is written.
   */
  public PostgresSinkConfig requirePostgres() {
    if (postgres == null) {
      throw new ConfigException(file.toString(), "--sink postgres needs a sinks.postgres block",
          "add sinks: {postgres: {url: jdbc:postgresql://host:5432/db, user: ..., password_env: ...}}");
    }
    postgres.resolvedUrl();
    postgres.password();
    return postgres;
  }
}
