package io.segments.config;

import java.util.List;

/**
 * How segments are checked against outcomes.
 *
 * @param activeEvents events that make a user "active" for retention (empty: any event)
 * @param activationEvent the value moment's observable event, for activation rate and time to value
 * @param activationDays activation counts when reached within this many days of the cohort date
 * @param conversionEvent the conversion event (e.g. upgrade)
 * @param conversionDays conversion counts when it happens within this many days of the cohort date
 * @param minSize segments smaller than this are flagged as too small to trust
 * @param retentionGapPoints segments of a family should differ by at least this many points of d30 retention
 * @param gate when true, failed checks block the publish
 */
public record ValidateConfig(List<String> activeEvents, String activationEvent, int activationDays,
    String conversionEvent, int conversionDays, int minSize, double retentionGapPoints, boolean gate) {

  /** The longest activation or conversion window the outcomes carry (a year): longer ones are refused at load. */
  public static final int MAX_WINDOW_DAYS = 366;

  public ValidateConfig {
    activeEvents = List.copyOf(activeEvents);
  }
}
