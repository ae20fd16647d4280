package io.segments.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * Helpers of the in-process end-to-end tests: the CLI on a test warehouse, counts, printed output, a config
 * copied to change, and table versions put back after a test that changes tables.
 */
final class EndToEnd {
  static final String CONFIG = Path.of("..", "conf", "local.yaml").toString();

  private EndToEnd() {}

  /** The JIT flags of this test JVM (jobs/pom.xml's test.jvm), for the JVMs a test starts: they live as briefly. */
  static List<String> jitFlags() {
    return java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(arg -> arg.startsWith("-XX:TieredStopAtLevel") || arg.startsWith("-XX:ReservedCodeCacheSize"))
        .toList();
  }

  /** {@code args} with the repository's config and {@code warehouse} (unless the command is an option). */
  static String[] withConfig(Path warehouse, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    if (!all.get(0).startsWith("-")) {
      all.addAll(List.of("--config", CONFIG, "--warehouse", warehouse.toString()));
    }
    return all.toArray(String[]::new);
  }

  static SparkSession spark() {
    return SparkSession.active();
  }

  static long count(String sql) {
    return spark().sql(sql).first().getLong(0);
  }

  /** What {@code Main.run(args)} prints on stdout; the command must exit 0 (else the failure shows the output). */
  static String printed(String... args) {
    PrintStream original = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    int exit;
    try {
      exit = Main.run(args);
    } finally {
      System.setOut(original);
    }
    String text = out.toString(StandardCharsets.UTF_8);
    assertEquals(0, exit, String.join(" ", args) + ":\n" + text);
    return text;
  }

  /**
   * A copy of the repository's config in a new directory, for a test to change: {@code conf/segments/*} as they
   * are, and {@code local.yaml} as {@code edit} leaves it. Returns the path of the copied local.yaml.
   */
  static Path copiedConfig(java.util.function.UnaryOperator<String> edit) throws Exception {
    Path dir = Files.createTempDirectory("segments-conf");
    Path segments = Files.createDirectories(dir.resolve("segments"));
    try (var files = Files.list(Path.of("..", "conf", "segments"))) {
      for (Path file : files.toList()) {
        Files.copy(file, segments.resolve(file.getFileName()));
      }
    }
    return Files.writeString(dir.resolve("local.yaml"), edit.apply(Files.readString(Path.of(CONFIG))));
  }

  /** Replaces {@code from} by {@code to} in a config file, which must contain it. */
  static void edit(Path file, String from, String to) throws Exception {
    String text = Files.readString(file);
    if (!text.contains(from)) {
      throw new IllegalStateException(file + " has no '" + from + "'");
    }
    Files.writeString(file, text.replace(from, to));
  }

  /** The command of conf/orchestration/segments_daily.py, templated for {@code day} and pointed at the test warehouse. */
  static String[] dagCommand(Path warehouse, String day) throws Exception {
    String dag = Files.readString(Path.of("..", "conf", "orchestration", "segments_daily.py"));
    String block = dag.substring(dag.indexOf("# segments-command-begin"), dag.indexOf("# segments-command-end"));
    String list = block.substring(block.indexOf('[') + 1, block.lastIndexOf(']'));
    List<String> args = new ArrayList<>();
    for (String quoted : list.split(",")) {
      args.add(quoted.strip().replaceAll("^\"|\"$", ""));
    }
    assertEquals(List.of("run", "--as-of", "{{ data_interval_start.in_timezone('America/New_York') | ds }}",
        "--config", "/opt/segments/conf/cluster.yaml"), args);
    String zone = io.segments.config.ConfigLoader.load(Path.of("..", "conf", "cluster.yaml")).timeZone();
    assertTrue(dag.contains("TIME_ZONE = \"" + zone + "\"") && dag.contains("tz=TIME_ZONE")
        && block.contains("in_timezone('" + zone + "')"), "the DAG runs and dates its runs in the config's zone");
    assertTrue(Files.readString(Path.of("..", "conf", "orchestration", "crontab")).contains("CRON_TZ=" + zone));
    args.set(2, day);
    args.set(4, CONFIG);
    args.addAll(List.of("--warehouse", warehouse.toString()));
    return args.toArray(String[]::new);
  }

