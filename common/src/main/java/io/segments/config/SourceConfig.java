package io.segments.config;

import java.util.List;
import java.util.Map;

/**
 * Where the events (and optionally users) come from, how they are read, and how their columns map onto the
 * pipeline's names. A {@link SourcePreset} fills the mapping and the timestamp rule of a collector's schema; any
 * key set in the config wins over it.
 *
 * @param events a table name ({@code db.table}) or a path ({@code delta:/path}, {@code csv:/path}, ...)
 * @param columns pipeline column name ({@link #COLUMNS}) to source column; an empty name maps it to nothing
 * @param users optional users table with user_id, signup_at and export attributes
 * @param vocabulary allowed event names; empty accepts any
 * @param futureToleranceHours events stamped more than this many hours after now are quarantined
 * @param maxQuarantineShare a run whose share of quarantined rows of the day exceeds this is refused (exit 3)
 * @param dedupeKey pipeline columns whose values identify one event (default: event_id)
 * @param botMaxEventsPerDay a user with more events than this on a day is quarantined for that day (0: off)
 * @param lookbackDays a daily run reads only events of its last this many days (and of days not yet rolled up);
 *     0 reads all history every run
 * @param options reader options of a path source (CSV header, delimiter, ...), passed to Spark as they are
 * @param timestampZone the zone a timestamp without an offset is read in
 * @param timestampUnit for epoch numbers: seconds, milliseconds or microseconds; null when event_at is no number
 * @param preset the collector schema the mapping came from, or null
 * @param identity how events with only an anonymous id find their user ({@link Identity#OFF}: they do not)
 * @param freshness when the as-of day's data counts as arrived ({@link Freshness#DEFAULT}: some event on the day)
 */
public record SourceConfig(String events, Map<String, String> columns, String users, List<String> vocabulary,
    int futureToleranceHours, double maxQuarantineShare, List<String> dedupeKey, long botMaxEventsPerDay,
    int lookbackDays, Map<String, String> options, String timestampZone, String timestampUnit, String preset,
    Identity identity, Freshness freshness) {

  /**
   * {@code source.freshness}: the day's events are at least {@code minShare} of a typical day's (0: not checked),
   * and its newest event is at most {@code maxLagHours} before the end of the day (0: not checked). A day without
   * a single event is stale in any case.
   */
  public record Freshness(double minShare, int maxLagHours) {
    public static final Freshness DEFAULT = new Freshness(0, 0);
  }

  public SourceConfig(String events, Map<String, String> columns, String users, List<String> vocabulary,
      int futureToleranceHours, double maxQuarantineShare, List<String> dedupeKey, long botMaxEventsPerDay,
      int lookbackDays, Map<String, String> options, String timestampZone, String timestampUnit, String preset,
      Identity identity) {
    this(events, columns, users, vocabulary, futureToleranceHours, maxQuarantineShare, dedupeKey, botMaxEventsPerDay,
        lookbackDays, options, timestampZone, timestampUnit, preset, identity, Freshness.DEFAULT);
  }

  /**
   * Identity stitching: with {@code stitch}, an event with only an anonymous id is attributed to the user id that
   * the same anonymous id is identified as, by events that carry both or by the rows of {@code table} (an identify
   * or alias table with the two columns named here). Off, such events are set aside.
   */
  public record Identity(boolean stitch, String table, String userIdColumn, String anonymousIdColumn) {
    public static final Identity OFF = new Identity(false, null, "user_id", "anonymous_id");
  }

  public SourceConfig(String events, Map<String, String> columns, String users, List<String> vocabulary,
      int futureToleranceHours, double maxQuarantineShare) {
    this(events, columns, users, vocabulary, futureToleranceHours, maxQuarantineShare, List.of("event_id"), 0, 0);
  }

  public SourceConfig(String events, Map<String, String> columns, String users, List<String> vocabulary,
      int futureToleranceHours, double maxQuarantineShare, List<String> dedupeKey, long botMaxEventsPerDay,
      int lookbackDays) {
    this(events, columns, users, vocabulary, futureToleranceHours, maxQuarantineShare, dedupeKey, botMaxEventsPerDay,
        lookbackDays, Map.of(), "UTC", null, null, Identity.OFF);
  }

  /** The pipeline columns a source maps. */
  public static final List<String> COLUMNS = List.of("event_id", "user_id", "event_name", "event_at", "revenue",
      "anonymous_id", "properties");

  /** The ones read from a same-named column unless mapped; the others are absent unless mapped. */
  public static final List<String> REQUIRED = List.of("user_id", "event_name", "event_at");

  /** The ones absent unless mapped. */
  public static final List<String> OPTIONAL = List.of("revenue", "anonymous_id", "properties");

  public static final List<String> TIMESTAMP_UNITS = List.of("seconds", "milliseconds", "microseconds");

  public SourceConfig {
    columns = Map.copyOf(columns);
    vocabulary = List.copyOf(vocabulary);
    dedupeKey = List.copyOf(dedupeKey);
    options = Map.copyOf(options);
    identity = identity == null ? Identity.OFF : identity;
    freshness = freshness == null ? Freshness.DEFAULT : freshness;
  }

  /**
   * The source column of a pipeline column, or null when the source has none: the {@link #OPTIONAL} ones unless
   * mapped, and any mapped to nothing. event_id and the required columns default to a column of
   * their own name.
   */
  public String column(String pipelineName) {
    String mapped = columns.get(pipelineName);
    if (mapped != null) {
      return mapped.isEmpty() ? null : mapped;
    }
    return OPTIONAL.contains(pipelineName) ? null : pipelineName;
  }

  /** The file formats a path source may name, as in {@code csv:/data/events.csv}. */
  public static final List<String> FORMATS = List.of("delta", "parquet", "orc", "json", "csv");

  /** The format of a {@code format:path} source, or null for a table name. */
  public static String pathFormat(String source) {
    int colon = source.indexOf(':');
    String format = colon > 0 ? source.substring(0, colon).toLowerCase(java.util.Locale.ROOT) : null;
    return format != null && FORMATS.contains(format) ? format : null;
  }

  /** Whether the events carry revenue (a mapped revenue column); without it revenue is 0. */
  public boolean hasRevenue() {
    return column("revenue") != null;
  }
}
