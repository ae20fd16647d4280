package io.segments.io;

import io.segments.SparkTestBase;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/** A table partitioned by day: a new day appended, a day written again replaced, a hand-made write looked at. */
class DayPartitionsTest extends SparkTestBase {
  private static final StructType DAY_VALUE = new StructType().add("as_of_date", "date").add("v", "long");

  private static List<LocalDate> days(String... days) {
    return java.util.Arrays.stream(days).map(LocalDate::parse).toList();
  }

  private List<String> rows(Warehouse warehouse) {
    return sorted(warehouse.read("t"), "as_of_date", "v").stream().map(r -> r.getDate(0) + "=" + r.getLong(1))
        .toList();
  }

  private String lastOperation() {
    Row last = spark().sql("describe history day_parts.t limit 1").first();
    return last.getAs("operation") + " " + last.<scala.collection.Map<String, String>>getAs("operationParameters")
        .get("mode").getOrElse(() -> "");
  }

  @Test
  void aNewDayIsAppendedADayWrittenAgainReplacedAndAHandMadeWriteIsReadBack() {
    spark().sql("create database if not exists day_parts");
    Warehouse warehouse = new Warehouse(spark(), "day_parts");
    Dataset<Row> first = frame(DAY_VALUE, row(day("2026-05-01"), 1L), row(day("2026-05-02"), 2L));
    DayPartitions.replace(warehouse, first, "t", "as_of_date", days("2026-05-01", "2026-05-02"), false);
    Assertions.assertEquals("written_through=2026-05-02", warehouse.note("t"));

    DayPartitions.replace(warehouse, frame(DAY_VALUE, row(day("2026-05-03"), 3L)), "t", "as_of_date",
        days("2026-05-03"), false);
    Assertions.assertEquals("WRITE Append", lastOperation(), "a day after the noted one has nothing to replace");
    Assertions.assertEquals("written_through=2026-05-03", warehouse.note("t"));

    DayPartitions.replace(warehouse, frame(DAY_VALUE, row(day("2026-05-03"), 30L)), "t", "as_of_date",
        days("2026-05-03"), false);
    Assertions.assertEquals("WRITE Overwrite", lastOperation());
    Assertions.assertEquals(List.of("2026-05-01=1", "2026-05-02=2", "2026-05-03=30"), rows(warehouse),
        "a rerun of the day replaces it");

    spark().sql("insert into day_parts.t values (date'2026-05-05', 5)"); // by hand: no note
    DayPartitions.replace(warehouse, frame(DAY_VALUE, row(day("2026-05-04"), 4L)), "t", "as_of_date",
        days("2026-05-04"), false);
    Assertions.assertEquals("written_through=2026-05-05", warehouse.note("t"), "the last day read from the table");
    DayPartitions.replace(warehouse, frame(DAY_VALUE, row(day("2026-05-05"), 50L)), "t", "as_of_date",
        days("2026-05-05"), false);
    Assertions.assertEquals(List.of("2026-05-01=1", "2026-05-02=2", "2026-05-03=30", "2026-05-04=4", "2026-05-05=50"),
        rows(warehouse), "the hand-made day is replaced, not appended to");

    DayPartitions.delete(warehouse, "t", "as_of_date", LocalDate.parse("2026-05-06"));
    Assertions.assertEquals("WRITE Overwrite", lastOperation(), "no write reached 05-06: nothing done");
    spark().sql("delete from day_parts.t where as_of_date = date'2026-05-01'"); // by hand: no note
    DayPartitions.delete(warehouse, "t", "as_of_date", LocalDate.parse("2026-05-04"));
    Assertions.assertEquals("written_through=2026-05-05", warehouse.note("t"), "the last day read, and noted");
    Assertions.assertEquals(List.of("2026-05-02=2", "2026-05-03=30", "2026-05-05=50"), rows(warehouse));
  }
}
