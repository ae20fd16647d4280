package io.segments.config;

import static io.segments.config.ExpressionPolicy.MAX_DEPTH;
import static io.segments.config.ExpressionPolicy.MAX_LENGTH;
import static io.segments.config.ExpressionPolicy.refused;

import java.util.Locale;
import java.util.Set;

/**
 * The checks on an expression's text that come before Spark's parser: not empty, not too long, no variable
 * substitution, no invisible or control characters, and outside quotes no comment, no ';' and no nesting the
 * parser would recurse too deep on; no literal that reads the clock.
 */
final class ExpressionText {
  /** Strings that Spark turns into the current date or time ({@code date 'today'}, {@code cast('now' as ...)}). */
  static final Set<String> CLOCK_WORDS = Set.of("now", "today", "yesterday", "tomorrow");

  private ExpressionText() {}

  static void check(String text, String where) {
    if (text == null || text.isBlank()) {
      throw refused(where, text, "it is empty", "write a condition, e.g. invites_7d >= 1");
    }
    if (text.length() > MAX_LENGTH) {
      throw refused(where, text, "it is " + text.length() + " characters long, more than " + MAX_LENGTH,
          "split it into expression features and combine those");
    }
    if (text.contains("${")) {
      throw refused(where, text, "'${' (variable substitution) is not allowed",
          "write literal values; configuration and environment values cannot be read from an expression");
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      int type = Character.getType(c);
      if ((Character.isISOControl(c) && c != '\n' && c != '\r' && c != '\t') || type == Character.FORMAT
          || type == Character.SURROGATE || type == Character.PRIVATE_USE || type == Character.UNASSIGNED) {
        throw refused(where, text, String.format("it holds the invisible or control character U+%04X at"
            + " position %d", (int) c, i + 1), "retype the expression in plain text");
      }
    }
    scanOutsideQuotes(text, where);
  }

  /**
   * Outside string literals and quoted names: no comment, no ';', and parentheses nested at most MAX_DEPTH
   * deep (checked before the parser, which would recurse that deep).
   */
  private static void scanOutsideQuotes(String text, String where) {
    char quote = 0;
    int depth = 0;
    StringBuilder literal = new StringBuilder();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      char next = i + 1 < text.length() ? text.charAt(i + 1) : 0;
      if (quote != 0) {
        if (c == '\\' && quote != '`') {
          i++;
        } else if (c == quote) {
          if (quote != '`' && CLOCK_WORDS.contains(literal.toString().strip().toLowerCase(Locale.ROOT))) {
            throw refused(where, text, "'" + literal.toString().strip() + "' reads the clock",
                "use as_of_date: a rule must give a backfill the answer the daily run gave");
          }
          quote = 0;
        } else {
          literal.append(c);
        }
        continue;
      }
      if (c == '\'' || c == '"' || c == '`') {
        quote = c;
        literal.setLength(0);
      } else if ((c == '-' && next == '-') || (c == '/' && next == '*')) {
        throw refused(where, text, "a comment (" + c + next + ") is not allowed in an expression",
            "remove it; describe the rule in the segment's description");
      } else if (c == ';') {
        throw refused(where, text, "';' is not allowed: an expression is one condition, not statements",
            "remove the ';' and what follows");
      } else if (c == '(' || c == '[') {
        depth++;
        if (depth > MAX_DEPTH) {
          throw refused(where, text, "it nests parentheses more than " + MAX_DEPTH + " deep",
              "split it into expression features and combine those");
        }
      } else if (c == ')' || c == ']') {
        depth--;
      }
    }
  }
}
