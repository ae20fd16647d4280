package io.segments.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Locale;

/**
 * Reads an environment file and the segment files it includes into a validated {@link PipelineConfig}.
 * Everything that can be checked without Spark is checked here (names, kinds, windows, references between
 * features, cycles); rules are checked against the feature schema by the segment step's config check.
 */
public final class ConfigLoader {
  private static final int MAX = Integer.MAX_VALUE;

  /** The method's RFM table: the first condition over r, f, m (scores 1..5) that holds names the customer. */
  public static final List<Map.Entry<String, String>> DEFAULT_RFM_MAP = List.of(
      Map.entry("champions", "r >= 4 and f >= 4 and m >= 4"),
      Map.entry("at_risk_high_value", "r <= 2 and f >= 4 and m >= 4"),
      Map.entry("lost_high_value", "r = 1 and m >= 4"),
      Map.entry("loyal", "r >= 3 and f >= 4"),
      Map.entry("new", "r >= 4 and f <= 1"),
      Map.entry("lost_low_value", "r = 1"),
      Map.entry("about_to_churn", "r = 2"),
      Map.entry("average", "true"));

  private ConfigLoader() {}

  public static PipelineConfig load(Path file) {
    YamlNode root = YamlNode.load(file);
    Path dir = file.toAbsolutePath().getParent();
    List<YamlNode> files = new ArrayList<>(List.of(root));

    List<FeatureSpec> features = new ArrayList<>(FeatureConfig.parse(root));
    List<SegmentSpec> segments = new ArrayList<>(segments(root));
    List<Map.Entry<String, String>> rfmMap = rfmMap(root);
    for (YamlNode include : root.items("include")) {
      YamlNode included = YamlNode.load(dir.resolve(include.text()));
      files.add(included);
      features.addAll(FeatureConfig.parse(included));
      segments.addAll(segments(included));
      if (included.has("rfm_map")) {
        rfmMap = rfmMap(included);
      }
    }

    Map<String, String> spark = new LinkedHashMap<>();
    root.opt("spark").ifPresent(node -> node.entries().forEach((key, value) -> spark.put(key, value.text())));
    root.opt("embedded").ifPresent(node -> Embedded.settings(dir.resolve(node.string("warehouse")))
        .forEach(spark::putIfAbsent));

    SourceConfig source = SourceLoader.parse(root.get("source"));
    PipelineConfig config = new PipelineConfig(
        file,
        spark,
        timeZone(root),
        database(root),
        source,
        features,
        segments,
        audiences(root, segments),
        validate(root.opt("validate").orElse(null)),
        root.opt("publish").map(p -> p.decimal("max_change_share", 0.5, 0, false, 1, true)).orElse(0.5),
        root.opt("segments_state").map(s -> s.integer("replay_days", 28, 1, 3660)).orElse(28),
        root.opt("segments_state").map(s -> s.integer("replay_chunk_days", 7, 1, 3660)).orElse(7),
        rfmMap,
        root.opt("sinks").flatMap(s -> s.opt("postgres")).map(ConfigLoader::postgres).orElse(null),
        root.opt("lock").map(l -> l.integer("stale_after_minutes", 240, 1, MAX)).orElse(240));
    FeatureConfig.check(config);
    checkSegments(config);
    files.forEach(YamlNode::requireKnownKeys);
    return config;
  }

  private static String timeZone(YamlNode root) {
    return zone(root, "time_zone", "UTC");
  }

  /** A time zone such as UTC or Europe/Berlin at {@code key}, or the fallback when absent. */
  static String zone(YamlNode node, String key, String fallback) {
    String zone = node.string(key, fallback);
    try {
      java.time.ZoneId.of(zone);
    } catch (java.time.DateTimeException e) {
      throw new ConfigException(node.get(key).where(), "unknown " + key + " '" + zone + "'",
          "write a region such as UTC, Europe/Berlin or America/New_York");
    }
    return zone;
  }

