package io.segments.publish;

import java.util.Map;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** Table and column comments of the published tables, and the fixed schema of the catalog. */
final class TableDocs {
  record Doc(String table, Map<String, String> columns) {}

  static final Doc AUDIENCE_MEMBERS = new Doc(
      "Current members of each audience, for reverse ETL. Primary key (audience, user_id). "
          + "Replaced by one MERGE per run; change data feed on.",
      Map.of(
          "audience", "Audience name (from config audiences, or the segment name)",
          "user_id", "User id as in the source events",
          "segment", "Segment the audience is built from",
          "entered_on", "Day the user entered the segment (stable while the user stays)"));

  static final Doc USER_SEGMENTS = new Doc(
      "One row per known user: the winning segment of each family, and all segments. Primary key user_id.",
      Map.of(
          "user_id", "User id as in the source events",
          "segments", "Sorted array of all segments the user is in"));

  static final Doc SEGMENT_CATALOG = new Doc(
      "One row per segment: the method's spec (rule, actions, owner, success metric) and its size.",
      Map.of(
          "segment", "Segment name",
          "rule", "Entry rule: Spark SQL over user_features",
          "exit_rule", "Exit rule (default: the entry rule no longer holds)",
          "size", "Members on the last refreshed day",
          "size_change", "Change in members since the previous publish",
          "definition_hash", "Hash of name, family, priority, rules and min_days",
          "last_refreshed_on", "As-of day of the publish"));

  static final StructType CATALOG_SCHEMA = new StructType()
      .add("segment", DataTypes.StringType, false)
      .add("family", DataTypes.StringType, true)
      .add("priority", DataTypes.IntegerType, false)
      .add("description", DataTypes.StringType, true)
      .add("owner", DataTypes.StringType, true)
      .add("rule", DataTypes.StringType, false)
      .add("exit_rule", DataTypes.StringType, false)
      .add("min_days", DataTypes.IntegerType, false)
      .add("on_enter", DataTypes.StringType, true)
      .add("on_exit", DataTypes.StringType, true)
      .add("success_metric", DataTypes.StringType, true)
      .add("refresh_cadence", DataTypes.StringType, false)
      .add("size", DataTypes.LongType, false)
      .add("share_of_base", DataTypes.DoubleType, false)
      .add("size_change", DataTypes.LongType, true)
      .add("definition_hash", DataTypes.StringType, false)
      .add("definition_changed_on", DataTypes.DateType, false)
      .add("last_refreshed_on", DataTypes.DateType, false);

  private TableDocs() {}
}
