package io.segments.jobs;

import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** The options of the commands, shared by those that take them. */
final class CommandOptions {
  private CommandOptions() {}

  static Options common() {
    return common("the config (default: $SEGMENTS_CONFIG or " + Commands.DEFAULT_CONFIG + ")");
  }

  /** --help, --verbose, --warehouse and a --config described as {@code config}. */
  static Options common(String config) {
    return help()
        .addOption(Option.builder().longOpt("config").hasArg().argName("FILE").desc(config).get())
        .addOption(Option.builder().longOpt("warehouse").hasArg().argName("DIR")
            .desc("embedded warehouse directory (overrides embedded.warehouse)").get());
  }

  static Options asOf(Options options) {
    return options.addOption(Option.builder().longOpt("as-of").hasArg().argName("D").required()
        .desc("the as-of day, yyyy-mm-dd (the calendar day in the configured time zone)").get());
  }

  static Options range(Options options) {
    return options
        .addOption(Option.builder().longOpt("from").hasArg().argName("D1").required().desc("first day").get())
        .addOption(Option.builder().longOpt("to").hasArg().argName("D2").required().desc("last day").get());
  }

  /** The options of a command that stages and rolls up the day's events. */
  static Options withStaging(Options options) {
    return options
        .addOption(Option.builder().longOpt("allow-stale")
            .desc("run even if the as-of day's events have not arrived (source.freshness): a known-quiet day").get())
        .addOption(Option.builder().longOpt("full")
            .desc("rebuild the rollup from all events (default: only days whose events changed)").get());
  }

  /** The options of a command that publishes. */
  static Options withPublishing(Options options) {
    return options
        .addOption(Option.builder().longOpt("allow-large-change")
            .desc("publish even if an audience moves more than publish.max_change_share").get())
        .addOption(Option.builder().longOpt("sink").hasArg().argName("SINK")
            .desc("also apply audience_members changes to this sink: postgres (sinks.postgres in the config)").get());
  }

  static Options withGenerate(Options options) {
    return options
        .addOption(Option.builder().longOpt("users").hasArg().argName("N").desc("users (default 4000)").get())
        .addOption(Option.builder().longOpt("days").hasArg().argName("N").desc("days of history (default 120)").get())
        .addOption(Option.builder().longOpt("end").hasArg().argName("D").desc("last day (default 2026-10-31)").get())
        .addOption(Option.builder().longOpt("seed").hasArg().argName("N").desc("random seed (default 42)").get())
        .addOption(Option.builder().longOpt("database").hasArg().argName("DB").desc("target database (default demo)").get())
        .addOption(Option.builder().longOpt("parquet").hasArg().argName("DIR")
            .desc("also write events and users as Parquet under DIR").get());
  }

  /** Only --verbose and --help. */
  static Options help() {
    return new Options()
        .addOption(Option.builder().longOpt("verbose").desc("print stack traces on errors").get())
        .addOption(Option.builder("h").longOpt("help").desc("show this help").get());
  }

  static Options outOption(Options options) {
    return options.addOption(Option.builder().longOpt("out").hasArg().argName("FILE")
        .desc("where to write the HTML (default: beside the warehouse, or ./<name>.html)").get());
  }

  static Options explainOptions(Options options) {
    return asOf(options)
        .addOption(Option.builder().longOpt("user").hasArg().argName("U").desc("the user to explain").get())
        .addOption(Option.builder().longOpt("segment").hasArg().argName("S").desc("only this segment").get())
        .addOption(Option.builder().longOpt("sample").hasArg().argName("N")
            .desc("explain N members of --segment (the method's audit: 10)").get());
  }

  static Options sqlOptions(Options options) {
    return options
        .addOption(Option.builder().longOpt("format").hasArg().argName("FORMAT").desc("table (default), csv or json").get())
        .addOption(Option.builder().longOpt("limit").hasArg().argName("N").desc("rows to print (default 1000; 0: all)").get());
  }
}
