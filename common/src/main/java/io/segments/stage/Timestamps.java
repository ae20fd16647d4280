package io.segments.stage;

import io.segments.config.SourceConfig;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;

/**
 * How a source's event_at becomes an instant, by the column's type (a SQL expression over a raw column, null when
 * the value cannot be read). A Spark timestamp is taken as it is. A timestamp string that is only a date and a wall
 * clock time (every naive form Spark reads: {@code 2026-10-31 12:00}, {@code 2026-10-31T12:00:00.123}, {@code 2026-10})
 * is read in {@code source.timestamp_zone} (default UTC), as is a TIMESTAMP_NTZ. Any other string carries its own
 * zone (an offset, {@code Z}, {@code UTC}, an abbreviation such as {@code PST} or {@code CET}, a region such as
 * {@code America/Port-au-Prince}) and is the instant Spark's own timestamp cast reads, or null (quarantined) when
 * Spark cannot read it: a zone is never dropped. A time without a date is null too (Spark would read it as a time of
 * today). A date, or a string holding only a date, is that day in the segment
 * time zone. Numbers are epoch seconds, milliseconds or microseconds ({@code source.timestamp_unit}), and so are
 * strings when the unit is set.
 */
final class Timestamps {
  private static final String DATE_ONLY = "'^[0-9]{4}-[0-9]{2}-[0-9]{2}$'";
  /** A stamp starts with its date: Spark reads a time alone as a time of today, which no event means. */
  private static final String DATED = "'^[+-]?[0-9]{4}'";
  private static final String NAIVE =
      "'^[+-]?[0-9]{4,6}(-[0-9]{1,2}(-[0-9]{1,2}([T ][0-9]{1,2}(:[0-9]{1,2}(:[0-9]{1,2}([.][0-9]*)?)?)?)?)?)?$'";

  private Timestamps() {}

  /** The SQL expression that reads {@code raw} (a column reference) of this type as an instant. */
  static String parse(String raw, DataType type, SourceConfig source) {
    String unit = source.timestampUnit();
    if (unit != null) {
      String number = "try_cast(" + raw + " as decimal(38, 6))";
      return switch (unit) {
        case "seconds" -> "timestamp_micros(cast(" + number + " * 1000000 as bigint))";
        case "milliseconds" -> "timestamp_micros(cast(" + number + " * 1000 as bigint))";
        default -> "timestamp_micros(cast(" + number + " as bigint))";
      };
    }
    if (type instanceof TimestampType) {
      return raw;
    }
    if (type instanceof DateType) {
      return "cast(" + raw + " as timestamp)";
    }
    if (type instanceof TimestampNTZType) {
      return naive(raw, source);
    }
    String text = "trim(cast(" + raw + " as string))";
    return "case when " + text + " rlike " + DATE_ONLY + " then cast(try_cast(" + text + " as date) as timestamp)"
        + " when " + text + " rlike " + NAIVE + " then " + naive("try_cast(" + text + " as timestamp_ntz)", source)
        + " when " + text + " rlike " + DATED + " then try_cast(" + text + " as timestamp) end";
  }

  /** A wall-clock time in source.timestamp_zone as an instant. */
  private static String naive(String ntz, SourceConfig source) {
    return "cast(convert_timezone('" + source.timestampZone().replace("'", "") + "', current_timezone(), " + ntz
        + ") as timestamp)";
  }

  /** Whether a filter on the raw values themselves can select the rows from a day on (pushed to the files). */
  static boolean comparable(DataType type, SourceConfig source) {
    return source.timestampUnit() == null ? type instanceof TimestampType : type instanceof NumericType;
  }

  /** The raw value of the instant {@code epochSecond}, for {@link #comparable} columns. */
  static Object raw(long epochSecond, SourceConfig source) {
    return switch (source.timestampUnit() == null ? "" : source.timestampUnit()) {
      case "seconds" -> epochSecond;
      case "milliseconds" -> epochSecond * 1000;
      case "microseconds" -> epochSecond * 1_000_000;
      default -> new java.sql.Timestamp(epochSecond * 1000);
    };
  }
}
