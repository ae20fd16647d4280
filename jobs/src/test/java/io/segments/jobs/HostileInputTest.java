package io.segments.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The checked-in corpus of hostile expressions and names (src/test/resources/hostile), each placed in a config
 * where analysts or engineers write one and run through a real command on a warehouse with data: every one is
 * refused with exit 2, one short message and no stack trace, and no file of the warehouse changes.
 */
class HostileInputTest {
  static final String D = "2026-10-31";
  static Path warehouse;
  static Path dir;

  /** The benign value of every slot; a case replaces one of them. */
  static final Map<String, String> BENIGN = Map.of(
      "DATABASE", "hostile_out", "FEATURE_NAME", "comments_total", "FEATURE_EXPR", "invites_7d - comments_14d",
      "RFM_WHEN", "r >= 4 and f >= 4", "SEGMENT", "inviters", "FAMILY", "teams", "RULE", "invites_7d >= 1",
      "EXIT_RULE", "invites_7d = 0 and comments_14d = 0", "AUDIENCE", "inviters_crm", "ATTRIBUTE", "plan");

  static final String TEMPLATE = """
      spark:
        spark.master: local[2]
        spark.sql.shuffle.partitions: 2
      database: DATABASE
      source:
        events: demo.events
        users: demo.users
        columns: {revenue: revenue_usd}
      features:
        - {name: invites_7d, kind: count, events: [invite_teammate], window_days: 7}
        - {name: comments_14d, kind: count, events: [comment], window_days: 14}
        - {name: FEATURE_NAME, kind: count, events: [comment]}
        - {name: balance, kind: expression, expression: FEATURE_EXPR}
        - {name: value, kind: rfm, window_days: 30}
      rfm_map:
        - {name: champions, when: RFM_WHEN}
        - {name: everyone_else, when: "true"}
      segments:
        - {name: SEGMENT, family: FAMILY, rule: RULE, exit_rule: EXIT_RULE}
        - {name: quiet, family: FAMILY, priority: 200, rule: "comments_14d = 0"}
      audiences:
        - {name: AUDIENCE, segment: SEGMENT, attributes: [ATTRIBUTE]}
      sinks:
        postgres: {url: "jdbc:postgresql://127.0.0.1:9/none", table: SINK_TABLE}
      """;

  /** What the expression policy and the identifier rule say; any other error would mean the template broke. */
  static final List<String> REFUSALS = List.of("is refused: ", "is not a valid name", "would pass 63",
      "has more than two parts");

  static final String[][] COMMANDS = {
      {"check-config"}, {"run", "--as-of", D}, {"backfill", "--from", "2026-10-30", "--to", D},
      {"features", "--as-of", D}, {"segments", "--as-of", D}, {"validate", "--as-of", D},
      {"publish", "--as-of", D, "--sink", "postgres"}, {"explain", "--as-of", D, "--user", "u0000001"},
      {"report", "--as-of", D}};

  @BeforeAll
  static void generate() throws IOException {
    warehouse = Files.createTempDirectory("segments-hostile");
    dir = Files.createTempDirectory("segments-hostile-conf");
    assertEquals(0, Main.run(new String[] {"generate", "--users", "60", "--days", "5", "--end", D,
        "--config", EndToEnd.CONFIG, "--warehouse", warehouse.toString()}));
  }

  @Test
  void theTemplateWithBenignValuesPasses() throws IOException {
    assertEquals(0, cli(config(Map.of()), "check-config").code(), "the template itself is a valid config");
  }

