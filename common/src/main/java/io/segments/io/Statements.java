package io.segments.io;

import org.apache.spark.sql.catalyst.analysis.UnresolvedRelation;
import org.apache.spark.sql.catalyst.plans.logical.Command;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.ParsedStatement;

/**
 * What a parsed SQL statement does. Only reads: a SHOW, DESCRIBE or EXPLAIN, or a query made only of the
 * query operators listed here. Anything else (DDL, DML, and every extension statement such as Delta's RESTORE,
 * VACUUM or OPTIMIZE, some of which live in Spark's own packages) counts as changing tables.
 */
public final class Statements {
  private static final java.util.Set<String> QUERY_OPERATORS = java.util.Set.of("Project", "Filter", "Aggregate",
      "Sort", "GlobalLimit", "LocalLimit", "Offset", "Tail", "Distinct", "Deduplicate", "Union", "Intersect",
      "Except", "Join", "LateralJoin", "UnresolvedWith", "SubqueryAlias", "UnresolvedRelation", "RelationTimeTravel",
      "UnresolvedInlineTable", "OneRowRelation", "LocalRelation", "Range", "Window", "WithWindowDefinition",
      "Generate", "Pivot", "Unpivot", "Sample", "Repartition", "RepartitionByExpression", "UnresolvedHint",
      "UnresolvedHaving", "UnresolvedSubqueryColumnAliases", "UnresolvedTableValuedFunction", "UnresolvedTVFAliases",
      "Expand", "CTERelationRef");

  private Statements() {}

  public static boolean changesTables(LogicalPlan plan) {
    String root = plan.getClass().getSimpleName();
    if (root.startsWith("Show") || root.startsWith("Describe") || root.startsWith("Explain")) {
      return false;
    }
    return !onlyQueryOperators(plan);
  }

  private static boolean onlyQueryOperators(LogicalPlan plan) {
    if (plan instanceof Command || plan instanceof ParsedStatement
        || !QUERY_OPERATORS.contains(plan.getClass().getSimpleName())) {
      return false;
    }
    var children = plan.children().iterator();
    while (children.hasNext()) {
      if (!onlyQueryOperators(children.next())) {
        return false;
      }
    }
    return true;
  }

  /** True for a DELETE or UPDATE of {@code table} (the last part of its name) and nothing else. */
  public static boolean onlyDeletesOrUpdates(LogicalPlan plan, String table) {
    String root = plan.getClass().getSimpleName();
    if (!(root.equals("DeleteFromTable") || root.equals("UpdateTable")) || plan.children().size() != 1) {
      return false;
    }
    LogicalPlan target = plan.children().head();
    if (!(target instanceof UnresolvedRelation relation)) {
      return false;
    }
    scala.collection.Seq<String> parts = relation.multipartIdentifier();
    return parts.apply(parts.size() - 1).equalsIgnoreCase(table);
  }
}
