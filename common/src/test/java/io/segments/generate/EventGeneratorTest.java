package io.segments.generate;


import io.segments.SparkTestBase;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/** The synthetic product: the same seed gives the same events, inside the period, with every persona planted. */
class EventGeneratorTest extends SparkTestBase {
  private static final EventGenerator.Spec SPEC = new EventGenerator.Spec(300, LocalDate.of(2026, 4, 30), 30, 5, "UTC");

  @Test
  void theSameSeedGivesTheSameEventsAndUsers() {
    Dataset<Row> once = EventGenerator.events(spark(), SPEC);
    Dataset<Row> again = EventGenerator.events(spark(), SPEC);
    Assertions.assertEquals(sorted(once, "event_id"), sorted(again, "event_id"));
    Assertions.assertEquals(sorted(EventGenerator.users(spark(), SPEC), "user_id"),
        sorted(EventGenerator.users(spark(), SPEC), "user_id"));
    List<Row> other = sorted(EventGenerator.events(spark(), new EventGenerator.Spec(300, SPEC.lastDay(), 30, 6, "UTC")),
        "event_id");
    Assertions.assertTrue(!other.equals(sorted(once, "event_id")), "another seed, other events");
  }

  @Test
  void eventsFallInThePeriodHaveUniqueIdsAndEveryPersonaIsPlanted() {
    Dataset<Row> events = EventGenerator.events(spark(), SPEC).cache();
    Row span = events.selectExpr("min(to_date(event_at))", "max(to_date(event_at))", "count(*)",
        "count(distinct event_id)").first();
    Assertions.assertTrue(!span.getDate(0).toLocalDate().isBefore(SPEC.firstDay()), "nothing before the first day");
    Assertions.assertTrue(!span.getDate(1).toLocalDate().isAfter(SPEC.lastDay()), "nothing after the last day");
    Assertions.assertEquals(span.getLong(2), span.getLong(3), "event ids are unique");
    Assertions.assertEquals(EventGenerator.EVENT_SCHEMA.fieldNames().length, events.schema().fields().length);
    long personas = EventGenerator.users(spark(), SPEC).select("persona").distinct().count();
    Assertions.assertEquals(Persona.values().length, personas, "each persona has users");
    events.unpersist();
  }
}
