package io.segments.config;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The column mapping and timestamp rule of a collector's warehouse schema ({@code source.preset}); the config's own
 * {@code source.columns}, {@code timestamp_unit} and {@code dedupe_key} win over it. docs/sources.md names the
 * vendor documentation of each. An empty column name maps the pipeline column to nothing.
 */
public enum SourcePreset {
  /** Segment's {@code tracks} table (or a per-event table): one row per track call. */
  SEGMENT(Map.of("event_id", "id", "user_id", "user_id", "anonymous_id", "anonymous_id", "event_name", "event",
      "event_at", "timestamp"), null, null),
  /** RudderStack's {@code tracks} table: the same shape as Segment's. */
  RUDDERSTACK(SEGMENT.columns, null, null),
  /** Snowplow's {@code atomic.events}: one row per event, the device's first-party cookie as anonymous id. */
  SNOWPLOW(Map.of("event_id", "event_id", "user_id", "user_id", "anonymous_id", "domain_userid",
      "event_name", "event_name", "event_at", "derived_tstamp"), null, null),
  /**
   * The GA4 BigQuery export landed as Parquet: epoch microseconds, parameters as a key/value array, and no event
   * id, while the events of one batch share their timestamp: every row is an event (no deduplication).
   */
  GA4(Map.of("event_id", "", "user_id", "user_id", "anonymous_id", "user_pseudo_id", "event_name", "event_name",
      "event_at", "event_timestamp", "revenue", "event_value_in_usd", "properties", "event_params"),
      "microseconds", List.of()),
  /** Amplitude's export (JSON lines): UTC stamps without an offset, properties as an object. */
  AMPLITUDE(Map.of("event_id", "uuid", "user_id", "user_id", "anonymous_id", "device_id", "event_name", "event_type",
      "event_at", "event_time", "properties", "event_properties"), null, null),
  /**
   * Mixpanel's raw export (JSON lines): everything but the name under {@code properties}, time in epoch seconds;
   * the user is {@code $user_id} (Simplified ID Merge: an anonymous event's distinct_id is its device).
   */
  MIXPANEL(Map.of("event_id", "properties.$insert_id", "user_id", "properties.$user_id",
      "anonymous_id", "properties.$device_id", "event_name", "event", "event_at", "properties.time",
      "properties", "properties"), "seconds", null);

  private final Map<String, String> columns;
  private final String timestampUnit;
  private final List<String> dedupeKey;

  SourcePreset(Map<String, String> columns, String timestampUnit, List<String> dedupeKey) {
    this.columns = columns;
    this.timestampUnit = timestampUnit;
    this.dedupeKey = dedupeKey;
  }

  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The preset's mapping of the pipeline columns a config knows; others it leaves to their defaults. */
  public Map<String, String> columns(List<String> known) {
    Map<String, String> mapped = new java.util.HashMap<>();
    columns.forEach((k, v) -> {
      if (known.contains(k)) {
        mapped.put(k, v);
      }
    });
    return mapped;
  }

  /** The epoch unit of its timestamp column, or null when that column is a timestamp or a string. */
  public String timestampUnit() {
    return timestampUnit;
  }

  /** Its dedupe key, or null for the default (event_id). */
  public List<String> dedupeKey() {
    return dedupeKey;
  }

  public static List<String> keys() {
    return java.util.Arrays.stream(values()).map(SourcePreset::key).toList();
  }
}
