package io.segments.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped config loads; each config mistake fails with file, line and a fix. */
class ConfigLoaderTest {
  @TempDir Path dir;

  private static final String SOURCE = "source:\n  events: demo.events\n";

  private ConfigException failure(String yaml) throws IOException {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(file, yaml);
    return assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
  }

  @Test
  void theShippedLocalConfigLoads() {
    PipelineConfig config = ConfigLoader.load(Path.of("..", "conf", "local.yaml"));
    assertEquals("segments", config.database());
    assertTrue(config.features().size() >= 15, "features from conf/segments/features.yaml");
    assertTrue(config.segments().stream().anyMatch(s -> s.name().equals("collaborative_starters")));
    assertEquals(Path.of("..", "warehouse").toAbsolutePath().normalize(),
        Path.of(java.net.URI.create(config.spark().get("spark.sql.warehouse.dir"))),
        "embedded.warehouse resolves against the config file's folder");
  }

  @Test
  void theShippedClusterConfigLoads() {
    PipelineConfig config = ConfigLoader.load(Path.of("..", "conf", "cluster.yaml"));
    assertEquals("America/New_York", config.timeZone());
    assertTrue(!config.spark().containsKey("spark.master"), "a cluster config leaves the master to spark-submit");
  }

  @Test
  void unknownKindNamesFileLineAndTheKinds() throws IOException {
    ConfigException e = failure(SOURCE + "features:\n  - name: x\n    kind: countt\n");
    assertTrue(e.getMessage().contains("bad.yaml:5"), e.getMessage());
    assertTrue(e.getMessage().contains("unknown feature kind 'countt'"), e.getMessage());
    assertTrue(e.fix().contains("count, active_days"), e.fix());
  }

  @Test
  void windowMustBeAPositiveWholeNumberOfDays() throws IOException {
    assertTrue(failure(SOURCE + "features:\n  - {name: x, kind: count, window_days: 0}\n").getMessage()
        .contains("window_days must be a positive whole number"));
    assertTrue(failure(SOURCE + "features:\n  - {name: x, kind: count, window_days: 7.5}\n").getMessage()
        .contains("must be a whole number"));
  }

  @Test
  void expressionCyclesAreRefused() throws IOException {
    ConfigException e = failure(SOURCE + "features:\n"
        + "  - {name: a, kind: expression, expression: 'b + 1'}\n"
        + "  - {name: b, kind: expression, expression: 'a * 2'}\n");
    assertTrue(e.getMessage().contains("cycle"), e.getMessage());
  }

  @Test
  void incompleteSequenceSaysWhatToAdd() throws IOException {
    ConfigException e = failure(SOURCE + "features:\n  - {name: s, kind: sequence, first: a}\n");
    assertTrue(e.fix().contains("then"), e.fix());
  }

  @Test
  void audienceOfAnUnknownSegmentIsRefused() throws IOException {
    ConfigException e = failure(SOURCE + "segments:\n  - {name: s1, rule: 'true'}\n"
        + "audiences:\n  - {name: a, segment: s2}\n");
    assertTrue(e.getMessage().contains("unknown segment 's2'"), e.getMessage());
  }

  @Test
  void yamlSyntaxErrorsGiveTheLine() throws IOException {
    ConfigException e = failure(SOURCE + "features:\n  - name: x\n   kind: count\n");
    assertTrue(e.getMessage().startsWith(dir.resolve("bad.yaml") + ":"), e.getMessage());
    assertTrue(e.getMessage().contains("YAML syntax error"), e.getMessage());
  }

  @Test
  void aPasswordInTheConfigFileIsRefused() throws IOException {
    ConfigException e = failure(SOURCE + "sinks:\n  postgres:\n    url: jdbc:postgresql://h/db\n    password: hunter2\n");
    assertTrue(e.getMessage().contains("a password in the config file"), e.getMessage());
    assertTrue(!e.getMessage().contains("hunter2"), "the secret is not echoed");
    assertTrue(e.fix().contains("password_env"), e.fix());
  }

  @Test
  void missingSourceIsNamed() throws IOException {
    ConfigException e = failure("features: []\n");
    assertTrue(e.getMessage().contains("missing required key 'source'"), e.getMessage());
  }
}
