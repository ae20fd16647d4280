package io.segments.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The expression policy on its own (no Spark session): the forms analysts write pass, each kind of hostile
 * piece is refused naming the piece and the location. The corpus of 100+ hostile inputs runs end to end in
 * the jobs module's HostileInputTest.
 */
class ExpressionPolicyTest {
  private static final Set<String> FEATURES = Set.of("as_of_date", "user_id", "invites_7d", "comments_14d",
      "last_seen_days", "plan_tier", "signup_date");

  private static void allowed(String expression) {
    ExpressionPolicy.check(expression, FEATURES, "rules.yaml:3 (segment 's', rule)", "feature");
  }

  private static String refused(String expression) {
    ConfigException e = assertThrows(ConfigException.class,
        () -> ExpressionPolicy.check(expression, FEATURES, "rules.yaml:3 (segment 's', rule)", "feature"),
        "should be refused: " + expression);
    assertTrue(e.getMessage().startsWith("rules.yaml:3 (segment 's', rule): expression "), e.getMessage());
    assertTrue(e.getMessage().contains("\n  fix: "), "every refusal says how to fix it: " + e.getMessage());
    assertTrue(e.getMessage().length() < 800, "a refusal is short: " + e.getMessage().length() + " characters");
    return e.getMessage();
  }

  @Test
  void theFormsAnalystsWritePass() {
    allowed("invites_7d >= 1 and comments_14d = 0");
    allowed("invites_7d between 1 and 5 or not (comments_14d in (1, 2, 3))");
    allowed("case when invites_7d > 2 then 'high' when invites_7d > 0 then 'low' else 'none' end = 'high'");
    allowed("coalesce(last_seen_days, 999) > 30 and last_seen_days is not null");
    allowed("plan_tier like 'pro%' or lower(plan_tier) = 'team' or plan_tier ilike 'ENT%'");
    allowed("datediff(as_of_date, signup_date) <= 14 and signup_date >= date '2026-01-01'");
    allowed("cast(invites_7d as double) / greatest(comments_14d, 1) > 0.5");
    allowed("if(invites_7d % 2 = 0, invites_7d div 2, -invites_7d) <=> 3");
    allowed("`invites_7d` >= 1 and 'a -- b; c /* d' = 'a -- b; c /* d'");
    allowed("INVITES_7D >= 1");
    allowed("extract(year from as_of_date) = 2026 and dayofweek(as_of_date) in (1, 7)");
  }

  @Test
  void reflectionAndUnlistedFunctionsAreRefused() {
    String message = refused("reflect('java.lang.System', 'getenv', 'SEGMENTS_PG_PASSWORD') is not null");
    assertTrue(message.contains("the function 'reflect' is not allowed"), message);
    assertTrue(refused("java_method('java.lang.System', 'exit', 0) = 1").contains("'java_method'"));
    assertTrue(refused("my_udf(invites_7d) > 0").contains("'my_udf'"));
    assertTrue(refused("rand() < 0.5").contains("'rand'"));
    assertTrue(refused("current_date() > as_of_date").contains("'current_date'"));
  }

  @Test
  void subqueriesAndOtherTablesAreRefused() {
    assertTrue(refused("(select count(*) from other_db.secret_table) > 0").contains("a subquery"));
    assertTrue(refused("invites_7d in (select 1)").contains("a subquery"));
    assertTrue(refused("exists (select 1)").contains("a subquery"));
    assertTrue(refused("segments.user_features.invites_7d > 0").contains("qualified name"));
  }

  @Test
  void aggregatesWindowsGeneratorsAndLambdasAreRefused() {
    assertTrue(refused("count(*) > 0").contains("'count'"));
    assertTrue(refused("sum(invites_7d) over () > 1").contains("window function"));
    assertTrue(refused("explode(array(1)) > 0").contains("'explode'"));
    assertTrue(refused("exists(array(1), x -> x > 0)").contains("'exists'"));
    assertTrue(refused("* is not null").contains("'*'"));
    assertTrue(refused("invites_7d > :limit").contains("parameter marker"));
    assertTrue(refused("plan_tier rlike '(a+)+$'").contains("RLIKE"));
  }

  @Test
  void statementsCommentsAndVariablesAreRefusedBeforeParsing() {
    assertTrue(refused("true; drop table x").contains("';' is not allowed"));
    assertTrue(refused("invites_7d >= 1 -- and more").contains("a comment (--)"));
    assertTrue(refused("invites_7d >= 1 /* x */").contains("a comment (/*)"));
    assertTrue(refused("'${env:SEGMENTS_PG_PASSWORD}' <> ''").contains("variable substitution"));
    assertTrue(refused("invites_7d >= 1 and \u202e1 = 1").contains("U+202E"));
    assertTrue(refused("invites_7d >=").contains("does not parse"));
    assertTrue(refused("  ").contains("it is empty"));
  }

  @Test
  void longAndDeepInputIsRefusedWithoutAStackOverflow() {
    assertTrue(refused("(".repeat(1000) + "invites_7d >= 1" + ")".repeat(1000)).contains("nests parentheses"));
    assertTrue(refused("(".repeat(5000) + "invites_7d >= 1" + ")".repeat(5000)).contains("characters long"));
    assertTrue(refused("invites_7d >= 1" + " and invites_7d >= 1".repeat(300)).contains("characters long"));
    assertTrue(refused("not ".repeat(200) + "true").contains("levels deep"));
  }

  @Test
  void unknownNamesSuggestTheNearMissAndLookAlikesAreUnknown() {
    String message = refused("invitez_7d >= 1");
    assertTrue(message.contains("unknown feature 'invitez_7d'"), message);
    assertTrue(message.contains("did you mean `invites_7d`?"), message);
    assertTrue(refused("\u0456nvites_7d >= 1").contains("expression '\\u0456nvites_7d >= 1' is refused"),
        "a Cyrillic look-alike is refused and shown escaped");
  }

  @Test
  void referencesAreReadFromTheTreeNotFromTheText() {
    assertEquals(Set.of("invites_7d", "comments_14d"),
        ExpressionPolicy.references("invites_7d > 1 and 'comments_7d' <> plan and comments_14d = 0")
            .stream().filter(FEATURES::contains).collect(java.util.stream.Collectors.toSet()));
  }

  @Test
  void theClockHidingInStringsRegexLikePatternsAndRuntimeFailuresAreRefused() {
    assertTrue(refused("signup_date >= date 'today'").contains("'today' reads the clock"));
    assertTrue(refused("signup_date < cast(' now ' as date)").contains("'now' reads the clock"));
    assertTrue(refused("signup_date = to_date(\"yesterday\")").contains("reads the clock"));
    allowed("plan_tier = 'today is fine' or plan_tier = 'nowhere'");
    assertTrue(refused("plan_tier like '%a%a%a%a%a%b'").contains("at most 4 '%'"));
    assertTrue(refused("plan_tier like plan_tier").contains("must be a string literal"));
    assertTrue(refused("to_date(plan_tier, 'YYYY-ww') is null").contains("to_date with a format"));
    assertTrue(refused("lpad(plan_tier, 2147483647, 'x') = ''").contains("'lpad'"));
    assertTrue(refused("split_part(plan_tier, '-', 0) = 'a'").contains("'split_part'"));
  }
}
