package io.segments.step;

import java.util.List;

/**
 * One of the method's checks that did not pass, as the segments and validate steps report it: a warning in the
 * run ledger (which, with {@code validate.gate}, stops the publish) or a note that a check could not run yet.
 */
public record Check(Level level, String message, String fix) {
  public enum Level { INFO, WARNING }

  public static Check warning(String message) {
    return new Check(Level.WARNING, message, null);
  }

  public static Check warning(String message, String fix) {
    return new Check(Level.WARNING, message, fix);
  }

  public static Check info(String message) {
    return new Check(Level.INFO, message, null);
  }

  /** The line in the run ledger and on the console. */
  public String text() {
    return fix == null ? message : message + "; " + fix;
  }

  public static List<String> texts(List<Check> checks) {
    return checks.stream().map(Check::text).toList();
  }
}
