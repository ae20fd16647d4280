package io.segments.io;

import org.apache.spark.sql.catalyst.plans.logical.Command;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.ParsedStatement;

/** What a parsed SQL statement does: only read (a query, SHOW, DESCRIBE, EXPLAIN), or change tables. */
public final class Statements {
  private Statements() {}

  /** True unless the statement only reads. */
  public static boolean changesTables(LogicalPlan plan) {
    String root = plan.getClass().getSimpleName();
    if (root.startsWith("Show") || root.startsWith("Describe") || root.startsWith("Explain")) {
      return false;
    }
    if (plan instanceof Command || plan instanceof ParsedStatement) {
      return true;
    }
    var children = plan.children().iterator();
    while (children.hasNext()) {
      if (changesTables(children.next())) {
        return true;
      }
    }
    return false;
  }
}
