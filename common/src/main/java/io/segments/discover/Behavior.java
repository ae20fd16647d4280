package io.segments.discover;

/**
 * One candidate behavior of a user's first K days: {@code at_least} (the event at least {@code threshold} times),
 * {@code then} (the event, then {@code thenEvent} after it) or {@code within_hours} (the event within
 * {@code threshold} hours of the user's first event).
 */
public record Behavior(String kind, String event, String thenEvent, int threshold) {
  public static final String AT_LEAST = "at_least";
  public static final String THEN = "then";
  public static final String WITHIN_HOURS = "within_hours";

  /** What it means, in words. */
  public String text(int firstDays) {
    String days = firstDays == 1 ? "the first day" : "the first " + firstDays + " days";
    return switch (kind) {
      case AT_LEAST -> event + " at least " + threshold + (threshold == 1 ? " time" : " times") + " in " + days;
      case THEN -> event + " then " + thenEvent + " in " + days;
      default -> event + " within " + threshold + (threshold == 1 ? " hour" : " hours") + " of the first event";
    };
  }

  /** What it is about, whatever its threshold: the event, or the pair. */
  public String subject() {
    return THEN.equals(kind) ? event + "_then_" + thenEvent : event;
  }
}
