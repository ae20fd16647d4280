package io.segments.jobs;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Waits on a process a test started. The limit is an upper bound for a hung process, not a speed check: a child
 * run on a busy machine (load 8 on 2 cores) takes several times its quiet time, so the limit is generous. A child
 * still running at the limit is killed and the test fails naming what it waited for and the tail of its log.
 */
final class Child {
  /** The longest a test waits for one child run of the pipeline (a quiet run of the tests' data: under a minute). */
  static final Duration RUN_LIMIT = Duration.ofMinutes(20);
  private static final int TAIL_LINES = 40;

  private Child() {}

  /** Waits for {@code process} to exit and returns its exit code; on timeout kills it and fails. */
  static int await(Process process, Duration limit, String what, Path log) throws InterruptedException {
    if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      fail(what + " did not finish within " + limit.toMinutes() + " minutes (killed); the last lines of " + log
          + ":\n" + tail(log));
    }
    return process.exitValue();
  }

  /** The last lines of a log file, or why there are none. */
  static String tail(Path log) {
    try {
      List<String> lines = new String(Files.readAllBytes(log), StandardCharsets.UTF_8).lines().toList();
      return String.join("\n", lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()));
    } catch (java.io.IOException | java.io.UncheckedIOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }
}
