package io.segments.bench;

import io.segments.config.ConfigException;
import io.segments.config.ConfigLoader;
import io.segments.config.PipelineConfig;
import io.segments.io.SparkSessions;
import io.segments.pipeline.DailyPipeline;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * {@code segments bench}: generates (or reuses) events at a given scale, times every step of a full run as of
 * the last day and of an incremental run one day later, recomputes the same features with DuckDB on the same
 * Parquet files, compares them user by user, and prints and writes the figures.
 *
 * <p>Lives with the tests because DuckDB is a test-scope dependency: it never ships in segments.jar.
 */
public final class Bench {
  private Bench() {}

  private static Options options() {
    Options options = new Options()
        .addOption(Option.builder().longOpt("config").hasArg().argName("FILE")
            .desc("the bench pipeline's config (default conf/bench.yaml)").get())
        .addOption(Option.builder().longOpt("discover")
            .desc("time discover instead: a generated rollup of --users users and 20 event names").get())
        .addOption(Option.builder().longOpt("stream")
            .desc("time the stream instead: append day D's events of --users demo users hour by hour to a Delta"
                + " source while stream --trigger 1m runs; latency per append, then the daily run as the reference")
            .get())
        .addOption(Option.builder().longOpt("verbose").desc("print stack traces on errors").get())
        .addOption(Option.builder("h").longOpt("help").desc("show this help").get());
    String[][] values = {
        {"users", "N", "users to generate (default 1000000)"},
        {"events-per-user", "N", "mean events per user (default 100: 100M events for 1M users)"},
        {"days", "N", "days of history (default 120)"},
        {"end", "D", "last day of the history (default 2026-10-31); the incremental run is the day after"},
        {"seed", "N", "random seed (default 7)"},
        {"dir", "DIR", "data, warehouse and figures (default warehouse/bench); data of the same size is reused"},
        {"out", "FILE", "the figures as JSON (default DIR/bench.json)"},
        {"series", "N,N,...", "run the bench once per user count (e.g. 100000,300000,1000000), each in a JVM of"
            + " its own under DIR/users-N, then print seconds per step against users and write DIR/series.svg"}};
    for (String[] v : values) {
      options.addOption(Option.builder().longOpt(v[0]).hasArg().argName(v[1]).desc(v[2]).get());
    }
    return options;
  }

  /**
   * {@code ./segments bench [options]}: the launcher runs this class from a checkout (segments.jar relocates
   * Commons CLI, so the bench parses its own options); failures get the exit codes and messages of the CLI.
   */
  public static void main(String[] args) {
    boolean verbose = java.util.Arrays.asList(args).contains("--verbose");
    int code;
    try {
      CommandLine line = new DefaultParser().parse(options(), args);
      if (line.hasOption("help")) {
        new HelpFormatter().printHelp("segments bench [--users N | --series N,N,...] [--events-per-user N] [--days N]"
            + " [--dir DIR] [--out FILE]", "time a full and an incremental run at scale against DuckDB on the same data",
            options(), "");
        code = 0;
      } else {
        Map<String, String> values = new LinkedHashMap<>();
        for (Option option : line.getOptions()) {
          values.put(option.getLongOpt(), option.getValue());
        }
        code = run(values);
      }
    } catch (ParseException e) {
      System.err.println("error: " + e.getMessage() + "\n  fix: see ./segments bench --help");
      code = 2;
    } catch (Exception | org.apache.hadoop.fs.FSError e) {
      code = io.segments.jobs.Main.failure(e, verbose);
    }
    System.out.flush();
    System.exit(code);
  }

  /** Runs the bench with options by long name (as {@code --users 3000} gives {@code users=3000}). */
  public static int run(Map<String, String> options) throws Exception {
    long users = number(options, "users", 1_000_000);
    int perUser = (int) number(options, "events-per-user", 100);
    int days = (int) number(options, "days", 120);
    LocalDate last = LocalDate.parse(options.getOrDefault("end", "2026-10-31"));
    Path dir = Path.of(options.getOrDefault("dir", "warehouse/bench")).toAbsolutePath().normalize();
    Path out = Path.of(options.getOrDefault("out", dir.resolve("bench.json").toString()));
    Path template = Path.of(options.getOrDefault("config", "conf/bench.yaml"));
    BenchData.Spec spec = new BenchData.Spec(users, perUser, days, last, number(options, "seed", 7));
    if (options.containsKey("series") && options.containsKey("discover")) {
      throw new ConfigException("--series", "--series times the pipeline; --discover times discover",
          "pass one of them");
    }
    if (options.containsKey("series")) {
      return BenchSeries.run(BenchSeries.sizes(options.get("series")), dir,
          BenchSeries.childJvm(BenchSeries.passedOn(options)));
    }
    if (options.containsKey("stream")) {
      return StreamBench.run(Path.of(options.getOrDefault("dir", "warehouse/stream-bench")).toAbsolutePath(),
          Path.of(options.getOrDefault("config", "conf/local.yaml")), number(options, "users", 4000),
          Duration.ofSeconds(20), Duration.ofMinutes(1));
    }
    if (options.containsKey("discover")) {
      PipelineConfig config = ConfigLoader.load(writeConfig(template, dir));
      return DiscoverBench.run(SparkSessions.create(config, "segments bench --discover"), config, users);
    }
    return new Bench().run(spec, dir, template, out);
  }