  interface TableChange {
    void run() throws Exception;
  }

  /**
   * Runs {@code change}, then puts every Delta table of the demo and segments databases back at the version it
   * had before (the ledger and the lock keep their rows: what happened stays recorded), so other tests see the
   * tables of the setup runs.
   */
  static void restoring(TableChange change) throws Exception {
    Map<String, Long> versions = new LinkedHashMap<>();
    for (String database : List.of("demo", "segments")) {
      for (String table : scala.collection.JavaConverters.seqAsJavaList(catalog().listTables(database))) {
        boolean kept = table.equals("pipeline_runs") || table.equals("pipeline_lock");
        if (!kept && !catalog().getTable(database, table).tableType().name().equals("VIEW")) {
          versions.put(database + "." + table, version(database + "." + table));
        }
      }
    }
    try {
      change.run();
    } finally {
      versions.forEach((name, before) -> {
        if (version(name) != before) {
          spark().sql("restore table " + name + " to version as of " + before);
        }
      });
    }
  }

  /** A Delta table's latest version: its newest commit file (reading the history would cost a Spark job). */
  static long version(String table) {
    String[] name = table.split("\\.");
    Path log = Path.of(catalog().getTable(name[0], name[1]).location()).resolve("_delta_log");
    try (var files = Files.list(log)) {
      return files.map(file -> file.getFileName().toString()).filter(file -> file.matches("\\d{20}\\.json"))
          .mapToLong(file -> Long.parseLong(file.substring(0, 20))).max().orElseThrow();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static org.apache.spark.sql.catalyst.catalog.ExternalCatalog catalog() {
    return spark().sharedState().externalCatalog();
  }

  static String sha256(String text) {
    try {
      byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(digest);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * What headless Chromium finds wrong with a page laid out at 1400 px wide: a chart without a title or axis titles
   * (an svg with no {@code <title>}, no {@code .chart-title}, or fewer {@code .axis-title} texts than axes), two texts
   * of one chart that overlap, a text that runs out of its chart, or anything wider than the window; and, last,
   * "charts checked: N". A page without a chart is a problem too.
   */
  static List<String> layoutProblems(Path html) throws Exception {
    String check = """
        <script>window.addEventListener('load', () => {
          const problems = [];
          const overlap = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1
              && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
          document.querySelectorAll('svg').forEach((svg, i) => {
            const title = svg.querySelector('title');
            const name = title ? title.textContent : 'chart ' + (i + 1);
            if (!title || !svg.querySelector('.chart-title')) problems.push(name + ': no title');
            if (svg.querySelectorAll('.axis-title').length < (svg.querySelector('polyline') ? 2 : 1))
              problems.push(name + ': an axis without a title');
            const texts = [...svg.querySelectorAll('text')];
            const box = svg.getBoundingClientRect();
            texts.forEach(t => {
              const r = t.getBoundingClientRect();
              if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1)
                problems.push(name + ': "' + t.textContent + '" runs out of the chart');
            });
            texts.forEach((a, j) => texts.slice(j + 1).forEach(b => {
              if (overlap(a.getBoundingClientRect(), b.getBoundingClientRect()))
                problems.push(name + ': "' + a.textContent + '" overlaps "' + b.textContent + '"');
            }));
          });
          const charts = document.querySelectorAll('svg').length;
          if (charts === 0) problems.push('no chart on the page');
          if (document.documentElement.scrollWidth > window.innerWidth)
            problems.push('the page is ' + document.documentElement.scrollWidth + ' px wide');
          const out = document.createElement('pre');
          out.id = 'layout-check';
          out.textContent = JSON.stringify(problems.concat(['charts checked: ' + charts]));
          document.body.appendChild(out);
        });</script>""";
    Path page = Files.createTempFile("layout", ".html");
    Files.writeString(page, Files.readString(html).replace("</body>", check + "</body>"));
    Process chromium = headless("--virtual-time-budget=5000", "--dump-dom", page.toUri().toString())
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .redirectOutput(page.resolveSibling(page.getFileName() + ".dom").toFile()).start();
    if (!chromium.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) {
      chromium.destroyForcibly();
      throw new IllegalStateException("chromium did not finish in 120 s");
    }
    String dom = Files.readString(page.resolveSibling(page.getFileName() + ".dom"));
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("<pre id=\"layout-check\">(.*?)</pre>").matcher(dom);
    if (!m.find()) {
      throw new IllegalStateException("chromium ran no layout check: " + dom.substring(0, Math.min(500, dom.length())));
    }
    String list = m.group(1).replace("&quot;", "\"").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">");
    return List.of(list.substring(2, list.length() - 2).replace("\\\"", "'").split("\",\""));
  }

  /** The page lays out without problems ({@link #layoutProblems}) and has at least {@code charts} charts. */
  static void assertLaidOut(Path html, int charts) throws Exception {
    List<String> problems = layoutProblems(html);
    String last = problems.get(problems.size() - 1);
    assertEquals(List.of(), problems.subList(0, problems.size() - 1), "at 1400 px: " + html);
    assertTrue(Integer.parseInt(last.substring("charts checked: ".length())) >= charts, last);
  }

  /** Headless Chromium in a throwaway profile with a 1400 x 2400 window, given its last arguments. */
  static ProcessBuilder headless(String... args) throws java.io.IOException {
    List<String> command = new ArrayList<>(List.of(chromium(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--user-data-dir=" + Files.createTempDirectory("chromium"), "--window-size=1400,2400"));
    command.addAll(List.of(args));
    return new ProcessBuilder(command);
  }

  /**
   * The report's cohort table: per segment (in the table's order), its pooled retention on day 1, 7, 30 and 90, in
   * percent; null where the report shows no figure.
   */
  static Map<String, Double[]> retentionRows(String reportHtml) {
    String cohorts = reportHtml.substring(reportHtml.indexOf("id=\"cohorts\""),
        reportHtml.indexOf("Weekly retention triangle"));
    java.util.regex.Matcher row = java.util.regex.Pattern.compile("<tr><td>([^<]*)</td><td>[^<]*</td><td>[^<]*</td>"
        + "<td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td>").matcher(cohorts);
    Map<String, Double[]> rows = new LinkedHashMap<>();
    while (row.find()) {
      Double[] rates = new Double[4];
      for (int i = 0; i < 4; i++) {
        String cell = row.group(i + 2);
        rates[i] = cell.endsWith("%") ? Double.valueOf(cell.replace("%", "")) : null;
      }
      rows.put(row.group(1), rates);
    }
    return rows;
  }

  /**
   * No retention row rises by more than 2 points from one shown figure to the next: N-day retention counts one day
   * per point, so what is left is a single day's sampling noise ("days 1..7" against "day 1" rose by 30-70 points).
   */
  static void assertRetentionDoesNotRise(Map<String, Double[]> rows) {
    rows.forEach((segment, rates) -> {
      double previous = 101;
      for (Double rate : rates) {
        if (rate != null) {
          assertTrue(rate <= previous + 2, segment + "'s retention rises: " + java.util.Arrays.toString(rates));
          previous = rate;
        }
      }
    });
  }

  static String chromium() {
    for (String name : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")) {
      if (Files.isExecutable(Path.of(name))) {
        return name;
      }
    }
    throw new IllegalStateException("headless Chromium not found: install the Debian package 'chromium' (.ci/run does)");
  }
}
