package io.segments.config;

import java.util.Arrays;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.spark.sql.catalyst.expressions.Literal;
import org.apache.spark.sql.types.DataTypes;

/**
 * The one rule for every name that becomes part of a statement (database, table, view, audience, segment,
 * family, feature, export attribute, the sink's schema and table), and the one place that quotes names and
 * values where they meet SQL text. A name that passes the rule cannot end one statement and start another;
 * the quoting functions are safe on their own as well.
 */
public final class Identifiers {
  /** ASCII letters, digits and '_', not starting with a digit; 63 characters is PostgreSQL's limit. */
  private static final Pattern RULE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");
  public static final String RULE_TEXT =
      "ASCII letters, digits and '_', not starting with a digit, at most 63 characters (e.g. power_users_7d)";

  private Identifiers() {}

  public static boolean valid(String name) {
    return name != null && RULE.matcher(name).matches();
  }

  /** Returns {@code name} if it follows the rule; else a config error naming {@code what} and the rule. */
  public static String require(String name, String what, String where) {
    if (!valid(name)) {
      throw new ConfigException(where, what + " " + shown(name) + " is not a valid name",
          "use " + RULE_TEXT);
    }
    return name;
  }

  /** A Spark SQL identifier, or a dotted name of several: each part in backticks. */
  public static String spark(String... parts) {
    return Arrays.stream(parts).map(p -> "`" + p.replace("`", "``") + "`").collect(Collectors.joining("."));
  }

  /** A PostgreSQL identifier, or a schema-qualified name: each part in double quotes. */
  public static String postgres(String... parts) {
    return Arrays.stream(parts).map(p -> "\"" + p.replace("\"", "\"\"") + "\"").collect(Collectors.joining("."));
  }

  /**
   * A Spark SQL string literal, escaped by Spark itself. Only for the few statements that take no parameter
   * markers (table properties, column comments, view definitions), and only for values the pipeline makes.
   */
  public static String sparkString(String value) {
    return Literal.create(value, DataTypes.StringType).sql();
  }

  /** The name as a message shows it: quoted, cut when long, control and non-ASCII characters escaped. */
  public static String shown(String text) {
    if (text == null) {
      return "(missing)";
    }
    StringBuilder out = new StringBuilder("'");
    int limit = Math.min(text.length(), 80);
    for (int i = 0; i < limit; i++) {
      char c = text.charAt(i);
      out.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c));
    }
    return out.append(text.length() > limit ? "...' (" + text.length() + " characters)" : "'").toString();
  }
}
