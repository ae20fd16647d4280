package io.segments.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Parses a YAML file into {@link YamlNode}s that remember their file, line and path in the config
 * ({@code source.columns}, {@code features[]}); refuses duplicate keys and keys that are not plain words.
 */
final class YamlFiles {
  private YamlFiles() {}

  /** Reads a YAML file; a syntax error names the file and line. */
  static YamlNode load(Path file) {
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      Node root = new Yaml(new LoaderOptions()).compose(reader);
      if (root == null) {
        return new YamlNode(file, 1, "", null, new LinkedHashMap<>(), null);
      }
      return convert(file, root, "");
    } catch (NoSuchFileException e) {
      throw new ConfigException(file.toString(), "config file not found",
          "pass an existing file with --config (the embedded default is conf/local.yaml)");
    } catch (MarkedYAMLException e) {
      int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
      throw new ConfigException(file + ":" + line, "YAML syntax error: " + e.getProblem(),
          "fix the YAML at that line (indentation, a missing ':' or an unquoted special character)");
    } catch (IOException e) {
      throw new ConfigException(file.toString(), "cannot read config file: " + e.getMessage(),
          "check the path and its permissions");
    }
  }

  private static YamlNode convert(Path file, Node node, String path) {
    int line = node.getStartMark().getLine() + 1;
    if (node instanceof ScalarNode scalarNode) {
      String value = scalarNode.getValue();
      boolean isNull = "null".equals(scalarNode.getTag().getValue().replace("tag:yaml.org,2002:", ""))
          || (value.isEmpty() && scalarNode.getScalarStyle().getChar() == null);
      return new YamlNode(file, line, path, isNull ? null : value, null, null);
    }
    if (node instanceof SequenceNode sequenceNode) {
      List<YamlNode> items = new ArrayList<>();
      for (Node item : sequenceNode.getValue()) {
        items.add(convert(file, item, path + "[]"));
      }
      return new YamlNode(file, line, path, null, null, items);
    }
    MappingNode mappingNode = (MappingNode) node;
    Map<String, YamlNode> entries = new LinkedHashMap<>();
    for (NodeTuple tuple : mappingNode.getValue()) {
      if (!(tuple.getKeyNode() instanceof ScalarNode keyNode)) {
        throw new ConfigException(file + ":" + (tuple.getKeyNode().getStartMark().getLine() + 1),
            "a key must be a plain word", "write 'key: value'");
      }
      String key = keyNode.getValue();
      if (entries.containsKey(key)) {
        throw new ConfigException(file + ":" + (keyNode.getStartMark().getLine() + 1), "duplicate key '" + key
            + "' (first at line " + entries.get(key).line() + ")", "keep one of them");
      }
      entries.put(key, convert(file, tuple.getValueNode(), path.isEmpty() ? key : path + "." + key));
    }
    return new YamlNode(file, line, path, null, entries, null);
  }
}
