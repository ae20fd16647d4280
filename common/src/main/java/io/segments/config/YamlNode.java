package io.segments.config;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A parsed YAML value that remembers the file and line it came from, so every config error can point at
 * the text to change. Scalars stay strings until a typed accessor reads them. A map remembers which keys
 * the loader asked for: after loading, {@link #requireKnownKeys} refuses any other key (a typo such as
 * {@code window_day}) with the closest key the loader knows. Duplicate keys are refused when parsing
 * ({@link YamlFiles}). Typed reads are recorded for docs/config.md ({@link ConfigKeys}).
 */
public final class YamlNode {
  private final Path file;
  private final int line;
  /** Where in the config this is, e.g. {@code source.columns} or {@code features[]} ("" for the root). */
  private final String path;
  private final String scalar;
  private final Map<String, YamlNode> map;
  private final List<YamlNode> list;
  private final Set<String> asked = new LinkedHashSet<>();
  private boolean freeForm;

  YamlNode(Path file, int line, String path, String scalar, Map<String, YamlNode> map, List<YamlNode> list) {
    this.file = file;
    this.line = line;
    this.path = path;
    this.scalar = scalar;
    this.map = map;
    this.list = list;
  }

  /** Reads a YAML file; a syntax error names the file and line. */
  public static YamlNode load(Path file) {
    return YamlFiles.load(file);
  }

  public Path file() {
    return file;
  }

  public int line() {
    return line;
  }

  /** "file:line", for error messages. */
  public String where() {
    return file + ":" + line;
  }

  public boolean has(String key) {
    asked.add(key);
    read(key, "", null, null);
    return map != null && map.containsKey(key) && map.get(key).scalarOrStructure();
  }

  /** Whether the key is written here at all, even without a value ({@code key: ~}). */
  public boolean written(String key) {
    asked.add(key);
    read(key, "", null, null);
    return map != null && map.containsKey(key);
  }

  /** A key written without a value ({@code key:} or {@code key: ~}). */
  public boolean isNull() {
    return !scalarOrStructure();
  }

  private boolean scalarOrStructure() {
    return scalar != null || map != null || list != null;
  }

  /** All entries of a map whose keys are free (e.g. Spark settings); its keys count as known. */
  public Map<String, YamlNode> entries() {
    requireMap();
    freeForm = true;
    ConfigKeys.read(path, "map", null, null);
    return map;
  }

  public YamlNode get(String key) {
    requireMap();
    asked.add(key);
    YamlNode child = map.get(key);
    if (child == null || !child.scalarOrStructure()) {
      throw new ConfigException(where(), "missing required key '" + key + "'", "add '" + key + ": ...' here");
    }
    return child;
  }

  public Optional<YamlNode> opt(String key) {
    return has(key) ? Optional.of(map.get(key)) : Optional.empty();
  }

  public String text() {
    if (scalar == null) {
      throw new ConfigException(where(), "expected a single value, found a " + (map != null ? "map" : list != null ? "list" : "null"),
          "write a plain value here");
    }
    return scalar;
  }

  public String string(String key) {
    read(key, "text (required)", null, null);
    return get(key).text();
  }

  public String string(String key, String fallback) {
    return has(key, "text", fallback, null) ? get(key).text() : fallback;
  }

  public int integer(String key, int fallback) {
    return has(key, "whole number", fallback, null) ? get(key).asInt(key) : fallback;
  }

  public double decimal(String key, double fallback) {
    if (!has(key, "number", fallback, null)) {
      return fallback;
    }
    YamlNode node = get(key);
    try {
      return Double.parseDouble(node.text());
    } catch (NumberFormatException e) {
      throw new ConfigException(node.where(), "'" + key + "' must be a number, found '" + node.text() + "'",
          "write a number such as 0.5");
    }
  }

  public boolean bool(String key, boolean fallback) {
    if (!has(key, "true or false", fallback, null)) {
      return fallback;
    }
    YamlNode node = get(key);
    return switch (node.text().toLowerCase()) {
      case "true", "yes", "on" -> true;
      case "false", "no", "off" -> false;
      default -> throw new ConfigException(node.where(), "'" + key + "' must be true or false, found '" + node.text() + "'",
          "write true or false");
    };
  }

