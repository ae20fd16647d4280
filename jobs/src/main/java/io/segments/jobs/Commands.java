package io.segments.jobs;

import static io.segments.jobs.CommandOptions.asOf;
import static io.segments.jobs.CommandOptions.common;
import static io.segments.jobs.CommandOptions.explainOptions;
import static io.segments.jobs.CommandOptions.outOption;
import static io.segments.jobs.CommandOptions.range;
import static io.segments.jobs.CommandOptions.sqlOptions;
import static io.segments.jobs.CommandOptions.withPublishing;
import static io.segments.jobs.CommandOptions.withStaging;
import static io.segments.jobs.CommandOptions.withGenerate;

import io.segments.config.ConfigException;
import io.segments.config.ConfigLoader;
import io.segments.config.PipelineConfig;
import io.segments.explain.SegmentPreview;
import io.segments.generate.EventGenerator;
import io.segments.io.SparkSessions;
import io.segments.io.Warehouse;
import io.segments.pipeline.DailyPipeline;
import io.segments.segment.RuleChecker;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.apache.commons.cli.CommandLine;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** The commands and their options. Each handler reads its options, then calls one public entry point. */
final class Commands {
  static final String DEFAULT_CONFIG = "conf/local.yaml";
  private static final Set<DailyPipeline.Step> ALL = EnumSet.allOf(DailyPipeline.Step.class);

  private Commands() {}

  static List<Command> all() {
    return List.of(
        new Command("demo", "", "generate sample data and run the daily pipeline over its last days",
            withGenerate(common()), Commands::demo),
        new Command("generate", "", "write synthetic SaaS product events and users (planted personas)",
            withGenerate(common()), Commands::generate),
        new Command("init", InitCommand.ARGUMENTS, InitCommand.SUMMARY, InitCommand.options(), InitCommand::run),
        new Command("run", "--as-of D", "the whole daily run as of D (replays days since the last run)",
            withPublishing(withStaging(asOf(common()))), line -> pipeline(line, "run", ALL)),
        new Command("backfill", "--from D1 --to D2", "replay the days D1..D2 in order, then publish as of D2",
            withPublishing(withStaging(range(common()))), line -> pipeline(line, "backfill", ALL)),
        new Command("features", "--as-of D", "stage, roll up and compute user_features for the days a run would replay",
            withStaging(asOf(common())), line -> pipeline(line, "features", EnumSet.of(DailyPipeline.Step.FEATURES))),
        new Command("segments", "--as-of D", "segment membership, changes and history from user_features",
            asOf(common()), line -> pipeline(line, "segments", EnumSet.of(DailyPipeline.Step.SEGMENTS))),
        new Command("validate", "--as-of D", "segment_outcomes and the method's checks",
            asOf(common()), line -> pipeline(line, "validate", EnumSet.of(DailyPipeline.Step.VALIDATE))),
        new Command("publish", "--as-of D", "publish audience_members, user_segments and segment_catalog",
            withPublishing(asOf(common())), line -> pipeline(line, "publish", EnumSet.of(DailyPipeline.Step.PUBLISH))),
        new Command("explain", "--as-of D (--user U [--segment S] | --segment S --sample N)",
            "why a user is (or is not) in each segment, or audit N members of a segment", explainOptions(common()),
            Commands::explain),
        new Command("preview", "--config NEW --as-of D",
            "size, entries and exits of changed segments under NEW definitions, without writing anything",
            asOf(common("NEW: the config with the changed definitions (its database and warehouse are read, not"
                + " written)")), Commands::preview),
        new Command("report", "--as-of D [--out FILE]",
            "a self-contained HTML report: checks, retention curves, sizes, transitions, cohorts, specs",
            outOption(asOf(common())), Commands::report),
        new Command("notebook", "FILE [--out FILE]",
            "run a Databricks-format SQL notebook against the tables and write its results as HTML",
            outOption(common()), Commands::notebook),
        new Command("sql", "\"<statement>\"", SqlCommand.SUMMARY,
            sqlOptions(common()), SqlCommand::run),
        new Command("discover", "--outcome O [--first-days K] [--from D1 --to D2] [--format table|csv|json]",
            DiscoverCommand.SUMMARY, DiscoverCommand.options(common()), DiscoverCommand::run),
        new Command("stream", StreamCommand.ARGUMENTS, StreamCommand.SUMMARY, StreamCommand.options(common()),
            StreamCommand::run),
        new Command("check-config", "", "check the config and every rule without running a job",
            common(), Commands::checkConfig),
        new Command("bench", "[--users N] [--events-per-user N] [--days N] [--dir DIR] [--out FILE]",
            "time a full and an incremental run at scale against DuckDB on the same data (from a checkout)",
            CommandOptions.help(), Commands::bench));
  }

  /**
   * The benchmark lives with the tests (DuckDB is test scope and never ships in segments.jar): the launcher runs
   * its own main class, io.segments.bench.Bench, from a checkout. Listed here for --help.
   */
  private static int bench(CommandLine line) {
    throw new ConfigException("bench", "the benchmark is not part of segments.jar (it needs DuckDB, a test-scope"
        + " dependency that does not ship to clusters)", "run it from a checkout: ./segments bench --help");
  }