  private int run(BenchData.Spec spec, Path dir, Path template, Path out) throws Exception {
    Path configFile = writeConfig(template, dir);
    PipelineConfig config = ConfigLoader.load(configFile);
    SparkSession spark = SparkSessions.create(config, "segments bench");
    int cores = spark.sparkContext().defaultParallelism();
    StepMetrics metrics = new StepMetrics();
    spark.sparkContext().addSparkListener(metrics);
    HeapSampler heap = new HeapSampler();

    long start = System.nanoTime();
    long events = BenchData.ensure(spark, dir.resolve("data"), spec);
    printf("data: %,d events (%s) in %s, ready in %.1fs%n", events, spec.describe(), dir.resolve("data"),
        seconds(start));
    spark.sql("drop database if exists " + config.database() + " cascade");

    Map<String, Object> report = new LinkedHashMap<>();
    report.put("spec", Map.of("users", spec.users(), "events_per_user", spec.eventsPerUser(), "days", spec.days(),
        "last_day", spec.lastDay().toString(), "events", events, "cores", cores,
        "max_heap_bytes", Runtime.getRuntime().maxMemory()));

    try (DuckDbReference duck = new DuckDbReference(Files.createDirectories(dir.resolve("duckdb-tmp")))) {
      Phase full = phase(spark, config, metrics, heap, "full", spec.lastDay(), true, events, cores);
      report.put("full", full.json(BenchChecks.compareWithDuckDb(spark, config, duck, dir, spec.lastDay(), full.steps(),
          full.seconds())));

      long added = BenchData.appendDay(spark, dir.resolve("data"), spec);
      printf("%nadded %,d events on %s%n", added, spec.lastDay().plusDays(1));
      Phase incremental = phase(spark, config, metrics, heap, "incremental", spec.lastDay().plusDays(1), false,
          added, cores);
      report.put("incremental", incremental.json(
          BenchChecks.compareWithDuckDb(spark, config, duck, dir, spec.lastDay().plusDays(1),
          incremental.steps(), incremental.seconds())));
      report.put("incremental_equals_full", BenchChecks.incrementalEqualsFull(spark, config, spec.lastDay().plusDays(1)));
    } finally {
      heap.stop();
      BenchData.removeAppendedDays(dir.resolve("data/events"));
    }
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter()
        .writeValueAsString(report) + "\n");
    printf("%nfigures written to %s%n", out);
    return 0;
  }

  /** One pipeline run with its per-step figures. */
  private record Phase(String name, LocalDate asOf, double seconds, long events, int cores, long peakHeap,
      List<Map<String, Object>> steps, List<Map<String, Object>> slowestStages) {
    Map<String, Object> json(Map<String, Object> duckdb) {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("as_of", asOf.toString());
      json.put("seconds", round(seconds));
      json.put("events", events);
      json.put("events_per_second_per_core", Math.round(events / seconds / cores));
      json.put("peak_heap_bytes", peakHeap);
      json.put("steps", steps);
      json.put("slowest_stages", slowestStages);
      json.put("duckdb", duckdb);
      return json;
    }
  }

  private Phase phase(SparkSession spark, PipelineConfig config, StepMetrics metrics, HeapSampler heap, String name,
      LocalDate asOf, boolean full, long events, int cores) throws Exception {
    printf("%n%s run as of %s%n", name, asOf);
    metrics.reset();
    heap.reset();
    long start = System.nanoTime();
    DailyPipeline.RunSummary summary = new DailyPipeline(config, spark, System.out).run(new DailyPipeline.RunOptions(
        asOf, null, true, full, EnumSet.allOf(DailyPipeline.Step.class), false));
    double elapsed = seconds(start);
    spark.sparkContext().listenerBus().waitUntilEmpty();
    long peak = heap.peak();
    List<Map<String, Object>> steps = new ArrayList<>();
    printf("%n  %-10s %9s %14s %12s %12s %12s %6s %8s %12s%n", "step", "wall s", "events/s/core", "rows out",
        "shuffle MB", "input rows", "jobs", "commits", "peak heap MB");
    for (Row row : spark.sql("select step, duration_ms, rows_out, spark_jobs, delta_commits from "
        + config.database() + ".pipeline_runs where run_id = '" + summary.runId() + "' order by started_at")
        .collectAsList()) {
      String step = row.getString(0);
      double wall = row.getLong(1) / 1000.0;
      StepMetrics.Figures f = metrics.of(step);
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("step", step);
      s.put("wall_seconds", round(wall));
      s.put("events_per_second_per_core", wall == 0 ? null : Math.round(events / wall / cores));
      s.put("rows_out", row.isNullAt(2) ? null : row.getLong(2));
      s.put("shuffle_write_bytes", f.shuffleBytes());
      s.put("input_rows", f.inputRows());
      s.put("spark_jobs", row.isNullAt(3) ? null : row.getLong(3));
      s.put("delta_commits", row.isNullAt(4) ? null : row.getLong(4));
      steps.add(s);
      printf("  %-10s %9.1f %,14d %,12d %,12.1f %,12d %6d %8d%n", step, wall,
          Math.round(events / Math.max(wall, 1e-3) / cores), row.isNullAt(2) ? 0 : row.getLong(2),
          f.shuffleBytes() / 1e6, f.inputRows(), row.isNullAt(3) ? 0 : row.getLong(3),
          row.isNullAt(4) ? 0 : row.getLong(4));
    }
    printf("  %-10s %9.1f %,14d %12s %,12.1f %12s %6s %8s %,12d%n", "total", elapsed,
        Math.round(events / elapsed / cores), "", metrics.totalShuffle() / 1e6, "", "", "", peak >> 20);
    printf("  slowest Spark stages (profile):%n");
    List<Map<String, Object>> profile = new ArrayList<>();
    for (StepMetrics.StageFigures f : metrics.slowest(8)) {
      printf("    %-9s %7.1fs %5d tasks %,10.1f MB shuffled %,13d rows in  %s%n", f.step(), f.millis() / 1000.0,
          f.tasks(), f.shuffleWrite() / 1e6, f.inputRows(), f.name());
      Map<String, Object> stage = new LinkedHashMap<>();
      stage.put("step", f.step());
      stage.put("stage", f.name());
      stage.put("seconds", round(f.millis() / 1000.0));
      stage.put("tasks", f.tasks());
      stage.put("shuffle_write_bytes", f.shuffleWrite());
      stage.put("input_rows", f.inputRows());
      profile.add(stage);
    }
    return new Phase(name, asOf, elapsed, events, cores, peak, steps, profile);
  }

  /** A copy of the template config beside the data, with the source and warehouse pointing into {@code dir}. */
  static Path writeConfig(Path template, Path dir) throws IOException {
    if (!Files.isRegularFile(template)) {
      throw new ConfigException("--config", "no bench config at " + template.toAbsolutePath(),
          "run from the repository root, or pass --config conf/bench.yaml");
    }
    Files.createDirectories(dir);
    String text = Files.readString(template)
        .replaceFirst("(?m)^(\\s+)events: .*$", "$1events: parquet:" + dir.resolve("data/events"))
        .replaceFirst("(?m)^(\\s+)warehouse: .*$", "$1warehouse: " + dir.resolve("warehouse"));
    Path config = dir.resolve("bench.yaml");
    Files.writeString(config, "# written by ./segments bench from " + template + "\n" + text);
    return config;
  }

  private static long number(Map<String, String> options, String option, long fallback) {
    if (!options.containsKey(option)) {
      return fallback;
    }
    try {
      long value = Long.parseLong(options.get(option).replace("_", ""));
      if (value <= 0) {
        throw new NumberFormatException();
      }
      return value;
    } catch (NumberFormatException e) {
      throw new ConfigException("--" + option, "'" + options.get(option) + "' is not a positive whole number",
          "write e.g. --" + option + " 1000000");
    }
  }

  static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  static double round(double value) {
    return Math.round(value * 100) / 100.0;
  }

  /** Console output of the bench, flushed at once. */
  static void printf(String format, Object... args) {
    System.out.print(String.format(Locale.ROOT, format, args));
    System.out.flush();
  }
}
