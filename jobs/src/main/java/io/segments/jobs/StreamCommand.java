package io.segments.jobs;

import io.segments.config.ConfigException;
import io.segments.config.PipelineConfig;
import io.segments.io.SparkSessions;
import io.segments.stream.EventStream;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.spark.sql.SparkSession;

/** {@code stream [--trigger 1m | --once]}: the event-refreshed segments updated as events arrive. */
final class StreamCommand {
  static final String ARGUMENTS = "[--trigger 1m | --once] [--sink postgres]";
  static final String SUMMARY = "keep the refresh: event segments up to date as events arrive (Structured Streaming"
      + " over source.events; the daily run stays the reference)";
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(s|m|h)");

  private StreamCommand() {}

  static Options options(Options options) {
    return CommandOptions.withPublishing(options)
        .addOption(Option.builder().longOpt("trigger").hasArg().argName("T")
            .desc("a micro-batch every T, e.g. 30s, 1m, 5m (default 1m); the process runs until stopped").get())
        .addOption(Option.builder().longOpt("once")
            .desc("process the events that have arrived, then stop (for an orchestrator every few minutes)").get())
        .addOption(Option.builder().longOpt("as-of").hasArg().argName("D")
            .desc("evaluate as of day D instead of today in the configured time zone (replays, tests)").get())
        .addOption(Option.builder().longOpt("checkpoint").hasArg().argName("DIR")
            .desc("the stream's checkpoint (default: _stream_checkpoint in the output database's directory)").get());
  }

  static int run(CommandLine line) {
    if (line.hasOption("once") && line.hasOption("trigger")) {
      throw new ConfigException("--once", "--once and --trigger exclude each other",
          "give --once for one pass over what has arrived, or --trigger T for a long-running stream");
    }
    Duration every = duration(line.getOptionValue("trigger", "1m"));
    String sink = line.getOptionValue("sink");
    if (sink != null && !sink.equals("postgres")) {
      throw new ConfigException("--sink", "unknown sink '" + sink + "'", "the only sink is postgres");
    }
    PipelineConfig config = Commands.config(line);
    SparkSession spark = SparkSessions.create(config, "segments stream");
    new EventStream(config, spark, System.out).run(new EventStream.Options(line.hasOption("once"), every,
        line.hasOption("as-of") ? Commands.date(line, "as-of") : null, line.hasOption("allow-large-change"),
        sink != null, line.getOptionValue("checkpoint")));
    return Main.OK;
  }

  static Duration duration(String text) {
    Matcher m = DURATION.matcher(text.trim());
    if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
      throw new ConfigException("--trigger", "'" + text + "' is not a duration", "write e.g. 30s, 1m or 5m");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      default -> Duration.ofHours(n);
    };
  }
}
