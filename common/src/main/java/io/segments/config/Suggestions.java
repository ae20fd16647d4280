package io.segments.config;

import java.util.Comparator;
import java.util.Locale;

/** "Did you mean": the known name closest to a mistyped one (feature names, config keys). */
final class Suggestions {
  private Suggestions() {}

  /** The candidate closest to {@code unknown} by edit distance, for "did you mean". */
  static String nearest(String unknown, java.util.Collection<String> candidates) {
    return candidates.stream()
        .filter(c -> !c.equals("as_of_date"))
        .min(Comparator.comparingInt(c -> distance(unknown.toLowerCase(Locale.ROOT), c.toLowerCase(Locale.ROOT))))
        .orElse("?");
  }

  private static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
