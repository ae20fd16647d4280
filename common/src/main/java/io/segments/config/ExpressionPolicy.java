package io.segments.config;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.catalyst.analysis.UnresolvedAttribute;
import org.apache.spark.sql.catalyst.analysis.UnresolvedFunction;
import org.apache.spark.sql.catalyst.expressions.Add;
import org.apache.spark.sql.catalyst.expressions.And;
import org.apache.spark.sql.catalyst.expressions.CaseWhen;
import org.apache.spark.sql.catalyst.expressions.Cast;
import org.apache.spark.sql.catalyst.expressions.Concat;
import org.apache.spark.sql.catalyst.expressions.Divide;
import org.apache.spark.sql.catalyst.expressions.EqualNullSafe;
import org.apache.spark.sql.catalyst.expressions.EqualTo;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.GreaterThan;
import org.apache.spark.sql.catalyst.expressions.GreaterThanOrEqual;
import org.apache.spark.sql.catalyst.expressions.ILike;
import org.apache.spark.sql.catalyst.expressions.In;
import org.apache.spark.sql.catalyst.expressions.IntegralDivide;
import org.apache.spark.sql.catalyst.expressions.IsNotNull;
import org.apache.spark.sql.catalyst.expressions.IsNull;
import org.apache.spark.sql.catalyst.expressions.LessThan;
import org.apache.spark.sql.catalyst.expressions.LessThanOrEqual;
import org.apache.spark.sql.catalyst.expressions.Like;
import org.apache.spark.sql.catalyst.expressions.Literal;
import org.apache.spark.sql.catalyst.expressions.Multiply;
import org.apache.spark.sql.catalyst.expressions.Not;
import org.apache.spark.sql.catalyst.expressions.Or;
import org.apache.spark.sql.catalyst.expressions.Remainder;
import org.apache.spark.sql.catalyst.expressions.StringLocate;
import org.apache.spark.sql.catalyst.expressions.StringTrim;
import org.apache.spark.sql.catalyst.expressions.StringTrimLeft;
import org.apache.spark.sql.catalyst.expressions.StringTrimRight;
import org.apache.spark.sql.catalyst.expressions.Substring;
import org.apache.spark.sql.catalyst.expressions.Subtract;
import org.apache.spark.sql.catalyst.expressions.SubqueryExpression;
import org.apache.spark.sql.catalyst.expressions.UnaryMinus;
import org.apache.spark.sql.catalyst.expressions.UnaryPositive;
import org.apache.spark.sql.catalyst.parser.CatalystSqlParser$;
import scala.runtime.AbstractPartialFunction;

/**
 * The one policy for every expression that comes from config (segment rules and exit rules, expression
 * features, RFM map conditions): parsed with Spark's own parser, without variable substitution, and the tree
 * walked against an allowlist. Allowed: references to the names the caller lists, literals, arithmetic,
 * comparisons, boolean logic, CASE, IN, BETWEEN, LIKE, IS [NOT] NULL, CAST and the pure functions of
 * {@link #FUNCTIONS}. Everything else (subqueries, qualified names that reach other tables, reflection,
 * UDFs, aggregates, window functions, generators, lambdas, parameters, the clock) is refused with the
 * offending piece and what is allowed. The job builds its columns only through {@link #column}, so what runs
 * is what was checked.
 */
public final class ExpressionPolicy {
  public static final int MAX_LENGTH = 4000;
  public static final int MAX_DEPTH = 60;
  /** LIKE compiles to a regular expression: more wildcards than this can backtrack for a long time. */
  private static final int MAX_LIKE_WILDCARDS = 4;

  /** Pure scalar functions: same arguments, same answer, no I/O, no access to the JVM or the catalog. */
  public static final Set<String> FUNCTIONS = Set.of(
      // math
      "abs", "ceil", "ceiling", "floor", "round", "bround", "sqrt", "cbrt", "exp", "ln", "log", "log10", "log2",
      "log1p", "pow", "power", "sign", "signum", "mod", "pmod", "greatest", "least", "isnan", "nanvl",
      "positive", "negative",
      // nulls and conditions
      "coalesce", "nvl", "nvl2", "ifnull", "nullif", "if", "isnull", "isnotnull",
      // strings
      "lower", "upper", "lcase", "ucase", "length", "char_length", "character_length", "trim", "ltrim", "rtrim",
      "btrim", "substring", "substr", "left", "right", "concat", "concat_ws", "instr", "locate",
      "replace", "startswith", "endswith", "contains", "initcap", "reverse", "translate",
      // dates (of feature values and as_of_date; never of the clock)
      "datediff", "date_diff", "date_add", "date_sub", "dateadd", "add_months", "months_between", "year",
      "quarter", "month", "day", "dayofmonth", "dayofweek", "dayofyear", "weekday", "weekofyear", "last_day",
      "next_day", "to_date", "date_trunc", "trunc", "make_date", "extract", "date_part",
      // casts written as functions
      "int", "bigint", "smallint", "tinyint", "double", "float", "decimal", "string", "boolean", "date");