  /** The output database: {@code schema}, or {@code catalog.schema} (e.g. Unity Catalog), each part a name. */
  private static String database(YamlNode root) {
    String database = root.string("database", "segments");
    String where = root.has("database") ? root.get("database").where() : root.where();
    String[] parts = database.split("\\.", -1);
    if (parts.length > 2) {
      throw new ConfigException(where, "database " + Identifiers.shown(database) + " has more than two parts",
          "write schema or catalog.schema");
    }
    for (String part : parts) {
      Identifiers.require(part, "database", where);
    }
    return database;
  }

  private static PostgresSinkConfig postgres(YamlNode node) {
    if (node.has("password")) {
      throw new ConfigException(node.get("password").where(), "a password in the config file",
          "remove it; set password_env (default SEGMENTS_PG_PASSWORD) or password_file instead");
    }
    String table = node.string("table", "audience_members");
    String[] parts = table.split("\\.", -1);
    String tableWhere = node.has("table") ? node.get("table").where() : node.where();
    if (parts.length > 2) {
      throw new ConfigException(tableWhere, "sinks.postgres.table " + Identifiers.shown(table)
          + " has more than two parts", "write table or schema.table, e.g. crm.audience_members");
    }
    for (String part : parts) {
      Identifiers.require(part, "sinks.postgres.table part", tableWhere);
    }
    return new PostgresSinkConfig(node.string("url", null), node.string("url_env", "SEGMENTS_PG_URL"),
        node.string("user", "segments"), node.string("password_env", null),
        node.string("password_file", null), table, node.where());
  }

  private static List<SegmentSpec> segments(YamlNode root) {
    List<SegmentSpec> specs = new ArrayList<>();
    for (YamlNode node : root.items("segments")) {
      specs.add(new SegmentSpec(
          node.string("name"), node.string("family", null), node.integer("priority", 100, 0, MAX),
          node.string("rule"), node.string("exit_rule", null), node.integer("min_days", 0, 0, MAX),
          node.string("description", ""), node.string("owner", ""), node.string("on_enter", ""),
          node.string("on_exit", ""), node.string("success_metric", ""), node.where(),
          node.choice("refresh", List.of(SegmentSpec.DAILY, SegmentSpec.EVENT), SegmentSpec.DAILY)));
    }
    return specs;
  }

  private static List<AudienceSpec> audiences(YamlNode root, List<SegmentSpec> segments) {
    Set<String> names = new LinkedHashSet<>();
    segments.forEach(s -> names.add(s.name()));
    List<AudienceSpec> audiences = new ArrayList<>();
    for (YamlNode node : root.items("audiences")) {
      String segment = node.string("segment");
      if (!names.contains(segment)) {
        throw new ConfigException(node.get("segment").where(), "audience refers to unknown segment '" + segment + "'",
            "use one of: " + names);
      }
      audiences.add(new AudienceSpec(node.string("name"), segment, node.strings("attributes"),
          node.strings("hashed_identifiers"), node.where()));
    }
    return audiences;
  }

  private static ValidateConfig validate(YamlNode node) {
    if (node == null) {
      return new ValidateConfig(List.of(), null, 7, null, 30, 200, 15.0, false);
    }
    return new ValidateConfig(node.strings("active_events"), node.string("activation_event", null),
        node.integer("activation_days", 7, 1, ValidateConfig.MAX_WINDOW_DAYS), node.string("conversion_event", null),
        node.integer("conversion_days", 30, 1, ValidateConfig.MAX_WINDOW_DAYS), node.integer("min_size", 200, 0, MAX),
        node.decimal("retention_gap_points", 15.0, 0, true, 100, true), node.bool("gate", false));
  }

  private static List<Map.Entry<String, String>> rfmMap(YamlNode root) {
    if (!root.has("rfm_map")) {
      return DEFAULT_RFM_MAP;
    }
    List<Map.Entry<String, String>> map = new ArrayList<>();
    for (YamlNode entry : root.items("rfm_map")) {
      String name = entry.string("name");
      String when = entry.string("when");
      ExpressionPolicy.check(when, Set.of("r", "f", "m"), entry.get("when").where() + " (rfm_map '" + name + "', when)",
          "RFM score");
      map.add(Map.entry(name, when));
    }
    return map;
  }

