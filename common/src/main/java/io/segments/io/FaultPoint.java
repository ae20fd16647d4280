package io.segments.io;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A crash right after a table's commit, for the fault tests: with {@code SEGMENTS_TEST_FAULT_AFTER=table} (or
 * {@code table#n}, the n-th write of the table in this process) the JVM halts at once with exit code 137, as
 * kill -9 would leave it: no finally block, no lock release. In-process tests use {@link #failAfter}, which
 * throws instead. Unset, it does nothing.
 */
public final class FaultPoint {
  private static volatile String spec = System.getenv("SEGMENTS_TEST_FAULT_AFTER");
  private static volatile boolean halt = spec != null;
  private static final Map<String, Integer> WRITES = new ConcurrentHashMap<>();

  private FaultPoint() {}

  /** Fail (throw) right after the n-th commit to {@code table} from now on; null to clear. */
  public static void failAfter(String table, int n) {
    WRITES.clear();
    spec = table == null ? null : table + "#" + n;
    halt = false;
  }

  public static void written(String table) {
    String current = spec;
    if (current == null) {
      return;
    }
    int hash = current.indexOf('#');
    String name = hash < 0 ? current : current.substring(0, hash);
    int n = hash < 0 ? 1 : Integer.parseInt(current.substring(hash + 1));
    if (name.equals(table) && WRITES.merge(table, 1, Integer::sum) == n) {
      if (halt) {
        System.err.println("fault injected: halting after writing " + table);
        Runtime.getRuntime().halt(137);
      }
      spec = null;
      throw new IllegalStateException("fault injected after writing " + table);
    }
  }
}