  @Test
  void everyHostileExpressionAndNameIsRefusedAndNothingChanges() throws IOException {
    Map<String, String> before = snapshot(warehouse);
    List<Map<String, String>> cases = new ArrayList<>();
    String[] expressionSlots = {"RULE", "EXIT_RULE", "FEATURE_EXPR", "RFM_WHEN"};
    List<String> expressions = corpus("expressions.txt");
    for (int i = 0; i < expressions.size(); i++) {
      String slot = expressionSlots[i % expressionSlots.length];
      String text = expressions.get(i);
      cases.add(Map.of(slot, slot.equals("RFM_WHEN") ? text.replace("invites_7d", "r").replace("comments_14d", "f")
          : text));
    }
    String[] nameSlots = {"SEGMENT", "AUDIENCE", "FEATURE_NAME", "FAMILY", "ATTRIBUTE", "DATABASE", "SINK_TABLE"};
    List<String> names = corpus("names.txt");
    for (int i = 0; i < names.size(); i++) {
      String slot = nameSlots[i % nameSlots.length];
      // schema.table is a valid sink table: dotted names go to the next slot
      cases.add(Map.of(slot.equals("SINK_TABLE") && names.get(i).contains(".") ? "SEGMENT" : slot, names.get(i)));
    }
    assertTrue(cases.size() >= 100, "the corpus holds at least 100 hostile inputs, found " + cases.size());

    for (int i = 0; i < cases.size(); i++) {
      String[] command = COMMANDS[i % COMMANDS.length];
      Result result = cli(config(cases.get(i)), command);
      String label = "case " + i + " " + cases.get(i) + " via " + command[0] + ": " + result.err();
      assertEquals(2, result.code(), label);
      assertTrue(result.err().startsWith("error: "), label);
      assertTrue(result.err().contains("\n  fix: "), label);
      assertTrue(REFUSALS.stream().anyMatch(result.err()::contains), "refused by the policy or the name rule, not"
          + " by an unrelated error: " + label);
      assertFalse(result.err().contains("\tat ") || result.err().contains("Exception"), "no stack trace: " + label);
      assertTrue(result.err().length() < 1500, "one short message: " + label);
    }
    assertEquals(before, snapshot(warehouse), "no file of the warehouse changed");
  }

  static List<String> corpus(String file) throws IOException {
    List<String> entries = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of("src/test/resources/hostile", file), StandardCharsets.UTF_8)) {
      if (line.startsWith("#") || line.isEmpty()) {
        continue;
      }
      String[] directive = line.startsWith("!") ? line.split(" ") : new String[] {""};
      String valid = "invites_7d >= 1";
      switch (directive[0]) {
        case "!nest" -> entries.add("(".repeat(Integer.parseInt(directive[1])) + valid
            + ")".repeat(Integer.parseInt(directive[1])));
        case "!long" -> entries.add(valid + (" and " + valid).repeat(Integer.parseInt(directive[1])));
        case "!not" -> entries.add("not ".repeat(Integer.parseInt(directive[1])) + "true");
        default -> entries.add(line);
      }
    }
    return entries;
  }

  private Path config(Map<String, String> hostile) throws IOException {
    Map<String, String> values = new LinkedHashMap<>(BENIGN);
    values.put("SINK_TABLE", "crm.audience_members");
    values.putAll(hostile);
    // one pass, so that a value holding a slot's name is not replaced again
    java.util.regex.Matcher slot = java.util.regex.Pattern.compile("\\b(" + String.join("|", values.keySet()) + ")\\b")
        .matcher(TEMPLATE);
    StringBuilder yaml = new StringBuilder();
    while (slot.find()) {
      slot.appendReplacement(yaml, java.util.regex.Matcher.quoteReplacement(yamlString(values.get(slot.group(1)))));
    }
    slot.appendTail(yaml);
    Path file = Files.createTempFile(dir, "hostile", ".yaml");
    Files.writeString(file, yaml.toString(), StandardCharsets.UTF_8);
    return file;
  }

  /** A YAML double-quoted scalar: any text, escaped so that the YAML parser gives back exactly that text. */
  static String yamlString(String text) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20 || c > 0x7e) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append('"').toString();
  }

  record Result(int code, String err) {}

  private static Result cli(Path config, String... command) {
    List<String> args = new ArrayList<>(List.of(command));
    args.addAll(List.of("--config", config.toString(), "--warehouse", warehouse.toString()));
    PrintStream original = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      int code = Main.run(args.toArray(String[]::new));
      return new Result(code, err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(original);
    }
  }

  /** Every file under the warehouse with its size and modification time. */
  static Map<String, String> snapshot(Path root) throws IOException {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.filter(Files::isRegularFile).toList()) {
        BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
        files.put(root.relativize(path).toString(), attributes.size() + "@" + attributes.lastModifiedTime());
      }
    }
    return files;
  }
}
