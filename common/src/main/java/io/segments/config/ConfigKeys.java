package io.segments.config;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The config keys the loader reads, as it reads them: each key's path (e.g. {@code source.lookback_days},
 * {@code features[].window_days}), the type it is read as, its default and its range. docs/config.md is this
 * list, written from loading every shipped and test config ({@code ConfigReferenceTest}), so it cannot drift from
 * the loader. Recording is off unless {@link #recorded} is running on the thread.
 */
public final class ConfigKeys {
  /** One key: its type, its default when omitted ("" when required or without one) and the values it takes. */
  public record Key(String path, String type, String fallback, String range) {}

  private static final ThreadLocal<Map<String, Key>> RECORDING = new ThreadLocal<>();

  private ConfigKeys() {}

  /** Runs {@code load}, adding the keys it reads to {@code keys} (by path; a typed read wins over a presence check). */
  public static <T> T recorded(Map<String, Key> keys, Supplier<T> load) {
    Map<String, Key> outer = RECORDING.get();
    RECORDING.set(keys);
    try {
      return load.get();
    } finally {
      RECORDING.set(outer);
    }
  }

  /** Records a read of {@code path}; a no-op unless recording. */
  static void read(String path, String type, Object fallback, String range) {
    Map<String, Key> keys = RECORDING.get();
    if (keys == null) {
      return;
    }
    Key key = new Key(path, type, fallback == null ? "" : String.valueOf(fallback), range == null ? "" : range);
    Key known = keys.get(path);
    if (known == null || known.type().isEmpty() || known.fallback().isEmpty() && !key.fallback().isEmpty()) {
      keys.put(path, key);
    }
  }

  /** A fresh map for {@link #recorded}, ordered by path. */
  public static Map<String, Key> newMap() {
    return new TreeMap<>();
  }
}
