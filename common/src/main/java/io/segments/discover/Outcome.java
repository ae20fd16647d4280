package io.segments.discover;

import io.segments.config.ConfigException;
import io.segments.config.ValidateConfig;
import java.util.Arrays;
import java.util.Locale;

/**
 * What discover predicts, per user of a cohort (the cohort day is the signup day, or else the first day seen),
 * with validate's definitions: retention = active (validate.active_events) on day 1, 7, 30 or 90 after the cohort
 * day, a day after the early window ({@link #requireRoom}); activation and conversion = that event on days 0..N.
 */
public enum Outcome {
  RETAINED_D1(1, 1), RETAINED_D7(7, 7), RETAINED_D30(30, 30), RETAINED_D90(90, 90), ACTIVATED(0, -1), CONVERTED(0, -1);

  private final int firstDay;
  private final int lastDay;

  Outcome(int firstDay, int lastDay) {
    this.firstDay = firstDay;
    this.lastDay = lastDay;
  }

  public static Outcome parse(String text) {
    return Arrays.stream(values()).filter(o -> o.label().equals(text)).findFirst()
        .orElseThrow(() -> new ConfigException("--outcome", "unknown outcome '" + text + "'", "use one of "
            + String.join(", ", Arrays.stream(values()).map(Outcome::label).toList())));
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The first day after the cohort day that the outcome looks at. */
  public int firstDay() {
    return firstDay;
  }

  /** The last day it looks at: cohorts younger than this have no outcome yet. */
  public int lastDay(ValidateConfig validate) {
    return switch (this) {
      case ACTIVATED -> validate.activationDays();
      case CONVERTED -> validate.conversionDays();
      default -> lastDay;
    };
  }

  /** The event the outcome is about (left out of the candidates), or null for retention. */
  public String event(ValidateConfig validate) {
    String event = switch (this) {
      case ACTIVATED -> validate.activationEvent();
      case CONVERTED -> validate.conversionEvent();
      default -> null;
    };
    if ((this == ACTIVATED || this == CONVERTED) && event == null) {
      throw new ConfigException("--outcome", "outcome " + label() + " needs validate."
          + (this == ACTIVATED ? "activation_event" : "conversion_event"), "set it in the config, or pick a"
          + " retention outcome such as retained_d30");
    }
    return event;
  }

  /** The early window discover uses unless told: 7 days, or half the outcome's horizon when that is shorter. */
  public int defaultFirstDays() {
    return this == ACTIVATED || this == CONVERTED ? 7 : Math.min(7, Math.max(1, lastDay / 2));
  }

  /**
   * The first day the outcome is looked for after an early window of {@code firstDays} (days 0..K-1): a retention
   * outcome's day N lies after the window ({@link #requireRoom}), so the behaviors never contain the outcome;
   * activation and conversion keep days 0..N, and leave their own event out of the behaviors.
   */
  public int firstDayAfter(int firstDays) {
    return this == ACTIVATED || this == CONVERTED ? firstDay : Math.max(firstDay, firstDays);
  }

  /** Refuses an early window that leaves no day of the outcome to look at. */
  public void requireRoom(int firstDays, ValidateConfig validate) {
    if (firstDays > lastDay(validate)) {
      throw new ConfigException("--first-days", "the first " + firstDays + " days leave no day of " + label()
          + ", which looks at days up to day " + lastDay(validate) + " after the cohort day", "use --first-days "
          + lastDay(validate) + " or less, or a later outcome such as retained_d30");
    }
  }
}
