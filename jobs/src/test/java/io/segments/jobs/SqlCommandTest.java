package io.segments.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segments.io.Warehouse;
import io.segments.ledger.RunLock;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code sql}: the admin door. Reads run beside a run; statements that change tables wait for the run lock. */
class SqlCommandTest {
  static Path warehouse;

  @BeforeAll
  static void createTable() throws Exception {
    warehouse = Files.createTempDirectory("segments-sql");
    assertEquals(0, sql("create table segments.notes (id int) using delta").code());
  }

  @Test
  void statementsThatChangeTablesWaitForTheLockReadsDoNot() throws Exception {
    Warehouse segments = new Warehouse(SparkSession.active(), "segments");
    assertTrue(segments.exists("pipeline_lock"), "the create statement took the run lock");
    try (RunLock held = RunLock.acquire(segments, "another-run", "run --as-of 2026-10-31", Duration.ofHours(4))) {
      Out insert = sql("insert into segments.notes values (1)");
      assertEquals(Main.LOCK_HELD, insert.code(), insert.err());
      assertTrue(insert.err().contains("another run holds the lock"), insert.err());
      assertEquals(Main.LOCK_HELD, sql("with x as (select 2 as id) insert into segments.notes select * from x").code());
      assertEquals(Main.LOCK_HELD, sql("drop table segments.notes").code());
      assertEquals(0, sql("select count(*) from segments.notes").code(), "a query runs beside the run");
      assertEquals(0, sql("show tables in segments").code());
      assertEquals(0, sql("describe table segments.notes").code());
      assertEquals(0, count("select count(*) from segments.notes"), "nothing was inserted while the lock was held");
    }
    assertEquals(0, sql("insert into segments.notes values (1)").code());
    assertEquals(1, count("select count(*) from segments.notes"));
    assertEquals(0, count("select count(*) from segments.pipeline_lock"), "the lock was released after the insert");
  }

  @Test
  void aKilledRunsLockCanBeClearedWithSql() {
    Warehouse segments = new Warehouse(SparkSession.active(), "segments");
    RunLock.acquire(segments, "killed-run", "run --as-of 2026-10-31", Duration.ofHours(4));
    assertEquals(0, sql("delete from segments.pipeline_lock where run_id = 'killed-run'").code(),
        "the fix the lock message gives works while the lock is held");
    assertEquals(0, count("select count(*) from segments.pipeline_lock"));
  }

  @Test
  void onlyReadingStatementsSkipTheLock() throws Exception {
    var parser = SparkSession.active().sessionState().sqlParser();
    for (String read : List.of("select 1", "with a as (select 1) select * from a", "show tables in segments",
        "describe table t", "values (1)", "select * from t join u using (id) where a > 1 order by 1 limit 5",
        "explain select 1", "describe history t")) {
      assertFalse(io.segments.io.Statements.changesTables(parser.parsePlan(read)), read);
    }
    for (String write : List.of("insert into t select 1", "with a as (select 1) insert into t select * from a",
        "drop table t", "create table t (a int)", "delete from t", "update t set a = 1", "truncate table t",
        "merge into t using s on t.a = s.a when matched then delete", "alter table t set tblproperties ('a'='b')",
        "insert overwrite t select 1", "restore table t to version as of 0", "vacuum t", "optimize t",
        "create table x as select * from pipeline_lock")) {
      assertTrue(io.segments.io.Statements.changesTables(parser.parsePlan(write)), write);
    }
    assertTrue(io.segments.io.Statements.onlyDeletesOrUpdates(parser.parsePlan(
        "delete from segments.pipeline_lock where run_id = 'x'"), "pipeline_lock"));
    assertFalse(io.segments.io.Statements.onlyDeletesOrUpdates(parser.parsePlan(
        "insert into segments.user_segments select * from segments.pipeline_lock"), "pipeline_lock"),
        "reading the lock table while writing another takes the lock");
  }

  @Test
  void outputCutByTheLimitSaysSoAndLimitZeroPrintsAll() {
    PrintStream original = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    Out cut;
    Out all;
    Out exact;
    try {
      cut = sql("select id from range(1500)", "--format", "csv");
      all = sql("select id from range(1500)", "--format", "csv", "--limit", "0");
      exact = sql("select id from range(5)", "--format", "json", "--limit", "5");
    } finally {
      System.setOut(original);
    }
    String[] lines = out.toString(StandardCharsets.UTF_8).strip().split("\n");
    assertEquals(1 + 1000 + 1 + 1500 + 5, lines.length, "header + 1,000 rows, header + 1,500 rows, 5 json rows");
    assertTrue(cut.err().contains("printed the first 1,000 rows only (--limit 1000); --limit 0 prints all"), cut.err());
    assertFalse(all.err().contains("warning"), all.err());
    assertFalse(exact.err().contains("warning"), "exactly --limit rows is not a cut output: " + exact.err());
    assertEquals(2, sql("select 1", "--limit", "-1").code());
  }

  @Test
  void aFailingStatementPrintsTheErrorWithoutTheQueryPlanUnlessVerbose() {
    Out failed = sql("select nope from segments.notes where id > 0");
    assertEquals(Main.FAILED, failed.code());
    assertTrue(failed.err().contains("error: [UNRESOLVED_COLUMN") && failed.err().contains("`nope`"), failed.err());
    assertFalse(failed.err().contains("+- ") || failed.err().contains("'Project"), "no plan: " + failed.err());
    assertTrue(failed.err().contains("rerun with --verbose for the query plan"), failed.err());
    Out verbose = sql("select nope from segments.notes where id > 0", "--verbose");
    assertTrue(verbose.err().contains("'Project") && verbose.err().contains("at org.apache.spark"), verbose.err());
  }

  @Test
  void helpSaysItIsTheAdminDoor() {
    String help = EndToEnd.printed("sql", "--help");
    assertTrue(help.contains("admin") && help.contains("run lock"), help);
  }

  record Out(int code, String err) {}

  static Out sql(String statement, String... options) {
    List<String> args = new ArrayList<>(List.of("sql", statement, "--config", EndToEnd.CONFIG,
        "--warehouse", warehouse.toString()));
    args.addAll(List.of(options));
    PrintStream original = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      return new Out(Main.run(args.toArray(String[]::new)), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(original);
    }
  }

  static long count(String query) {
    return SparkSession.active().sql(query).first().getLong(0);
  }
}
