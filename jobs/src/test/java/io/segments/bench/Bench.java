package io.segments.bench;

import static org.apache.spark.sql.functions.col;

import io.segments.config.ConfigException;
import io.segments.config.ConfigLoader;
import io.segments.config.PipelineConfig;
import io.segments.io.SparkSessions;
import io.segments.pipeline.DailyPipeline;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
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
  private final PrintStreamLog log = new PrintStreamLog();

  private Bench() {}

  private static Options options() {
    Options options = new Options()
        .addOption(Option.builder().longOpt("config").hasArg().argName("FILE")
            .desc("the bench pipeline's config (default conf/bench.yaml)").get())
        .addOption(Option.builder().longOpt("discover")
            .desc("time discover instead: a generated rollup of --users users and 20 event names").get())
        .addOption(Option.builder().longOpt("verbose").desc("print stack traces on errors").get())
        .addOption(Option.builder("h").longOpt("help").desc("show this help").get());
    String[][] values = {
        {"users", "N", "users to generate (default 1000000)"},
        {"events-per-user", "N", "mean events per user (default 100: 100M events for 1M users)"},
        {"days", "N", "days of history (default 120)"},
        {"end", "D", "last day of the history (default 2026-10-31); the incremental run is the day after"},
        {"seed", "N", "random seed (default 7)"},
        {"dir", "DIR", "data, warehouse and figures (default warehouse/bench); data of the same size is reused"},
        {"out", "FILE", "the figures as JSON (default DIR/bench.json)"}};
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
        new HelpFormatter().printHelp("segments bench [--users N] [--events-per-user N] [--days N] [--dir DIR]"
            + " [--out FILE]", "time a full and an incremental run at scale against DuckDB on the same data",
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
    log.printf("data: %,d events (%s) in %s, ready in %.1fs%n", events, spec.describe(), dir.resolve("data"),
        seconds(start));
    spark.sql("drop database if exists " + config.database() + " cascade");

    Map<String, Object> report = new LinkedHashMap<>();
    report.put("spec", Map.of("users", spec.users(), "events_per_user", spec.eventsPerUser(), "days", spec.days(),
        "last_day", spec.lastDay().toString(), "events", events, "cores", cores,
        "max_heap_bytes", Runtime.getRuntime().maxMemory()));

    try (DuckDbReference duck = new DuckDbReference(Files.createDirectories(dir.resolve("duckdb-tmp")))) {
      Phase full = phase(spark, config, metrics, heap, "full", spec.lastDay(), true, events, cores);
      report.put("full", full.json(compareWithDuckDb(spark, config, duck, dir, spec.lastDay(), full)));

      long added = BenchData.appendDay(spark, dir.resolve("data"), spec);
      log.printf("%nadded %,d events on %s%n", added, spec.lastDay().plusDays(1));
      Phase incremental = phase(spark, config, metrics, heap, "incremental", spec.lastDay().plusDays(1), false,
          added, cores);
      report.put("incremental", incremental.json(
          compareWithDuckDb(spark, config, duck, dir, spec.lastDay().plusDays(1), incremental)));
      report.put("incremental_equals_full", incrementalEqualsFull(spark, config, spec.lastDay().plusDays(1)));
    } finally {
      heap.stop();
      BenchData.removeAppendedDays(dir.resolve("data/events"));
    }
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, Json.write(report) + "\n");
    log.printf("%nfigures written to %s%n", out);
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
    log.printf("%n%s run as of %s%n", name, asOf);
    metrics.reset();
    heap.reset();
    long start = System.nanoTime();
    DailyPipeline.RunSummary summary = new DailyPipeline(config, spark, System.out).run(new DailyPipeline.RunOptions(
        asOf, null, true, full, EnumSet.allOf(DailyPipeline.Step.class), false));
    double elapsed = seconds(start);
    spark.sparkContext().listenerBus().waitUntilEmpty();
    long peak = heap.peak();
    List<Map<String, Object>> steps = new ArrayList<>();
    log.printf("%n  %-10s %9s %14s %12s %12s %12s %12s%n", "step", "wall s", "events/s/core", "rows out",
        "shuffle MB", "input rows", "peak heap MB");
    for (Row row : spark.sql("select step, duration_ms, rows_out from " + config.database()
        + ".pipeline_runs where run_id = '" + summary.runId() + "' order by started_at").collectAsList()) {
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
      steps.add(s);
      log.printf("  %-10s %9.1f %,14d %,12d %,12.1f %,12d%n", step, wall, Math.round(events / Math.max(wall, 1e-3) / cores),
          row.isNullAt(2) ? 0 : row.getLong(2), f.shuffleBytes() / 1e6, f.inputRows());
    }
    log.printf("  %-10s %9.1f %,14d %12s %,12.1f %12s %,12d%n", "total", elapsed,
        Math.round(events / elapsed / cores), "", metrics.totalShuffle() / 1e6, "", peak >> 20);
    log.printf("  slowest Spark stages (profile):%n");
    List<Map<String, Object>> profile = new ArrayList<>();
    for (StepMetrics.StageFigures f : metrics.slowest(8)) {
      log.printf("    %-9s %7.1fs %5d tasks %,10.1f MB shuffled %,13d rows in  %s%n", f.step(), f.millis() / 1000.0,
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

  /** The tables a daily run must leave as a full run of the same day would, with the rows of that day. */
  private static final Map<String, String> EQUAL_TABLES = Map.of("user_features", "as_of_date = :day",
      "segment_membership", "as_of_date = :day", "segment_outcomes", "true");

  /**
   * Reruns the incremental run's day as a full run (from all events) and compares, per table, the rows count and
   * an order-free checksum of all columns before and after: the incremental run must equal the full one.
   */
  private Map<String, Object> incrementalEqualsFull(SparkSession spark, PipelineConfig config, LocalDate day) {
    Map<String, long[]> incremental = checksums(spark, config, day);
    log.printf("%nfull rerun as of %s, to compare with the incremental run%n", day);
    long start = System.nanoTime();
    new DailyPipeline(config, spark, new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))
        .run(new DailyPipeline.RunOptions(day, null, true, true, EnumSet.allOf(DailyPipeline.Step.class), false));
    Map<String, long[]> full = checksums(spark, config, day);
    Map<String, Object> json = new LinkedHashMap<>();
    incremental.forEach((table, figures) -> {
      boolean equal = java.util.Arrays.equals(figures, full.get(table));
      log.printf("  %-19s incremental %,d rows, full %,d rows: %s%n", table, figures[0], full.get(table)[0],
          equal ? "equal" : "DIFFER");
      json.put(table, equal);
    });
    log.printf("  (full rerun %.1f s)%n", seconds(start));
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
  private Map<String, Object> compareWithDuckDb(SparkSession spark, PipelineConfig config, DuckDbReference duck,
      Path dir, LocalDate asOf, Phase phase) throws Exception {
    Path exported = dir.resolve("pipeline-features");
    spark.table(config.database() + ".user_features").where(col("as_of_date").equalTo(Date.valueOf(asOf)))
        .drop("as_of_date").write().mode("overwrite").parquet(exported.toString());
    double duckSeconds = duck.compute(dir.resolve("data/events"), asOf);
    DuckDbReference.Comparison comparison = duck.compare(exported);
    double features = phase.steps().stream().filter(s -> s.get("step").equals("features"))
        .mapToDouble(s -> (Double) s.get("wall_seconds")).sum();
    double upToFeatures = phase.steps().stream().takeWhile(s -> !s.get("step").equals("segments"))
        .mapToDouble(s -> (Double) s.get("wall_seconds")).sum();
    log.printf("  duckdb     %9.1f s for the same features as of %s: %,d users; pipeline %,d users; %,d differ%n",
        duckSeconds, asOf, comparison.referenceRows(), comparison.pipelineRows(), comparison.mismatches());
    comparison.examples().forEach(e -> log.printf("    differs: %s%n", e));
    log.printf("  ratio pipeline/duckdb: stage+rollup+features %.2f, features step %.2f, whole run %.2f%n",
        upToFeatures / duckSeconds, features / duckSeconds, phase.seconds() / duckSeconds);
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("seconds", round(duckSeconds));
    json.put("reference_rows", comparison.referenceRows());
    json.put("pipeline_rows", comparison.pipelineRows());
    json.put("mismatched_users", comparison.mismatches());
    json.put("mismatch_examples", comparison.examples());
    json.put("ratio_feature_computation", round(upToFeatures / duckSeconds));
    json.put("ratio_features_step", round(features / duckSeconds));
    json.put("ratio_whole_run", round(phase.seconds() / duckSeconds));
    return json;
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

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  private static double round(double value) {
    return Math.round(value * 100) / 100.0;
  }

  /** Shuffle bytes written and input rows read per pipeline step, from the job description the ledger sets. */
  static final class StepMetrics extends SparkListener {
    record Figures(long shuffleBytes, long inputRows) {}

    /** A completed Spark stage: where the time goes inside a step. */
    record StageFigures(String step, String name, long millis, long shuffleWrite, long inputRows, int tasks) {}

    private final Map<Integer, String> stageSteps = new ConcurrentHashMap<>();
    private final List<StageFigures> stages = java.util.Collections.synchronizedList(new ArrayList<>());
    private final Map<String, AtomicLong> shuffle = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> input = new ConcurrentHashMap<>();

    void reset() {
      shuffle.clear();
      input.clear();
      stages.clear();
    }

    /** The slowest stages since the last reset. */
    List<StageFigures> slowest(int n) {
      synchronized (stages) {
        return stages.stream().sorted((a, b) -> Long.compare(b.millis(), a.millis())).limit(n).toList();
      }
    }

    @Override
    public void onStageCompleted(org.apache.spark.scheduler.SparkListenerStageCompleted event) {
      var info = event.stageInfo();
      if (info.submissionTime().isEmpty() || info.completionTime().isEmpty()) {
        return;
      }
      long millis = (Long) info.completionTime().get() - (Long) info.submissionTime().get();
      var m = info.taskMetrics();
      stages.add(new StageFigures(stageSteps.getOrDefault(info.stageId(), "other"), info.name(), millis,
          m == null ? 0 : m.shuffleWriteMetrics().bytesWritten(), m == null ? 0 : m.inputMetrics().recordsRead(),
          info.numTasks()));
    }

    Figures of(String step) {
      return new Figures(shuffle.getOrDefault(step, new AtomicLong()).get(), input.getOrDefault(step, new AtomicLong()).get());
    }

    long totalShuffle() {
      return shuffle.values().stream().mapToLong(AtomicLong::get).sum();
    }

    @Override
    public void onStageSubmitted(SparkListenerStageSubmitted event) {
      String description = event.properties() == null ? null : event.properties().getProperty("spark.job.description");
      String[] words = description == null ? new String[0] : description.split(" ");
      stageSteps.put(event.stageInfo().stageId(), words.length > 1 && words[0].equals("segments") ? words[1] : "other");
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd event) {
      if (event.taskMetrics() == null) {
        return;
      }
      String step = stageSteps.getOrDefault(event.stageId(), "other");
      shuffle.computeIfAbsent(step, k -> new AtomicLong())
          .addAndGet(event.taskMetrics().shuffleWriteMetrics().bytesWritten());
      input.computeIfAbsent(step, k -> new AtomicLong()).addAndGet(event.taskMetrics().inputMetrics().recordsRead());
    }
  }

  /** The highest heap in use, sampled every 50 ms (in local mode the executors share the driver's heap). */
  static final class HeapSampler {
    private final AtomicLong peak = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;

    HeapSampler() {
      thread = new Thread(() -> {
        while (running) {
          peak.accumulateAndGet(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max);
          try {
            Thread.sleep(50);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "bench-heap-sampler");
      thread.setDaemon(true);
      thread.start();
    }

    void reset() {
      peak.set(0);
    }

    long peak() {
      return peak.get();
    }

    void stop() {
      running = false;
      thread.interrupt();
    }
  }

  /** Console output of the bench. */
  private static final class PrintStreamLog {
    void printf(String format, Object... args) {
      System.out.print(String.format(Locale.ROOT, format, args));
      System.out.flush();
    }
  }

  /** Just enough JSON for the figures: maps, lists, strings, numbers, booleans and null. */
  static final class Json {
    private Json() {}

    static String write(Object value) {
      if (value == null) {
        return "null";
      }
      if (value instanceof Map<?, ?> map) {
        List<String> entries = new ArrayList<>();
        map.forEach((k, v) -> entries.add(write(String.valueOf(k)) + ": " + write(v)));
        return "{" + String.join(", ", entries) + "}";
      }
      if (value instanceof List<?> list) {
        return "[" + String.join(", ", list.stream().map(Json::write).toList()) + "]";
      }
      if (value instanceof Number || value instanceof Boolean) {
        return value.toString();
      }
      return "\"" + value.toString().replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }
  }
}