  private static final Set<Class<?>> OPERATORS = Set.of(
      Literal.class, Add.class, Subtract.class, Multiply.class, Divide.class, Remainder.class,
      IntegralDivide.class, UnaryMinus.class, UnaryPositive.class, EqualTo.class, EqualNullSafe.class,
      LessThan.class, LessThanOrEqual.class, GreaterThan.class, GreaterThanOrEqual.class, Not.class, And.class,
      Or.class, CaseWhen.class, In.class, IsNull.class, IsNotNull.class, Cast.class, Like.class, ILike.class,
      Concat.class, StringLocate.class, StringTrim.class, StringTrimLeft.class, StringTrimRight.class,
      Substring.class);

  public static final String ALLOWED = "feature names, literals, + - * / % div, = <> < <= > >= <=>, and/or/not,"
      + " case, in (list), between, like, is [not] null, cast and pure functions (math, strings, dates of"
      + " features, coalesce, if...; docs/expressions.md lists them)";

  private ExpressionPolicy() {}

  /**
   * Checks an expression and its references.
   *
   * @param names what it may refer to (compared without case, as Spark does)
   * @param where file:line and what the expression is, for messages
   * @param kind what the names are, for messages ("feature", "RFM score")
   */
  public static Expression check(String text, Set<String> names, String where, String kind) {
    Expression expression = parse(text, where);
    walk(expression, text, names, where, kind, 0);
    return expression;
  }

  /** The checked expression as a column (no name check: Spark resolves the names against its input). */
  public static Column column(String text) {
    Expression expression = parse(text, "expression");
    walk(expression, text, null, "expression", "column", 0);
    return new Column(expression);
  }

  /** As {@link #column(String)}, with references renamed (e.g. the RFM map's r, f, m to a feature's scores). */
  public static Column column(String text, Map<String, String> renames) {
    Expression expression = parse(text, "expression");
    walk(expression, text, null, "expression", "column", 0);
    return new Column(expression.transform(new AbstractPartialFunction<Expression, Expression>() {
      @Override
      public boolean isDefinedAt(Expression e) {
        return e instanceof UnresolvedAttribute a && renames.containsKey(a.name().toLowerCase(Locale.ROOT));
      }

      @Override
      public Expression apply(Expression e) {
        return UnresolvedAttribute.quoted(renames.get(((UnresolvedAttribute) e).name().toLowerCase(Locale.ROOT)));
      }
    }));
  }

  /** The names an expression refers to, lower case, in order of appearance; the expression is checked too. */
  public static Set<String> references(String text) {
    Set<String> names = new java.util.LinkedHashSet<>();
    writtenReferences(text).forEach(n -> names.add(n.toLowerCase(Locale.ROOT)));
    return names;
  }

  /** The names an expression refers to as written (property names keep their case); checked too. */
  public static Set<String> writtenReferences(String text) {
    Expression expression = parse(text, "expression");
    walk(expression, text, null, "expression", "column", 0);
    Set<String> names = new java.util.LinkedHashSet<>();
    collectReferences(expression, names);
    return names;
  }

  /** The checked expression as a column whose every name {@code x} reads the field {@code struct.x}. */
  public static Column fieldsOf(String text, String struct) {
    Expression expression = parse(text, "expression");
    walk(expression, text, null, "expression", "column", 0);
    return new Column(expression.transform(new AbstractPartialFunction<Expression, Expression>() {
      @Override
      public boolean isDefinedAt(Expression e) {
        return e instanceof UnresolvedAttribute;
      }

      @Override
      public Expression apply(Expression e) {
        return new UnresolvedAttribute(scala.collection.JavaConverters.asScalaBuffer(
            List.of(struct, ((UnresolvedAttribute) e).name())).toSeq());
      }
    }));
  }

  private static void collectReferences(Expression node, Set<String> names) {
    if (node instanceof UnresolvedAttribute attribute) {
      names.add(attribute.name());
    }
    var children = node.children().iterator();
    while (children.hasNext()) {
      collectReferences(children.next(), names);
    }
  }

  private static Expression parse(String text, String where) {
    ExpressionText.check(text, where);
    try {
      return CatalystSqlParser$.MODULE$.parseExpression(text);
    } catch (StackOverflowError e) {
      throw refused(where, text, "it is nested too deeply to parse", "split it into expression features");
    } catch (Exception e) {
      throw refused(where, text, "it does not parse: " + firstLine(e.getMessage()),
          "write one Spark SQL expression, e.g. invites_7d >= 1 and comments_14d = 0");
    }
  }

