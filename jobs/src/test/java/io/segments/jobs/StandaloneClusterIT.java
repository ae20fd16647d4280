package io.segments.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The application jar on a real Spark standalone cluster (one master, two two-core workers on 127.0.0.1, started
 * from the Spark jars of the local Maven repository), submitted through org.apache.spark.deploy.SparkSubmit
 * (what the spark-submit script runs) in client and in cluster deploy mode. The published tables must equal
 * those of a local run on the same generated data.
 */
class StandaloneClusterIT {
  static final Path TARGET = Path.of("target").toAbsolutePath();
  static final Path JAR = TARGET.resolve("segments.jar");
  /** The jar without Delta Lake, for clusters that bring their own. */
  static final Path THIN_JAR = TARGET.resolve("segments-thin.jar");
  static final String OPENS = "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED"
      + " --add-opens=java.base/sun.util.calendar=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED"
      + " --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED";
  static final String D = "2026-10-31";
  static Path sparkHome;
  static Path work;
  static Path config;
  static String master;
  static final List<Process> daemons = new ArrayList<>();

  @BeforeAll
  static void startCluster() throws Exception {
    work = Files.createTempDirectory("segments-cluster");
    sparkHome = work.resolve("spark-home");
    Path jars = Files.createDirectories(sparkHome.resolve("jars"));
    for (String jar : Files.readString(TARGET.resolve("spark-classpath.txt")).strip().split(File.pathSeparator)) {
      Path source = Path.of(jar);
      Path link = jars.resolve(source.getFileName());
      if (!Files.exists(link)) {
        Files.createSymbolicLink(link, source);
      }
    }
    // The embedded config with a short first replay: the cluster runs the same commands, only smaller.
    config = work.resolve("conf").resolve("local.yaml");
    Files.createDirectories(config.getParent().resolve("segments"));
    try (var files = Files.list(Path.of("..", "conf", "segments"))) {
      for (Path file : files.toList()) {
        Files.copy(file, config.getParent().resolve("segments").resolve(file.getFileName()));
      }
    }
    Path data = work.resolve("data");
    Files.writeString(config, Files.readString(Path.of("src", "test", "resources", "it.yaml"))
        .replace("SOURCE", data.toString()));

    int port = freePort();
    master = "spark://127.0.0.1:" + port;
    daemons.add(daemon("master", List.of("org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
        "--port", String.valueOf(port), "--webui-port", String.valueOf(freePort()))));
    Thread.sleep(3000);
    for (int i = 1; i <= 2; i++) {
      daemons.add(daemon("worker" + i, List.of("org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
          "--cores", "2", "--memory", "3g", "--webui-port", String.valueOf(freePort()),
          "--work-dir", Files.createDirectories(work.resolve("worker" + i)).toString(), master)));
    }
    Thread.sleep(4000);
  }

  @AfterAll
  static void stopCluster() {
    daemons.forEach(p -> p.descendants().forEach(ProcessHandle::destroyForcibly));
    daemons.forEach(Process::destroyForcibly);
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  static Map<String, String> sparkEnv() {
    return Map.of("SPARK_HOME", sparkHome.toString(), "SPARK_SCALA_VERSION", "2.12", "SPARK_LOCAL_IP", "127.0.0.1");
  }

  static Process daemon(String name, List<String> mainAndArgs) throws IOException {
    List<String> command = new ArrayList<>(List.of("java", "-Xmx512m"));
    command.addAll(EndToEnd.jitFlags());
    command.addAll(List.of(OPENS.split(" ")));
    command.addAll(List.of("-cp", sparkHome.resolve("jars") + "/*"));
    command.addAll(mainAndArgs);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(work.resolve(name + ".log").toFile());
    builder.environment().putAll(sparkEnv());
    return builder.start();
  }

  /** spark-submit, as the script does it: SparkSubmit on Spark's classpath. Returns the exit code. */
  static int submit(String masterUrl, String deployMode, Path warehouse, String... args) throws Exception {
    return Child.await(start(masterUrl, deployMode, warehouse, args), Child.RUN_LIMIT,
        "spark-submit --master " + masterUrl + " " + args[0], submitLog(warehouse, args));
  }

  static Process start(String masterUrl, String deployMode, Path warehouse, String... args) throws Exception {
    return start(List.of(JAR.toString()), masterUrl, deployMode, warehouse, args);
  }

  /** spark-submit of {@code application}: spark-submit's own options before the jar, then the jar. */
  static Process start(List<String> application, String masterUrl, String deployMode, Path warehouse,
      String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("java", "-Xmx1g"));
    command.addAll(EndToEnd.jitFlags());
    command.addAll(List.of(OPENS.split(" ")));
    String options = String.join(" ", EndToEnd.jitFlags()) + " " + OPENS;
    command.addAll(List.of("-cp", sparkHome.resolve("jars") + "/*", "org.apache.spark.deploy.SparkSubmit",
        "--master", masterUrl, "--deploy-mode", deployMode, "--class", "io.segments.jobs.Main",
        "--conf", "spark.driver.extraJavaOptions=" + options.strip(),
        "--conf", "spark.executor.extraJavaOptions=" + options.strip(),
        "--conf", "spark.executor.memory=1g", "--conf", "spark.driver.memory=1g", "--conf", "spark.cores.max=1",
        "--conf", "spark.standalone.submit.waitAppCompletion=true"));
    command.addAll(application);
    command.addAll(List.of(args));
    command.addAll(List.of("--config", config.toString(), "--warehouse", warehouse.toString()));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(submitLog(warehouse, args).toFile());
    builder.environment().putAll(sparkEnv());
    Process process = builder.start();
    daemons.add(process); // stopped with the cluster, so a submit still polling a stopped master cannot linger
    return process;
  }

