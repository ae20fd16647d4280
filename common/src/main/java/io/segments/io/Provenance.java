package io.segments.io;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a carried state's commit note ({@link Warehouse#overwriteNoting}) records about what it was built from:
 * lines of {@code key=value}, the first {@code rule=...}, and digests of the rollup's fingerprints per day.
 */
public final class Provenance {
  private Provenance() {}

  /**
   * A note's first lines: the rule, a write id and the as-of day. The write id makes every write's note its own, so
   * a table derived from an earlier write never passes for current.
   */
  public static String header(String rule, LocalDate asOf) {
    return "rule=" + rule + "\nwritten=" + java.util.UUID.randomUUID() + "\nas_of=" + asOf;
  }

  /** The fields of a note; null when there is none or it was not written as one. */
  public static Map<String, String> fields(String note) {
    if (note == null || !note.startsWith("rule=")) {
      return null;
    }
    Map<String, String> fields = new LinkedHashMap<>();
    for (String line : note.split("\n")) {
      int eq = line.indexOf('=');
      fields.put(line.substring(0, eq), line.substring(eq + 1));
    }
    return fields;
  }

  /** A digest of the fingerprints of the days before {@code from}, in day order. */
  public static String digestBefore(Map<LocalDate, String> prints, LocalDate from) {
    StringBuilder text = new StringBuilder();
    new TreeMap<>(prints).forEach((day, print) -> {
      if (day.isBefore(from)) {
        text.append(day).append('=').append(print).append('\n');
      }
    });
    return sha256(text.toString());
  }

  public static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