  private static int report(CommandLine line) throws Exception {
    PipelineConfig config = config(line);
    LocalDate asOf = date(line, "as-of");
    SparkSession spark = SparkSessions.create(config, "segments report " + asOf);
    String html = new io.segments.report.HtmlReport(config, new Warehouse(spark, config.database())).render(asOf);
    Path out = line.hasOption("out") ? Path.of(line.getOptionValue("out")) : besideWarehouse(spark, "report-" + asOf);
    java.nio.file.Files.writeString(out, html);
    System.out.println("report written to " + out.toAbsolutePath());
    return Main.OK;
  }

  private static int notebook(CommandLine line) throws Exception {
    if (line.getArgList().size() != 1) {
      throw new ConfigException("notebook", "expected one notebook file", "e.g. ./segments notebook notebooks/segment_sizes.sql");
    }
    Path notebook = Path.of(line.getArgList().get(0));
    PipelineConfig config = config(line);
    SparkSession spark = SparkSessions.create(config, "segments notebook " + notebook.getFileName());
    String html = io.segments.report.NotebookRunner.run(spark, notebook, java.util.Map.of("database",
        config.database()));
    String name = notebook.getFileName().toString().replaceAll("\\.sql$", "");
    Path out = line.hasOption("out") ? Path.of(line.getOptionValue("out")) : besideWarehouse(spark, name);
    java.nio.file.Files.writeString(out, html);
    System.out.println("notebook results written to " + out.toAbsolutePath());
    return Main.OK;
  }

  /** {@code <warehouse>/<name>.html} on the embedded default, else {@code ./<name>.html}. */
  static Path besideWarehouse(SparkSession spark, String name) {
    String dir = spark.conf().get("spark.sql.warehouse.dir", "");
    if (dir.startsWith("file:")) {
      return Path.of(java.net.URI.create(dir)).resolve(name + ".html");
    }
    return Path.of(name + ".html");
  }

  private static int explain(CommandLine line) {
    PipelineConfig config = config(line);
    LocalDate asOf = date(line, "as-of");
    if (line.hasOption("user") == line.hasOption("sample")) {
      throw new ConfigException("explain", "give either --user U or --segment S --sample N",
          "e.g. explain --as-of " + asOf + " --user u0000042, or --segment solo_explorers --sample 10");
    }
    if (line.hasOption("sample") && !line.hasOption("segment")) {
      throw new ConfigException("--sample", "--sample needs --segment", "add --segment <name>");
    }
    SparkSession spark = SparkSessions.create(config, "segments explain");
    var explainer = new io.segments.explain.SegmentExplainer(config, new Warehouse(spark, config.database()));
    List<String> lines = line.hasOption("user")
        ? explainer.explain(line.getOptionValue("user"), asOf, line.getOptionValue("segment"))
        : explainer.explainSample(line.getOptionValue("segment"), asOf, (int) number(line, "sample", 10));
    lines.forEach(System.out::println);
    return Main.OK;
  }

  private static int preview(CommandLine line) {
    PipelineConfig config = config(line);
    LocalDate asOf = date(line, "as-of");
    SparkSession spark = SparkSessions.create(config, "segments preview");
    var changes = SegmentPreview.preview(config, new Warehouse(spark, config.database()), asOf);
    if (changes.isEmpty()) {
      System.out.println("no segment definition differs from " + config.database() + ".segment_catalog");
    }
    for (var change : changes) {
      System.out.printf("%s: %,d -> %,d members (%,d would enter, %,d would leave)%n", change.segment(),
          change.before(), change.after(), change.entering(), change.leaving());
      System.out.println("  entering e.g.: " + sample(change.enteringSample()));
      System.out.println("  leaving e.g.:  " + sample(change.leavingSample()));
    }
    return Main.OK;
  }

  private static String sample(List<String> users) {
    return users.isEmpty() ? "(none)" : String.join(", ", users);
  }

  static PipelineConfig config(CommandLine line) {
    String file = line.getOptionValue("config", System.getenv().getOrDefault("SEGMENTS_CONFIG", DEFAULT_CONFIG));
    PipelineConfig config = ConfigLoader.load(ConfigFetch.local(file));
    if (line.hasOption("warehouse")) {
      config = config.withSpark(io.segments.config.Embedded.settings(Path.of(line.getOptionValue("warehouse"))));
    }
    return config;
  }

  static LocalDate date(CommandLine line, String option) {
    String value = line.getOptionValue(option);
    try {
      return LocalDate.parse(value);
    } catch (DateTimeParseException e) {
      throw new ConfigException("--" + option, "'" + value + "' is not a date", "write it as yyyy-mm-dd, e.g. 2026-10-31");
    }
  }

  static long number(CommandLine line, String option, long fallback) {
    if (!line.hasOption(option)) {
      return fallback;
    }
    try {
      long value = Long.parseLong(line.getOptionValue(option));
      if (value <= 0) {
        throw new NumberFormatException();
      }
      return value;
    } catch (NumberFormatException e) {
      throw new ConfigException("--" + option, "'" + line.getOptionValue(option) + "' is not a positive whole number",
          "write e.g. --" + option + " 1000");
    }
  }