  static Path submitLog(Path warehouse, String... args) {
    return work.resolve("submit-" + warehouse.getFileName() + "-" + args[0] + ".log");
  }

  static List<Row> table(SparkSession spark, Path warehouse, String table, String... order) {
    return rows(spark, warehouse.resolve("segments.db"), table, order);
  }

  /** A Delta table of a database directory ({@code <warehouse>/<db>.db}), ordered by {@code order}. */
  static List<Row> rows(SparkSession spark, Path database, String table, String... order) {
    return spark.read().format("delta").load(database.resolve(table).toString())
        .orderBy(order[0], java.util.Arrays.copyOfRange(order, 1, order.length)).collectAsList();
  }

  @Test
  void clientAndClusterDeployModesPublishWhatALocalRunPublishes() throws Exception {
    Path local = work.resolve("wh-local");
    Path client = work.resolve("wh-client");
    Path cluster = work.resolve("wh-cluster");
    assertEquals(0, submit("local[2]", "client", work.resolve("wh-source"), "generate", "--users", "250", "--days",
        "10", "--end", D, "--parquet", work.resolve("data").toString()), "generate failed; logs in " + work);
    // One core each, side by side: the cluster-mode driver and the two apps' executors fit on the two workers.
    Map<Path, Process> runs = new LinkedHashMap<>();
    runs.put(local, start("local[1]", "client", local, "run", "--as-of", D));
    runs.put(client, start(master, "client", client, "run", "--as-of", D));
    runs.put(cluster, start(master, "cluster", cluster, "run", "--as-of", D));
    for (Map.Entry<Path, Process> run : runs.entrySet()) {
      Path log = submitLog(run.getKey(), "run");
      assertEquals(0, Child.await(run.getValue(), Child.RUN_LIMIT, "spark-submit run into " + run.getKey(), log),
          "a run failed; logs in " + work + ":\n" + Child.tail(log));
    }

    SparkSession spark = SparkSession.builder().master("local[1]").appName("compare")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        .getOrCreate();
    try {
      for (Path other : List.of(client, cluster)) {
        assertEquals(table(spark, local, "audience_members", "audience", "user_id"),
            table(spark, other, "audience_members", "audience", "user_id"), other.toString());
        assertEquals(table(spark, local, "segment_membership", "as_of_date", "user_id", "segment"),
            table(spark, other, "segment_membership", "as_of_date", "user_id", "segment"), other.toString());
        assertEquals(table(spark, local, "user_features", "as_of_date", "user_id"),
            table(spark, other, "user_features", "as_of_date", "user_id"), other.toString());
      }
      assertTrue(!table(spark, local, "audience_members", "audience", "user_id").isEmpty());
    } finally {
      spark.stop();
    }
    assertTrue(Files.list(work.resolve("worker1")).findAny().isPresent()
        || Files.list(work.resolve("worker2")).findAny().isPresent(), "executors ran on the workers");
  }

  @Test
  void theThinJarRunsWithDeltaLakeGivenAsTheClustersJars() throws Exception {
    Path thin = work.resolve("wh-thin");
    Path source = work.resolve("wh-thin-source");
    String delta = String.join(",", Files.readString(TARGET.resolve("delta-classpath.txt")).strip()
        .split(File.pathSeparator));
    assertTrue(delta.contains("delta-spark_2.12-3.3.2.jar") && delta.contains("delta-storage-3.3.2.jar"), delta);
    try (var jar = new java.util.jar.JarFile(THIN_JAR.toFile())) {
      assertTrue(jar.getEntry("io/delta/sql/DeltaSparkSessionExtension.class") == null, "no Delta in the thin jar");
      assertTrue(jar.getEntry("io/segments/jobs/Main.class") != null);
    }
    // The source both tests read, generated again (the class's tests run one after the other, in either order).
    assertEquals(0, submit(master, "client", source, "generate", "--users", "150", "--days", "10", "--end", D,
        "--parquet", work.resolve("data").toString()), "generate failed; logs in " + work);
    Process run = start(List.of("--jars", delta, THIN_JAR.toString()), master, "client", thin, "run", "--as-of", D);
    Path log = submitLog(thin, "run");
    assertEquals(0, Child.await(run, Child.RUN_LIMIT, "spark-submit of the thin jar", log),
        "the thin jar's run failed; logs in " + work + ":\n" + Child.tail(log));
    assertTrue(Child.tail(log).contains("publish"), Child.tail(log));
  }
}