  private static void checkSegments(PipelineConfig config) {
    Set<String> names = new LinkedHashSet<>();
    Set<String> features = new LinkedHashSet<>();
    config.features().forEach(f -> features.add(f.name().toLowerCase(Locale.ROOT)));
    Set<String> columns = FeatureConfig.featureColumns(config.features());
    for (SegmentSpec segment : config.segments()) {
      requireViewName(segment.name(), "segment name", segment.where());
      if (!names.add(segment.name().toLowerCase(Locale.ROOT))) {
        throw new ConfigException(segment.where(), "segment '" + segment.name() + "' is declared twice",
            "rename or remove one (names are compared without case)");
      }
      if (features.contains(segment.name().toLowerCase(Locale.ROOT))) {
        throw new ConfigException(segment.where(), "segment '" + segment.name() + "' has the name of a feature",
            "give the segment a different name");
      }
      if (segment.family() != null) {
        Identifiers.require(segment.family(), "family name", segment.where());
        if (List.of("user_id", "segments").contains(segment.family().toLowerCase(Locale.ROOT))) {
          throw new ConfigException(segment.where(), "family '" + segment.family() + "' has the name of a column of"
              + " user_segments", "give the family a different name");
        }
      }
      String where = segment.where() + " (segment '" + segment.name() + "', ";
      ExpressionPolicy.check(segment.rule(), columns, where + "rule)", "feature");
      if (segment.exitRule() != null) {
        ExpressionPolicy.check(segment.exitRule(), columns, where + "exit_rule)", "feature");
      }
    }
    checkCadences(config.segments());
    Set<String> audienceNames = new LinkedHashSet<>();
    for (AudienceSpec audience : config.audiences()) {
      requireViewName(audience.name(), "audience name", audience.where());
      if (!audienceNames.add(audience.name().toLowerCase(Locale.ROOT))) {
        throw new ConfigException(audience.where(), "audience '" + audience.name() + "' is declared twice",
            "rename or remove one (names are compared without case)");
      }
      for (String attribute : audience.attributes()) {
        Identifiers.require(attribute, "export attribute", audience.where());
      }
      for (String identifier : audience.hashedIdentifiers()) {
        Identifiers.require(identifier, "hashed identifier", audience.where());
      }
      if ((!audience.attributes().isEmpty() || !audience.hashedIdentifiers().isEmpty())
          && config.source().users() == null) {
        throw new ConfigException(audience.where(), "audience '" + audience.name()
            + "' exports user attributes but no users table is configured", "set source.users or remove the attributes");
      }
    }
  }

  /**
   * A family has one cadence: its segments are exclusive, so the stream and the daily run could not each decide a
   * part of it (a user would be in two of its segments between the stream's batch and the next daily run).
   */
  private static void checkCadences(List<SegmentSpec> segments) {
    Map<String, SegmentSpec> first = new LinkedHashMap<>();
    for (SegmentSpec segment : segments) {
      if (segment.family() == null) {
        continue;
      }
      SegmentSpec other = first.putIfAbsent(segment.family().toLowerCase(Locale.ROOT), segment);
      if (other != null && !other.refresh().equals(segment.refresh())) {
        throw new ConfigException(segment.where(), "segment '" + segment.name() + "' has refresh: " + segment.refresh()
            + " but '" + other.name() + "' of the same family '" + segment.family() + "' has refresh: "
            + other.refresh(), "give every segment of family '" + segment.family() + "' the same refresh");
      }
    }
  }

  /** Audiences (and segments, when no audience is configured) name the views audience_NAME. */
  private static void requireViewName(String name, String what, String where) {
    Identifiers.require(name, what, where);
    if (("audience_" + name).length() > 63) {
      throw new ConfigException(where, what + " '" + name + "' is " + name.length() + " characters long; its view"
          + " audience_" + name + " would pass 63", "shorten it to at most 54 characters");
    }
  }
}
