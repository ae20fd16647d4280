package io.segments.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.segments.config.ConfigException;
import io.segments.report.Charts;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code segments bench --series 100000,300000,1000000}: the bench once per size, each in a JVM of its own (the
 * same heap and flags, so each size starts cold as a scheduled run does) writing to {@code DIR/users-N}, then one
 * table of seconds per step against users and {@code DIR/series.svg}, a chart of the whole runs against users.
 */
final class BenchSeries {
  static final List<String> STEPS = List.of("stage", "rollup", "features", "segments", "validate", "publish");

  /** Runs the bench for one size into its directory; returns the exit code. */
  interface Runner {
    int run(long users, Path dir) throws Exception;
  }

  private BenchSeries() {}

  /** The sizes of {@code --series}: positive whole numbers, comma-separated, in increasing order. */
  static List<Long> sizes(String text) {
    List<Long> sizes = new ArrayList<>();
    for (String part : text.split(",")) {
      try {
        long n = Long.parseLong(part.strip().replace("_", ""));
        if (n <= 0 || (!sizes.isEmpty() && n <= sizes.get(sizes.size() - 1))) {
          throw new NumberFormatException();
        }
        sizes.add(n);
      } catch (NumberFormatException e) {
        throw new ConfigException("--series", "'" + text + "' is not a list of increasing user counts",
            "write e.g. --series 100000,300000,1000000");
      }
    }
    return sizes;
  }

  /** Runs every size with {@code runner}, then prints and writes the series; the first failing size stops it. */
  static int run(List<Long> sizes, Path dir, Runner runner) throws Exception {
    Map<Long, JsonNode> figures = new LinkedHashMap<>();
    for (long users : sizes) {
      Path sizeDir = dir.resolve("users-" + users);
      Bench.printf("%n== series: %,d users (%s) ==%n", users, sizeDir);
      int code = runner.run(users, sizeDir);
      if (code != 0) {
        Bench.printf("series stopped: the bench of %,d users exited %d%n", users, code);
        return code;
      }
      figures.put(users, new ObjectMapper().readTree(sizeDir.resolve("bench.json").toFile()));
    }
    print(figures);
    Path svg = dir.resolve("series.svg");
    Files.writeString(svg, chart(figures));
    Bench.printf("%nchart written to %s%n", svg);
    return 0;
  }

  /** A runner that starts the bench for each size in a new JVM like this one, passing {@code args} on. */
  static Runner childJvm(List<String> args) {
    return (users, sizeDir) -> {
      ProcessBuilder builder = new ProcessBuilder(command(ManagementFactory.getRuntimeMXBean().getInputArguments(),
          args, users, sizeDir)).inheritIO();
      // Their options are among this JVM's input arguments already: not twice.
      builder.environment().remove("JAVA_TOOL_OPTIONS");
      builder.environment().remove("JDK_JAVA_OPTIONS");
      Process process = builder.start();
      try {
        return process.waitFor();
      } finally {
        process.destroy();
      }
    };
  }

  /**
   * The child's command line: this JVM's options (heap, --add-opens, -D...) but no debugger or agent, which
   * would bind the same port or load twice; the bench's class path; its options and the size's.
   */
  static List<String> command(List<String> jvmOptions, List<String> args, long users, Path sizeDir) {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
        .toString()));
    jvmOptions.stream().filter(o -> !o.startsWith("-agentlib:") && !o.startsWith("-agentpath:")
        && !o.startsWith("-javaagent:") && !o.startsWith("-Xrunjdwp")).forEach(command::add);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), Bench.class.getName()));
    command.addAll(args);
    command.addAll(List.of("--users", String.valueOf(users), "--dir", sizeDir.toString()));
    return command;
  }

  /** Seconds per step of the full and the daily run for every size, beside DuckDB's. */
  static void print(Map<Long, JsonNode> figures) {
    Bench.printf("%nseconds per step against users (full run, then the daily run after one new day)%n");
    Bench.printf("  %-6s %11s %11s", "run", "users", "events");
    STEPS.forEach(step -> Bench.printf(" %9s", step));
    Bench.printf(" %9s %9s %9s%n", "whole", "duckdb", "ratio");
    for (String phase : List.of("full", "incremental")) {
      figures.forEach((users, json) -> {
        JsonNode run = json.path(phase);
        Bench.printf("  %-6s %,11d %,11d", phase.equals("full") ? "full" : "daily", users,
            json.path("spec").path("events").asLong());
        STEPS.forEach(step -> Bench.printf(" %9.1f", stepSeconds(run, step)));
        double duck = run.path("duckdb").path("seconds").asDouble();
        Bench.printf(" %9.1f %9.1f %9.2f%n", run.path("seconds").asDouble(), duck,
            run.path("seconds").asDouble() / duck);
      });
    }
  }

  /** A step's seconds in one run (a replay runs features and segments once per chunk of days: summed). */
  static double stepSeconds(JsonNode run, String step) {
    double sum = 0;
    for (JsonNode s : run.path("steps")) {
      if (s.path("step").asText().equals(step)) {
        sum += s.path("wall_seconds").asDouble();
      }
    }
    return sum;
  }

  /** Seconds against users as an SVG chart: the lines of {@link #lines}. */
  static String chart(Map<Long, JsonNode> figures) {
    return Charts.svg("segments bench: seconds against users", "users", "seconds", lines(figures));
  }

  /** The chart's lines, {users, seconds} points: the full and the daily run, whole, and DuckDB beside each. */
  static Map<String, List<double[]>> lines(Map<Long, JsonNode> figures) {
    Map<String, List<double[]>> lines = new LinkedHashMap<>();
    for (String phase : List.of("full", "incremental")) {
      String name = phase.equals("full") ? "full run" : "daily run";
      List<double[]> pipeline = new ArrayList<>();
      List<double[]> duck = new ArrayList<>();
      figures.forEach((users, json) -> {
        pipeline.add(new double[] {users, json.path(phase).path("seconds").asDouble()});
        duck.add(new double[] {users, json.path(phase).path("duckdb").path("seconds").asDouble()});
      });
      lines.put(name, pipeline);
      lines.put("DuckDB (" + name + " features)", duck);
    }
    return lines;
  }

  /**
   * The bench's own arguments for each size: all but {@code --series}, {@code --users}, {@code --dir} and
   * {@code --out} (each size writes DIR/users-N/bench.json).
   */
  static List<String> passedOn(Map<String, String> options) {
    List<String> args = new ArrayList<>();
    options.forEach((name, value) -> {
      if (!List.of("series", "users", "dir", "out").contains(name)) {
        args.add("--" + name);
        if (value != null) {
          args.add(value);
        }
      }
    });
    return args;
  }
}
