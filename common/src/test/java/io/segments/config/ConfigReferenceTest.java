package io.segments.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * docs/config.md's table of keys is what the loader reads: every key of the shipped configs and of a fixture that
 * reaches the rest, with the type, default and range the loader reads it with. When a key changes the table is
 * stale and this test fails; {@code -Dconfig.reference.write=true} writes the new table into the file.
 */
class ConfigReferenceTest {
  static final Path DOC = Path.of("..", "docs", "config.md");
  static final String BEGIN = "<!-- keys: written by ConfigReferenceTest -->";
  static final String END = "<!-- keys: end -->";

  static String table() {
    Map<String, ConfigKeys.Key> keys = ConfigKeys.newMap();
    for (Path config : List.of(Path.of("..", "conf", "local.yaml"), Path.of("..", "conf", "cluster.yaml"),
        Path.of("..", "conf", "bench.yaml"), Path.of("src", "test", "resources", "config-reference.yaml"))) {
      ConfigKeys.recorded(keys, () -> ConfigLoader.load(config));
    }
    StringBuilder out = new StringBuilder("| key | type | default | range |\n|---|---|---|---|\n");
    keys.values().stream().filter(key -> !key.type().isEmpty() || !keys.keySet().stream()
            .anyMatch(other -> other.startsWith(key.path() + ".") || other.startsWith(key.path() + "[]")))
        .forEach(key -> out.append(String.format("| `%s` | %s | %s | %s |%n", key.path(),
            key.type().isEmpty() ? "see above" : key.type(), key.fallback().isEmpty() ? "-" : "`" + key.fallback() + "`",
            key.range().isEmpty() ? "-" : key.range())));
    return out.toString();
  }

  @Test
  void theDocumentedKeysAreTheKeysTheLoaderReads() throws Exception {
    String doc = Files.readString(DOC);
    int begin = doc.indexOf(BEGIN);
    int end = doc.indexOf(END);
    assertTrue(begin >= 0 && end > begin, DOC + " has the markers " + BEGIN + " and " + END);
    String written = doc.substring(begin + BEGIN.length(), end).strip() + "\n";
    String wanted = table();
    if (Boolean.getBoolean("config.reference.write") && !written.equals(wanted)) {
      Files.writeString(DOC, doc.substring(0, begin + BEGIN.length()) + "\n" + wanted + doc.substring(end));
      return;
    }
    assertEquals(wanted, written, DOC + " is stale: rerun this test with -Dconfig.reference.write=true and commit it");
  }

  @Test
  void aKeyIsRecordedWithItsTypeDefaultAndRange() {
    Map<String, ConfigKeys.Key> keys = ConfigKeys.newMap();
    ConfigKeys.recorded(keys, () -> ConfigLoader.load(Path.of("..", "conf", "local.yaml")));
    assertEquals(new ConfigKeys.Key("segments_state.replay_days", "whole number", "28", "in [1, 3660]"),
        keys.get("segments_state.replay_days"));
    assertEquals("0.5", keys.get("publish.max_change_share").fallback());
    assertTrue(keys.containsKey("features[].window_days"), keys.keySet().toString());
    Map<String, ConfigKeys.Key> before = Map.copyOf(keys);
    ConfigLoader.load(Path.of("src", "test", "resources", "config-reference.yaml"));
    assertEquals(before, keys, "nothing is recorded outside ConfigKeys.recorded");
  }
}
