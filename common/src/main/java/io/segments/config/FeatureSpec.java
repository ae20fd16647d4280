package io.segments.config;

import java.util.List;

/**
 * One declared feature. Which fields matter depends on the kind; the loader checks that the ones a kind
 * needs are present and sensible.
 *
 * @param events event names the feature looks at (empty: all events)
 * @param windowDays window length in days, ending with the as-of day (0: all history)
 * @param first for sequences: the first event (A)
 * @param then for sequences: the event that must follow (B)
 * @param withinDays for sequences: B at most this many days after A
 * @param withinDaysOfSignup for sequences: B at most this many days after signup (0: no limit)
 * @param mode for sequences: followed_by, not_followed_by or days_between
 * @param daysOfWeek for share: ISO days of week (1 = Monday .. 7 = Sunday) counted as the share
 * @param previousDays for trend: length of the earlier period
 * @param minEvents for streak and regularly: events a period needs to count as active
 * @param periods for regularly: how many of the last periods are looked at
 * @param minPeriods for regularly: how many of them must be active
 * @param weekly for streak and regularly: periods are ISO weeks (true) or days (false)
 * @param expression for expression features: Spark SQL over other features
 * @param where the file and line that declared it (for error messages)
 * @param firstDays for count and sequence: only events on the first K days, counting from the signup day (users
 *     table) or else the first day seen (0: no such limit)
 * @param filter conditions on event properties ({@code where}, {@code first_where}, {@code then_where})
 */
public record FeatureSpec(
    String name,
    FeatureKind kind,
    List<String> events,
    int windowDays,
    String first,
    String then,
    int withinDays,
    int withinDaysOfSignup,
    String mode,
    List<Integer> daysOfWeek,
    int previousDays,
    int minEvents,
    int periods,
    int minPeriods,
    boolean weekly,
    String expression,
    String where,
    int firstDays,
    Filter filter) {

  /**
   * Conditions on the properties of the events a feature counts (Spark SQL over property names, under the
   * expression policy): {@code events} for count, active_days, recency and sum; {@code first} and {@code then} for
   * a sequence's two steps. Each is null when absent.
   */
  public record Filter(String events, String first, String then) {
    public static final Filter NONE = new Filter(null, null, null);

    public List<String> texts() {
      return java.util.stream.Stream.of(events, first, then).filter(java.util.Objects::nonNull).toList();
    }
  }

  public FeatureSpec {
    events = List.copyOf(events);
    daysOfWeek = List.copyOf(daysOfWeek);
    filter = filter == null ? Filter.NONE : filter;
  }

  /** A feature without property filters. */
  public FeatureSpec(String name, FeatureKind kind, List<String> events, int windowDays, String first, String then,
      int withinDays, int withinDaysOfSignup, String mode, List<Integer> daysOfWeek, int previousDays, int minEvents,
      int periods, int minPeriods, boolean weekly, String expression, String where, int firstDays) {
    this(name, kind, events, windowDays, first, then, withinDays, withinDaysOfSignup, mode, daysOfWeek, previousDays,
        minEvents, periods, minPeriods, weekly, expression, where, firstDays, Filter.NONE);
  }

  /** A feature without a first-days limit. */
  public FeatureSpec(String name, FeatureKind kind, List<String> events, int windowDays, String first, String then,
      int withinDays, int withinDaysOfSignup, String mode, List<Integer> daysOfWeek, int previousDays, int minEvents,
      int periods, int minPeriods, boolean weekly, String expression, String where) {
    this(name, kind, events, windowDays, first, then, withinDays, withinDaysOfSignup, mode, daysOfWeek, previousDays,
        minEvents, periods, minPeriods, weekly, expression, where, 0);
  }

  /** The columns of {@code user_features} this feature writes, known without Spark. */
  public List<String> outputNames() {
    return switch (kind) {
      case PURCHASE_SUMMARY -> List.of(name + "_frequency", name + "_recency", name + "_t", name + "_monetary_value");
      case RFM -> List.of(name + "_recency_days", name + "_frequency", name + "_monetary", name + "_r", name + "_f",
          name + "_m", name + "_code", name + "_segment");
      default -> List.of(name);
    };
  }
}
