package io.segments.io;

import static org.apache.spark.sql.functions.col;

import io.segments.SparkTestBase;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/** Delta writes by condition: what a step's rerun replaces, and a new column that past rows hold as null. */
class WarehouseTest extends SparkTestBase {
  private static final StructType DAY_VALUE = new StructType().add("as_of_date", "date").add("v", "long");

  private Warehouse warehouse(String database) {
    spark().sql("create database if not exists " + database);
    return new Warehouse(spark(), database);
  }

  @Test
  void replaceWhereReplacesTheRowsOfItsConditionOnly() {
    Warehouse warehouse = warehouse("wh_replace");
    warehouse.overwrite(frame(DAY_VALUE, row(day("2026-05-01"), 1L), row(day("2026-05-02"), 2L)), "t", "as_of_date");
    warehouse.replaceWhere(frame(DAY_VALUE, row(day("2026-05-02"), 20L), row(day("2026-05-03"), 30L)), "t",
        Warehouse.between("as_of_date", List.of(LocalDate.of(2026, 5, 2), LocalDate.of(2026, 5, 3))), "as_of_date");
    Assertions.assertEquals(List.of(1L, 20L, 30L),
        sorted(warehouse.read("t"), "as_of_date").stream().map(r -> r.getLong(1)).toList());
    Assertions.assertThrows(Exception.class, () -> warehouse.replaceWhere(frame(DAY_VALUE,
        row(day("2026-05-09"), 9L)), "t", Warehouse.on("as_of_date", LocalDate.of(2026, 5, 1)), "as_of_date"),
        "a row outside the condition is refused, nothing half-written");
    Assertions.assertEquals(3L, warehouse.read("t").count());
  }

  @Test
  void replaceWhereEvolvingAddsANewColumnThatPastRowsHoldAsNull() {
    Warehouse warehouse = warehouse("wh_evolve");
    warehouse.overwrite(frame(DAY_VALUE, row(day("2026-05-01"), 1L)), "t", "as_of_date");
    StructType wider = DAY_VALUE.add("w", "string");
    warehouse.replaceWhereEvolving(frame(wider, row(day("2026-05-02"), 2L, "new")), "t",
        Warehouse.on("as_of_date", LocalDate.of(2026, 5, 2)), "as_of_date");
    List<Row> rows = sorted(warehouse.read("t"), "as_of_date");
    Assertions.assertNull(rows.get(0).getAs("w"), "the day before the column existed");
    Assertions.assertEquals("new", rows.get(1).getAs("w"));
  }

  @Test
  void inAndOnAreTypedPredicatesAndExistsSeesOnlyItsDatabase() {
    Warehouse warehouse = warehouse("wh_predicates");
    warehouse.overwrite(frame(DAY_VALUE, row(day("2026-05-01"), 1L), row(day("2026-05-02"), 2L)), "t");
    Assertions.assertEquals(1L, warehouse.read("t").where(Warehouse.in("as_of_date", List.of(day("2026-05-02")))).count());
    Assertions.assertEquals(1L, warehouse.read("t").where(Warehouse.on("as_of_date", LocalDate.of(2026, 5, 1))).count());
    Assertions.assertFalse(warehouse("wh_other").exists("t"));
    Assertions.assertEquals(2L, warehouse.read("t").where(col("v").gt(0)).count());
  }

  @Test
  void aNoteIsRecordedInTheCommitOfItsWriteAndOnlyThere() {
    Warehouse warehouse = warehouse("wh_note");
    warehouse.overwriteNoting(frame(DAY_VALUE, row(day("2026-05-01"), 1L)), "t", "built from v1");
    Assertions.assertEquals("built from v1", warehouse.note("t"), "a table's first write (it creates the table)");
    warehouse.replaceWhereNoting(frame(DAY_VALUE, row(day("2026-05-01"), 2L)), "t",
        Warehouse.on("as_of_date", LocalDate.of(2026, 5, 1)), "built from v2");
    Assertions.assertEquals("built from v2", warehouse.note("t"));
    spark().sql("optimize wh_note.t");
    spark().sql("alter table wh_note.t set tblproperties ('owner_team' = 'growth')");
    Assertions.assertEquals("built from v2", warehouse.note("t"), "maintenance that keeps the rows is looked past");
    spark().conf().set("spark.databricks.delta.commitInfo.userMetadata", "the user's own");
    warehouse.overwriteNoting(frame(DAY_VALUE, row(day("2026-05-01"), 2L)), "t", "built from v3");
    Assertions.assertEquals("the user's own", spark().conf().get("spark.databricks.delta.commitInfo.userMetadata"),
        "a setting of the session's own is restored");
    spark().conf().unset("spark.databricks.delta.commitInfo.userMetadata");
    Assertions.assertEquals("built from v3", warehouse.note("t"));
    warehouse.overwrite(frame(DAY_VALUE, row(day("2026-05-01"), 3L)), "t");
    Assertions.assertNull(warehouse.note("t"), "a later write without a note leaves none: the rows changed");
    Assertions.assertNull(spark().conf().getOption("spark.databricks.delta.commitInfo.userMetadata").getOrElse(() -> null),
        "the session does not keep the note");
  }
}
