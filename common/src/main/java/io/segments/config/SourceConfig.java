package io.segments.config;

import java.util.List;
import java.util.Map;

/**
 * Where the events (and optionally users) come from, and how their columns map onto the pipeline's names.
 *
 * @param events a table name ({@code db.table}) or a path ({@code delta:/path}, {@code parquet:/path})
 * @param columns pipeline column name (event_id, user_id, event_name, event_at, revenue) to source column
 * @param users optional users table with user_id, signup_at and export attributes
 * @param vocabulary allowed event names; empty accepts any
 * @param futureToleranceHours events stamped more than this many hours after now are quarantined
 * @param maxQuarantineShare a run whose share of quarantined rows of the day exceeds this is refused (exit 3)
 * @param dedupeKey pipeline columns whose values identify one event (default: event_id)
 * @param botMaxEventsPerDay a user with more events than this on a day is quarantined for that day (0: off)
 * @param lookbackDays a daily run reads only events of its last this many days (and of days not yet rolled up);
 *     0 reads all history every run
 */
public record SourceConfig(String events, Map<String, String> columns, String users, List<String> vocabulary,
    int futureToleranceHours, double maxQuarantineShare, List<String> dedupeKey, long botMaxEventsPerDay,
    int lookbackDays) {

  public SourceConfig(String events, Map<String, String> columns, String users, List<String> vocabulary,
      int futureToleranceHours, double maxQuarantineShare) {
    this(events, columns, users, vocabulary, futureToleranceHours, maxQuarantineShare, List.of("event_id"), 0, 0);
  }

  public static final List<String> COLUMNS = List.of("event_id", "user_id", "event_name", "event_at", "revenue");

  public SourceConfig {
    columns = Map.copyOf(columns);
    vocabulary = List.copyOf(vocabulary);
    dedupeKey = List.copyOf(dedupeKey);
  }

  public String column(String pipelineName) {
    return columns.getOrDefault(pipelineName, pipelineName);
  }
}