  private static void walk(Expression node, String text, Set<String> names, String where, String kind, int depth) {
    if (depth > MAX_DEPTH) {
      throw refused(where, text, "it is nested more than " + MAX_DEPTH + " levels deep",
          "split it into expression features and combine those");
    }
    if (node instanceof UnresolvedAttribute attribute) {
      checkReference(attribute, text, names, where, kind);
    } else if (node instanceof UnresolvedFunction function) {
      checkFunction(function, text, where);
    } else if (node instanceof SubqueryExpression || node.getClass().getSimpleName().equals("InSubquery")) {
      throw refused(where, text, "a subquery (" + piece(node) + ") is not allowed",
          "an expression reads only the user's own " + kind + "s; " + allowedFix());
    } else if (!OPERATORS.contains(node.getClass())) {
      throw refused(where, text, describe(node) + " is not allowed", allowedFix());
    } else if (node instanceof Like || node instanceof ILike) {
      Expression pattern = node.children().apply(1);
      String value = pattern instanceof Literal literal && literal.value() != null ? literal.value().toString() : null;
      if (value == null || value.chars().filter(ch -> ch == '%').count() > MAX_LIKE_WILDCARDS || value.length() > 200) {
        throw refused(where, text, "a LIKE pattern must be a string literal of at most 200 characters with at most "
            + MAX_LIKE_WILDCARDS + " '%'", "simplify the pattern, e.g. plan like 'pro%'");
      }
    }
    var children = node.children().iterator();
    while (children.hasNext()) {
      walk(children.next(), text, names, where, kind, depth + 1);
    }
  }

  private static void checkReference(UnresolvedAttribute attribute, String text, Set<String> names, String where,
      String kind) {
    if (attribute.nameParts().size() != 1) {
      throw refused(where, text, "the qualified name " + Identifiers.shown(attribute.name())
          + " is not allowed (it would read another table or a nested field)", "refer to a " + kind + " by its name");
    }
    String name = attribute.name();
    if (names != null && !names.contains(name.toLowerCase(Locale.ROOT))) {
      throw refused(where, text, "it names unknown " + kind + " " + Identifiers.shown(name),
          "did you mean `" + Suggestions.nearest(name, names) + "`? " + capitalized(kind) + "s are " + describeNames(names));
    }
  }

  private static void checkFunction(UnresolvedFunction function, String text, String where) {
    String name = String.join(".", scala.collection.JavaConverters.seqAsJavaList(function.nameParts()))
        .toLowerCase(Locale.ROOT);
    if (function.nameParts().size() != 1 || !FUNCTIONS.contains(name)) {
      throw refused(where, text, "the function " + Identifiers.shown(name) + " is not allowed",
          "use only pure functions of docs/expressions.md (e.g. coalesce, greatest, datediff, lower); "
              + "aggregates, window functions, reflection and UDFs never are");
    }
    if (name.equals("to_date") && function.arguments().size() != 1) {
      throw refused(where, text, "to_date with a format is not allowed (a bad format fails only when the job runs)",
          "compare dates directly (date '2026-01-01') or use to_date(x) on ISO dates");
    }
    if (function.isDistinct() || function.filter().isDefined()) {
      throw refused(where, text, "DISTINCT or FILTER in " + Identifiers.shown(name) + " is not allowed",
          "an expression is computed per user and day; aggregates are declared as features");
    }
  }

  private static String describe(Expression node) {
    String type = node.getClass().getSimpleName();
    return switch (type) {
      case "UnresolvedStar" -> "'*'";
      case "UnresolvedExtractValue" -> "a field or element access (" + piece(node) + ")";
      case "WindowExpression", "UnresolvedWindowExpression", "WindowSpecDefinition" -> "a window function";
      case "LambdaFunction", "UnresolvedNamedLambdaVariable" -> "a lambda function";
      case "NamedParameter", "PosParameter" -> "a parameter marker";
      case "RLike" -> "RLIKE (regular expressions can take unbounded time)";
      default -> "'" + type + "' (" + piece(node) + ")";
    };
  }

  static String piece(Expression node) {
    String text = node.toString();
    return text.length() > 60 ? text.substring(0, 60) + "..." : text;
  }

  private static String allowedFix() {
    return "allowed: " + ALLOWED;
  }

  static ConfigException refused(String where, String text, String why, String fix) {
    return new ConfigException(where, "expression " + Identifiers.shown(text) + " is refused: " + why, fix);
  }

  private static String describeNames(Set<String> names) {
    List<String> sorted = names.stream().sorted().toList();
    return sorted.size() <= 12 ? String.join(", ", sorted) : String.join(", ", sorted.subList(0, 12)) + ", ...";
  }

  private static String capitalized(String kind) {
    return kind.isEmpty() ? kind : Character.toUpperCase(kind.charAt(0)) + kind.substring(1);
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    String line = message.strip();
    int newline = line.indexOf('\n');
    line = newline < 0 ? line : line.substring(0, newline);
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }
}
