package io.segments.config;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Reads the {@code source:} block: a preset's mapping first, then the config's own keys over it. */
final class SourceLoader {
  private static final int MAX = Integer.MAX_VALUE;

  private SourceLoader() {}

  static SourceConfig parse(YamlNode node) {
    SourcePreset preset = node.has("preset")
        ? SourcePreset.valueOf(node.choice("preset", SourcePreset.keys(), null).toUpperCase(java.util.Locale.ROOT))
        : null;
    String events = node.string("events");
    Map<String, String> columns = new HashMap<>(preset == null ? Map.of() : preset.columns(SourceConfig.COLUMNS));
    node.opt("columns").ifPresent(c -> c.entries().forEach((key, value) -> {
      if (!SourceConfig.COLUMNS.contains(key)) {
        throw new ConfigException(value.where(), "unknown source column key '" + key + "'",
            "map only these pipeline columns: " + SourceConfig.COLUMNS);
      }
      if (value.isNull() && SourceConfig.REQUIRED.contains(key)) {
        throw new ConfigException(value.where(), "source.columns." + key + " is empty, but every event needs one",
            "name the source column that holds " + key);
      }
      columns.put(key, value.isNull() ? "" : value.text());
    }));
    List<String> dedupeKey = node.has("dedupe_key") ? node.strings("dedupe_key")
        : node.written("dedupe_key") ? List.of()
        : preset != null && preset.dedupeKey() != null ? preset.dedupeKey() : List.of("event_id");
    String dedupeWhere = node.has("dedupe_key") ? node.get("dedupe_key").where() : node.where();
    for (String key : dedupeKey) {
      if (!SourceConfig.COLUMNS.contains(key)) {
        throw new ConfigException(dedupeWhere, "dedupe_key names '" + key + "', which is not a pipeline column",
            "use some of " + SourceConfig.COLUMNS);
      }
      if ("".equals(columns.get(key)) || SourceConfig.OPTIONAL.contains(key) && !columns.containsKey(key)) {
        throw new ConfigException(dedupeWhere, "dedupe_key names '" + key + "', which the source does not have"
            + " (source.columns." + key + " maps it to nothing)", "map source.columns." + key
            + ", or identify an event by other columns, e.g. dedupe_key: [user_id, event_name, event_at]");
      }
    }
    Map<String, String> options = new HashMap<>();
    node.opt("options").ifPresent(o -> o.entries().forEach((key, value) -> options.put(key, value.text())));
    if (!options.isEmpty() && SourceConfig.pathFormat(events) == null) {
      throw new ConfigException(node.get("options").where(), "source.options apply to a path source, but"
          + " source.events '" + events + "' is a table", "remove source.options, or point source.events at"
          + " format:path (e.g. csv:/data/events.csv) to read files with these options");
    }
    String unit = node.has("timestamp_unit") ? node.choice("timestamp_unit", SourceConfig.TIMESTAMP_UNITS, null)
        : preset == null || node.written("timestamp_unit") ? null : preset.timestampUnit();
    SourceConfig.Identity identity = node.opt("identity").map(SourceLoader::identity).orElse(SourceConfig.Identity.OFF);
    if (identity.stitch() && columns.getOrDefault("anonymous_id", "").isEmpty()) {
      throw new ConfigException(node.get("identity").where(), "source.identity.stitch needs an anonymous id column,"
          + " but source.columns maps no anonymous_id", "set source.columns.anonymous_id (e.g. anonymous_id,"
          + " device_id), or use a preset that maps it");
    }
    return new SourceConfig(events, columns, node.string("users", null), node.strings("vocabulary"),
        node.integer("future_tolerance_hours", 24, 0, MAX),
        node.decimal("max_quarantine_share", 0.05, 0, true, 1, true),
        dedupeKey, node.opt("bot_filter").map(b -> (long) b.integer("max_events_per_day", 0, 0, MAX)).orElse(0L),
        node.integer("lookback_days", 0, 0, MAX), options, ConfigLoader.zone(node, "timestamp_zone", "UTC"), unit,
        preset == null ? null : preset.key(), identity,
        node.opt("freshness").map(f -> new SourceConfig.Freshness(f.decimal("min_share", 0, 0, true, 1, true),
            f.integer("max_lag_hours", 0, 0, MAX))).orElse(SourceConfig.Freshness.DEFAULT));
  }

  private static SourceConfig.Identity identity(YamlNode node) {
    YamlNode columns = node.opt("columns").orElse(null);
    return new SourceConfig.Identity(node.bool("stitch", false), node.string("table", null),
        columns == null ? "user_id" : columns.string("user_id", "user_id"),
        columns == null ? "anonymous_id" : columns.string("anonymous_id", "anonymous_id"));
  }
}
