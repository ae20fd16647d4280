package io.segments.publish;

import io.segments.config.Identifiers;
import io.segments.config.PostgresSinkConfig;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** The sink table's shape in PostgreSQL: its columns as they are, and as audience_members' schema makes them. */
final class PostgresSchema {
  private PostgresSchema() {}

  /** The sink table's columns in order; empty when it does not exist. */
  static List<String> columnsOf(Connection connection, PostgresSinkConfig config) throws SQLException {
    List<String> columns = new ArrayList<>();
    try (PreparedStatement statement = connection.prepareStatement("select column_name from information_schema.columns"
        + " where table_name = ? and table_schema = coalesce(?, current_schema()) order by ordinal_position")) {
      statement.setString(1, config.tableName());
      statement.setString(2, config.schema());
      try (ResultSet result = statement.executeQuery()) {
        while (result.next()) {
          columns.add(result.getString(1));
        }
      }
    }
    return columns;
  }

  /** The column definitions of a table holding rows of this schema; audience and user_id not null. */
  static String ddl(StructType schema) {
    List<String> columns = new ArrayList<>();
    for (StructField field : schema.fields()) {
      boolean key = field.name().equals("audience") || field.name().equals("user_id");
      columns.add(Identifiers.postgres(field.name()) + " " + sqlType(field.dataType()) + (key ? " not null" : ""));
    }
    return String.join(", ", columns);
  }

  private static String sqlType(DataType type) {
    if (type.equals(DataTypes.DateType)) {
      return "date";
    } else if (type.equals(DataTypes.LongType)) {
      return "bigint";
    } else if (type.equals(DataTypes.IntegerType)) {
      return "integer";
    } else if (type.equals(DataTypes.DoubleType)) {
      return "double precision";
    } else if (type.equals(DataTypes.BooleanType)) {
      return "boolean";
    } else if (type.equals(DataTypes.TimestampType)) {
      return "timestamptz";
    }
    return "text";
  }
}
