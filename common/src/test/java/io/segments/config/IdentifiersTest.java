package io.segments.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The one identifier rule and the quoting functions. */
class IdentifiersTest {
  @Test
  void namesOfLettersDigitsAndUnderscoresPass() {
    assertEquals("power_users_7d", Identifiers.require("power_users_7d", "segment name", "s.yaml:1"));
    assertEquals("_private", Identifiers.require("_private", "feature name", "s.yaml:1"));
    assertEquals("CrmAudience", Identifiers.require("CrmAudience", "sinks.postgres.table part", "s.yaml:1"));
    Identifiers.require("a".repeat(63), "feature name", "s.yaml:1");
  }

  @Test
  void anythingThatCouldBreakAStatementIsRefusedWithTheRule() {
    for (String bad : new String[] {"a-b", "x; drop table y", "x`y", "x'y", "x\"y", "x.y", "a b", "1abc", "",
        "\u0456nvites", "a".repeat(64), "x\u200by"}) {
      ConfigException e = assertThrows(ConfigException.class, () -> Identifiers.require(bad, "audience name", "a.yaml:4"));
      assertTrue(e.getMessage().startsWith("a.yaml:4: audience name "), e.getMessage());
      assertTrue(e.getMessage().contains("ASCII letters, digits and '_'"), e.getMessage());
    }
  }

  @Test
  void quotingIsSafeOnItsOwn() {
    assertEquals("`segments`.`audience_members`", Identifiers.spark("segments", "audience_members"));
    assertEquals("`a``b`", Identifiers.spark("a`b"));
    assertEquals("\"crm\".\"Audience\"", Identifiers.postgres("crm", "Audience"));
    assertEquals("\"a\"\"b\"", Identifiers.postgres("a\"b"));
    assertEquals("'it\\'s'", Identifiers.sparkString("it's"));
  }

  @Test
  void messagesShowNamesEscapedAndCut() {
    assertEquals("'a\\u200bb'", Identifiers.shown("a\u200bb"));
    assertTrue(Identifiers.shown("x".repeat(500)).endsWith("...' (500 characters)"));
  }
}
