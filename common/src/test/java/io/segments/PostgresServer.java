package io.segments;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway PostgreSQL server on 127.0.0.1 and a free port, started from the machine's PostgreSQL binaries
 * (on PATH or under /usr/lib/postgresql/N/bin; .ci/run installs them). As root it runs as the postgres user,
 * because PostgreSQL refuses to run as root. Trust authentication on loopback only, or a password for the
 * user {@code segments} ({@link #start(String)}).
 */
public final class PostgresServer implements AutoCloseable {
  private final Path dataDir;
  private final Path bin;
  private final int port;
  private final boolean asPostgresUser;

  private PostgresServer(Path dataDir, Path bin, int port, boolean asPostgresUser) {
    this.dataDir = dataDir;
    this.bin = bin;
    this.port = port;
    this.asPostgresUser = asPostgresUser;
  }

  public static PostgresServer start() throws IOException, InterruptedException {
    return start(null);
  }

  /** A server on which the user {@code segments} must log in with {@code password} (null: trust). */
  public static PostgresServer start(String password) throws IOException, InterruptedException {
    Path bin = findBin();
    Path dir = Files.createTempDirectory(Path.of("/tmp"), "segments-pg-");
    List<String> auth = new ArrayList<>(List.of("--auth=trust"));
    if (password != null) {
      Files.writeString(dir.resolve("pwfile"), password + "\n");
      auth = new ArrayList<>(List.of("--auth=scram-sha-256", "--pwfile=" + dir.resolve("pwfile")));
    }
    boolean root = "root".equals(System.getProperty("user.name"));
    if (root) {
      run(List.of("chown", "-R", "postgres", dir.toString()), false);
    }
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    PostgresServer server = new PostgresServer(dir.resolve("data"), bin, port, root);
    List<String> initdb = new ArrayList<>(List.of(bin.resolve("initdb").toString(), "-D", server.dataDir.toString(),
        "-U", "segments", "-E", "UTF8"));
    initdb.addAll(auth);
    server.exec(initdb);
    Files.deleteIfExists(dir.resolve("pwfile"));
    server.exec(List.of(bin.resolve("pg_ctl").toString(), "-D", server.dataDir.toString(), "-w", "-t", "60",
        "-l", dir.resolve("log").toString(), "-o", "-h 127.0.0.1 -p " + port + " -k " + dir, "start"));
    return server;
  }

  public String url() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
  }

  @Override
  public void close() throws IOException, InterruptedException {
    exec(List.of(bin.resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-m", "fast", "-w", "stop"));
  }

  private void exec(List<String> command) throws IOException, InterruptedException {
    List<String> full = new ArrayList<>();
    if (asPostgresUser) {
      full.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    full.addAll(command);
    run(full, true);
  }

  private static void run(List<String> command, boolean check) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(new File("target/postgres-test.log"))).start();
    if (!process.waitFor(120, TimeUnit.SECONDS) || (check && process.exitValue() != 0)) {
      throw new IOException("command failed: " + command + " (see target/postgres-test.log)");
    }
  }

  private static Path findBin() throws IOException {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(dir, "initdb");
      if (Files.isExecutable(candidate)) {
        return candidate.toRealPath().getParent();
      }
    }
    Path lib = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(lib)) {
      try (var versions = Files.list(lib)) {
        var found = versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
            .sorted().reduce((a, b) -> b);
        if (found.isPresent()) {
          return found.get();
        }
      }
    }
    throw new IOException("PostgreSQL server binaries (initdb, pg_ctl) not found: install the Debian package"
        + " 'postgresql' (.ci/run does)");
  }
}
