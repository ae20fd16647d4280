package io.segments.jobs;

import io.segments.config.ConfigException;
import io.segments.config.SourcePreset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code init}: writes a minimal commented config to start from: the source (a collector's preset, or the
 * pipeline's column names to map), three features, one family of three segments with entry rules and priorities,
 * an audience and the outcome checks. check-config accepts it as written; no Spark, nothing read.
 */
final class InitCommand {
  static final String SUMMARY = "write a starter config: source, three features, a family of three segments, validate";
  static final String ARGUMENTS = "[--preset NAME] [--events TABLE_OR_PATH] [--key-event NAME] [--out FILE]";

  private InitCommand() {}

  static Options options() {
    return CommandOptions.help()
        .addOption(Option.builder().longOpt("preset").hasArg().argName("NAME")
            .desc("the collector whose schema the events have: " + presets() + " (default: map the columns by hand)").get())
        .addOption(Option.builder().longOpt("events").hasArg().argName("SOURCE")
            .desc("the events: a table (db.table) or format:path such as delta:/data/events (default: a placeholder)").get())
        .addOption(Option.builder().longOpt("key-event").hasArg().argName("NAME")
            .desc("the event of the value moment, which activation is measured by (default: a placeholder)").get())
        .addOption(Option.builder().longOpt("out").hasArg().argName("FILE")
            .desc("where to write the config (default: segments.yaml); an existing file is not overwritten").get());
  }

  static int run(CommandLine line) throws Exception {
    SourcePreset preset = preset(line.getOptionValue("preset"));
    String events = line.getOptionValue("events", "my_db.events");
    String key = line.getOptionValue("key-event", "key_action");
    Path out = Path.of(line.getOptionValue("out", "segments.yaml"));
    if (Files.exists(out)) {
      throw new ConfigException("--out", out + " exists and init does not overwrite a config",
          "give another file with --out, or move " + out + " aside");
    }
    Files.writeString(out, config(preset, events, key));
    System.out.println("wrote " + out);
    System.out.println("next:");
    if (!line.hasOption("events") || !line.hasOption("key-event")) {
      System.out.println("  edit the placeholders in " + out + (line.hasOption("events") ? "" : " (source.events)")
          + (line.hasOption("key-event") ? "" : " (the key event: key_action)"));
    }
    System.out.println("  ./segments check-config --config " + out);
    System.out.println("  ./segments run --as-of <yesterday, yyyy-mm-dd> --config " + out);
    System.out.println("  ./segments report --as-of <the same day> --config " + out);
    return Main.OK;
  }

  private static SourcePreset preset(String name) {
    if (name == null) {
      return null;
    }
    try {
      return SourcePreset.valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("--preset", "unknown preset '" + name + "'", "use one of " + presets());
    }
  }

  private static String presets() {
    return String.join(", ", SourcePreset.keys());
  }

  /** The config's text. Names are quoted, so any event name or source is valid YAML. */
  static String config(SourcePreset preset, String events, String key) {
    String source = preset == null
        ? "  # Map the pipeline's columns (left) to your table's (right); revenue, anonymous_id and properties are\n"
            + "  # optional (docs/sources.md).\n"
            + "  columns: {event_id: event_id, user_id: user_id, event_name: event_name, event_at: event_at}\n"
        : "  preset: " + preset.key() + "                     # the collector's schema (docs/sources.md)\n";
    return """
        # A starter config written by `./segments init`. Sources: docs/sources.md; feature kinds: docs/features.md;
        # rules: docs/expressions.md; a full example: conf/local.yaml and conf/segments/.
        # The method: start from a decision, name the value moment as an observable event, then 2-4 segments
        # with clear entry and exit rules and a priority for overlaps, each checked against one outcome.
        database: segments                  # where the output tables are written
        time_zone: UTC                      # the zone whose calendar days define "a day"

        # Local runs: Spark inside the command, a Delta warehouse and its metastore in this directory (relative to
        # this file). Leave this block out on a cluster, where the cluster's Spark and catalog are used.
        embedded:
          warehouse: warehouse

        source:
          events: %s
        %s  # vocabulary: [...]             # omitted: every event name is accepted

        features:
          - {name: active_days_28d, kind: active_days, window_days: 28}
          - {name: days_since_last_event, kind: recency}
          - {name: key_events_7d, kind: count, events: [%s], window_days: 7}

        # Decision: whom to ask for a referral, whom to nudge, whom to win back before they churn.
        # One family: a user is in at most one of these; the lowest priority number wins.
        segments:
          - name: power_users
            family: engagement
            priority: 1
            rule: active_days_28d >= 12 and key_events_7d >= 3
            exit_rule: active_days_28d < 8
            description: Active on 12+ of the last 28 days and the key event 3+ times this week; leaves below 8 days
          - name: casual_users
            family: engagement
            priority: 2
            rule: active_days_28d >= 2 and days_since_last_event <= 7
            description: Active on 2+ of the last 28 days, one of them this week
          - name: slipping_away
            family: engagement
            priority: 3
            rule: days_since_last_event > 7 and days_since_last_event <= 30
            description: Nothing for 8 to 30 days

        audiences:                          # what reverse-ETL tools sync: audience_members
          - {name: win_back, segment: slipping_away}

        validate:
          activation_event: %s    # the value moment
          activation_days: 7
          min_size: 200                     # smaller segments are too small to trust
          retention_gap_points: 15          # segments of a family should differ by this much day-30 retention
        """.formatted(quoted(events), source, quoted(key), quoted(key));
  }

  private static String quoted(String text) {
    return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
