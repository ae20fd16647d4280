package io.segments.discover;

/**
 * One candidate behavior of a user's first K days: {@code at_least} (the event at least {@code threshold} times),
 * {@code then} (the event, then {@code thenEvent} after it) or {@code within_hours} (the event within
 * {@code threshold} hours of the user's first event). An {@code at_least} behavior may be of the events whose
 * {@code property} (one the rollup carries) has {@code value}; both are null otherwise.
 */
public record Behavior(String kind, String event, String thenEvent, int threshold, String property, String value) {
  public static final String AT_LEAST = "at_least";
  public static final String THEN = "then";
  public static final String WITHIN_HOURS = "within_hours";

  public Behavior(String kind, String event, String thenEvent, int threshold) {
    this(kind, event, thenEvent, threshold, null, null);
  }

  /** The property condition as a feature's where writes it ({@code path = '/pricing'}), or null. */
  public String condition() {
    if (property == null) {
      return null;
    }
    String name = property.matches("[A-Za-z_][A-Za-z0-9_]*") ? property : "`" + property + "`";
    return name + " = " + io.segments.config.Identifiers.sparkString(value);
  }

  /** What it means, in words. */
  public String text(int firstDays) {
    String days = firstDays == 1 ? "the first day" : "the first " + firstDays + " days";
    String what = property == null ? event : event + " where " + condition();
    return switch (kind) {
      case AT_LEAST -> what + " at least " + threshold + (threshold == 1 ? " time" : " times") + " in " + days;
      case THEN -> event + " then " + thenEvent + " in " + days;
      default -> event + " within " + threshold + (threshold == 1 ? " hour" : " hours") + " of the first event";
    };
  }

  /** What it is about, whatever its threshold: the event (with its condition), or the pair. */
  public String subject() {
    return THEN.equals(kind) ? event + "_then_" + thenEvent
        : property == null ? event : event + "_" + property + "_" + value;
  }
}