  /** run, backfill and the single steps: one {@link DailyPipeline#run} with the options of the command line. */
  private static int pipeline(CommandLine line, String command, Set<DailyPipeline.Step> steps) {
    PipelineConfig config = config(line);
    boolean backfill = command.equals("backfill");
    LocalDate from = backfill ? date(line, "from") : null;
    LocalDate asOf = date(line, backfill ? "to" : "as-of");
    SparkSession spark = SparkSessions.create(config, "segments " + command + " "
        + (backfill ? from + ".." + asOf : asOf));
    new DailyPipeline(config, spark, System.out).run(new DailyPipeline.RunOptions(asOf, from,
        line.hasOption("allow-large-change"), line.hasOption("full"), steps, postgres(line),
        line.hasOption("allow-stale")));
    return Main.OK;
  }

  private static boolean postgres(CommandLine line) {
    String sink = line.getOptionValue("sink");
    if (sink != null && !sink.equals("postgres")) {
      throw new ConfigException("--sink", "unknown sink '" + sink + "'", "the only sink is postgres");
    }
    return sink != null;
  }

  private static int checkConfig(CommandLine line) {
    PipelineConfig config = config(line);
    SparkSession spark = SparkSessions.create(config, "segments check-config");
    StructType schema = RuleChecker.check(spark, config);
    System.out.printf("%s: ok — %d features (%d columns), %d segments, %d audiences%n", config.file(),
        config.features().size(), schema.fields().length - 2, config.segments().size(), config.audiences().size());
    for (StructField field : schema.fields()) {
      System.out.printf("  %-28s %s%n", field.name(), field.dataType().simpleString());
    }
    return Main.OK;
  }

  private static EventGenerator.Spec generateSpec(CommandLine line, PipelineConfig config) {
    LocalDate end = line.hasOption("end") ? date(line, "end") : LocalDate.of(2026, 10, 31);
    return new EventGenerator.Spec(number(line, "users", 4000), end, (int) number(line, "days", 120),
        number(line, "seed", 42), config.timeZone());
  }

  private static int generate(CommandLine line) {
    PipelineConfig config = config(line);
    EventGenerator.Spec spec = generateSpec(line, config);
    SparkSession spark = SparkSessions.create(config, "segments generate");
    writeGenerated(spark, spec, line.getOptionValue("database", "demo"), line.getOptionValue("parquet"));
    return Main.OK;
  }

  static void writeGenerated(SparkSession spark, EventGenerator.Spec spec, String database, String parquetDir) {
    Warehouse target = new Warehouse(spark, database);
    long start = System.nanoTime();
    target.overwrite(EventGenerator.events(spark, spec), "events");
    target.overwrite(EventGenerator.users(spark, spec), "users");
    long events = target.read("events").count();
    if (parquetDir != null) {
      target.read("events").write().mode("overwrite").parquet(parquetDir + "/events");
      target.read("users").write().mode("overwrite").parquet(parquetDir + "/users");
    }
    System.out.printf("generated %,d events of %,d users, %s..%s, into %s.events and %s.users (%.1fs)%n", events,
        spec.users(), spec.firstDay(), spec.lastDay(), database, database, (System.nanoTime() - start) / 1e9);
  }

  private static int demo(CommandLine line) throws Exception {
    PipelineConfig config = config(line);
    EventGenerator.Spec spec = generateSpec(line, config);
    SparkSession spark = SparkSessions.create(config, "segments demo");
    writeGenerated(spark, spec, line.getOptionValue("database", "demo"), line.getOptionValue("parquet"));
    DailyPipeline pipeline = new DailyPipeline(config, spark, System.out);
    LocalDate last = spec.lastDay();
    // All of the generated history but its first two weeks (the oldest features' windows): day-90 outcomes exist.
    int replay = Math.max(config.replayDays(), spec.days() - 14);
    pipeline.run(last.minusDays(1), last.minusDays(replay), true);
    pipeline.run(last, null, false);
    String db = config.database();
    Path report = besideWarehouse(spark, "report-" + last);
    java.nio.file.Files.writeString(report,
        new io.segments.report.HtmlReport(config, new Warehouse(spark, config.database())).render(last));
    System.out.println();
    System.out.println("done. Open the report: " + report.toAbsolutePath());
    System.out.println("Look at the tables (each command starts a new process on the same warehouse):");
    System.out.println("  ./segments sql \"select * from " + db + ".segment_catalog\"");
    System.out.println("  ./segments sql \"select audience, count(*) from " + db + ".audience_members group by 1\"");
    System.out.println("  ./segments sql \"select * from " + db + ".user_segments limit 10\"");
    System.out.println("  ./segments sql \"select segment, cohort_date, cohort_size, retention_d30 from " + db
        + ".segment_outcomes where retention_d30 is not null order by cohort_date desc, segment limit 20\"");
    System.out.println("  ./segments sql \"select * from " + db + ".pipeline_runs order by started_at desc limit 12\"");
    return Main.OK;
  }
}
