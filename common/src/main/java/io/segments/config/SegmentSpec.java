package io.segments.config;

/**
 * One named segment: who enters ({@code rule}), who leaves ({@code exitRule}, default: the rule no longer
 * holds), and the method's spec that travels with it to the catalog.
 *
 * @param family mutually exclusive group, or null for a segment that may overlap others
 * @param priority within the family, lower wins
 * @param minDays once entered, stay at least this many days unless an explicit exit rule holds
 * @param refresh {@code daily} (the daily run) or {@code event} (also updated by {@code stream} as events arrive)
 */
public record SegmentSpec(
    String name,
    String family,
    int priority,
    String rule,
    String exitRule,
    int minDays,
    String description,
    String owner,
    String onEnter,
    String onExit,
    String successMetric,
    String where,
    String refresh) {

  public static final String DAILY = "daily";
  public static final String EVENT = "event";

  /** A segment refreshed by the daily run only. */
  public SegmentSpec(String name, String family, int priority, String rule, String exitRule, int minDays,
      String description, String owner, String onEnter, String onExit, String successMetric, String where) {
    this(name, family, priority, rule, exitRule, minDays, description, owner, onEnter, onExit, successMetric, where,
        DAILY);
  }

  /** True when {@code stream} updates this segment as events arrive ({@code refresh: event}). */
  public boolean eventDriven() {
    return EVENT.equals(refresh);
  }

  /** The exit condition as Spark SQL: the explicit exit rule, or "the entry rule no longer holds". */
  public String effectiveExitRule() {
    return exitRule != null ? exitRule : "not coalesce((" + rule + "), false)";
  }
}
