package io.segments.config;

import static io.segments.config.ExpressionPolicy.piece;
import static io.segments.config.ExpressionPolicy.refused;

import java.util.Locale;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.Cast;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.RuntimeReplaceable;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;

/**
 * The part of {@link ExpressionPolicy} that needs the expression's types, run once the feature schema is known
 * (check-config and every run): no clock read through a string built at run time.
 */
public final class ClockCasts {
  private ClockCasts() {}

  /**
   * The check that needs types: {@code column} (a checked expression) over {@code frame}'s columns casts no string
   * to a date or timestamp unless the string is a constant that is not a clock word. Spark reads 'today', 'now',
   * 'yesterday' and 'tomorrow' as the clock, and the text check sees only literals written whole, not
   * {@code cast(concat('to', 'day') as date)} or a string feature cast to a date.
   */
  public static void refuse(Dataset<Row> frame, Column column, String text, String where) {
    var plan = frame.select(column.as("checked")).queryExecution().analyzed();
    plan.expressions().foreach(expression -> {
      clockCasts(expression, text, where);
      return null;
    });
  }

  private static void clockCasts(Expression node, String text, String where) {
    if (node instanceof Cast cast && cast.child().dataType() instanceof StringType
        && (cast.dataType() instanceof DateType || cast.dataType() instanceof TimestampType
            || cast.dataType() instanceof TimestampNTZType)) {
      if (!cast.child().foldable()) {
        throw refused(where, text, "it reads a date from a string that is not a constant (" + piece(cast.child())
            + "): a string such as 'today' would read the clock", "compare dates of date features or of"
            + " as_of_date, or cast a string literal, e.g. date '2026-01-01'");
      }
      Object value = cast.child().eval(null);
      if (value != null && ExpressionText.CLOCK_WORDS.contains(value.toString().strip().toLowerCase(Locale.ROOT))) {
        throw refused(where, text, "'" + value.toString().strip() + "' (" + piece(cast.child()) + ") reads the clock",
            "use as_of_date: a rule must give a backfill the answer the daily run gave");
      }
    }
    if (node instanceof RuntimeReplaceable replaceable) {
      clockCasts(replaceable.replacement(), text, where);
    }
    var children = node.children().iterator();
    while (children.hasNext()) {
      clockCasts(children.next(), text, where);
    }
  }
}
