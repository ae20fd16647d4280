package io.segments.stage;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.get_json_object;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The event properties the features' {@code where} conditions name, read from the source's properties column
 * (a map, a struct, a JSON string, or GA4's array of key/value structs) into one struct of strings, {@code
 * properties}, that the rollup carries as part of its key. A property an event lacks is null.
 */
final class Properties {
  private Properties() {}

  /** The struct of {@code names} from {@code raw} (a column of this type); a null string when none is named. */
  static Column carried(String raw, DataType type, List<String> names) {
    if (names.isEmpty() || type == null) {
      return lit(null).cast("string");
    }
    List<Column> fields = new ArrayList<>();
    for (String name : names) {
      fields.add(value(raw, type, name).as(name));
    }
    return struct(fields.toArray(Column[]::new));
  }

  /**
   * Whether the properties value of a row can be read: false only for a JSON string column, when some property is
   * named and the value is neither empty (blank, JSON null, []) nor a JSON object (such a row would silently fail
   * every where condition).
   */
  static Column readable(String raw, DataType type, List<String> names) {
    if (names.isEmpty() || !(type instanceof org.apache.spark.sql.types.StringType)) {
      return lit(true);
    }
    Column value = col(raw);
    Column empty = org.apache.spark.sql.functions.lower(org.apache.spark.sql.functions.trim(value))
        .isin("", "null", "[]");
    return value.isNull().or(empty).or(expr("json_object_keys(" + raw + ")").isNotNull());
  }

  private static Column value(String raw, DataType type, String name) {
    Column column = col(raw);
    if (type instanceof MapType map) {
      return text(column.getItem(name), map.valueType());
    }
    if (type instanceof StructType struct) {
      return Arrays.stream(struct.fields()).filter(f -> f.name().equalsIgnoreCase(name)).findFirst()
          .map(f -> text(column.getField(f.name()), f.dataType())).orElse(lit(null).cast("string"));
    }
    if (type instanceof ArrayType array) {
      StructField valueField = io.segments.io.SourceReader.keyValue(array);
      Column entry = expr("try_element_at(filter(" + raw + ", e -> e.key = '" + name + "'), 1)").getField("value");
      if (valueField.dataType() instanceof StructType typed) {
        return coalesce(Arrays.stream(typed.fields()).map(f -> text(entry.getField(f.name()), f.dataType()))
            .toArray(Column[]::new));
      }
      return text(entry, valueField.dataType());
    }
    return get_json_object(column, "$['" + name + "']");
  }

  private static Column text(Column value, DataType type) {
    return type instanceof StructType || type instanceof MapType || type instanceof ArrayType
        ? to_json(value) : value.cast("string");
  }
}