  /** A whole number in [min, max], or the fallback when absent. */
  public int integer(String key, int fallback, int min, int max) {
    if (!has(key, "whole number", fallback, range(min, max))) {
      return fallback;
    }
    int value = get(key).asInt(key);
    if (value < min || value > max) {
      throw new ConfigException(get(key).where(), "'" + key + "' is " + value + ", outside " + range(min, max),
          "write a whole number " + range(min, max));
    }
    return value;
  }

  /** A number within the bounds (each inclusive or not), or the fallback when absent. */
  public double decimal(String key, double fallback, double min, boolean minInclusive, double max,
      boolean maxInclusive) {
    String bounds = (minInclusive ? "[" : "(") + min + ", " + (max == Double.MAX_VALUE ? "..." : max)
        + (maxInclusive ? "]" : ")");
    read(key, "number", fallback, "in " + bounds);
    double value = decimal(key, fallback);
    boolean low = minInclusive ? value < min : value <= min;
    boolean high = maxInclusive ? value > max : value >= max;
    if (has(key) && (low || high || Double.isNaN(value))) {
      throw new ConfigException(get(key).where(), "'" + key + "' is " + get(key).text() + ", outside " + bounds,
          "write a number in " + bounds);
    }
    return value;
  }

  /** One of the listed words, or the fallback when absent. */
  public String choice(String key, List<String> words, String fallback) {
    if (!has(key, "one of " + String.join(", ", words), fallback, null)) {
      return fallback;
    }
    String value = get(key).text();
    if (!words.contains(value)) {
      throw new ConfigException(get(key).where(), "'" + key + "' is '" + value + "', not one of " + words,
          "write one of " + String.join(", ", words));
    }
    return value;
  }

  /** {@link #has(String)}, recording the key's type, default and range (docs/config.md: {@link ConfigKeys}). */
  private boolean has(String key, String type, Object fallback, String range) {
    read(key, type, fallback, range);
    return has(key);
  }

  /** Records the type of a key read with {@link #get} and parsed by the caller (docs/config.md). */
  void describe(String key, String type) {
    read(key, type, null, null);
  }

  private void read(String key, String type, Object fallback, String range) {
    ConfigKeys.read(path.isEmpty() ? key : path + "." + key, type, fallback, range);
  }

  private static String range(int min, int max) {
    return max == Integer.MAX_VALUE ? ">= " + min : "in [" + min + ", " + max + "]";
  }

  /**
   * Refuses keys the loader never asked for, in this map and every map below it, naming the closest known key.
   * Call after the whole file has been read.
   */
  public void requireKnownKeys() {
    if (map != null) {
      for (Map.Entry<String, YamlNode> entry : map.entrySet()) {
        if (!freeForm && !asked.contains(entry.getKey())) {
          throw new ConfigException(entry.getValue().where(), "unknown key '" + entry.getKey() + "'",
              asked.isEmpty() ? "remove it: this map takes no keys"
                  : "did you mean '" + Suggestions.nearest(entry.getKey(), asked) + "'? Keys here: "
                      + String.join(", ", asked));
        }
        entry.getValue().requireKnownKeys();
      }
    }
    if (list != null) {
      list.forEach(YamlNode::requireKnownKeys);
    }
  }

  private int asInt(String key) {
    try {
      return Integer.parseInt(text().trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(where(), "'" + key + "' must be a whole number, found '" + text() + "'",
          "write a whole number such as 7");
    }
  }

  /** A list of nodes; a single scalar counts as a one-element list. */
  public List<YamlNode> items(String key) {
    if (!has(key, "list", null, null)) {
      return List.of();
    }
    YamlNode node = get(key);
    if (node.list != null) {
      return node.list;
    }
    if (node.scalar != null) {
      return List.of(node);
    }
    throw new ConfigException(node.where(), "'" + key + "' must be a list", "write it as [a, b] or as '- a' lines");
  }

  public List<String> strings(String key) {
    read(key, "list of text", null, null);
    return items(key).stream().map(YamlNode::text).toList();
  }

  private void requireMap() {
    if (map == null) {
      throw new ConfigException(where(), "expected a map of 'key: value' entries", "indent the entries under this key");
    }
  }
}
