package io.segments.generate;

import java.sql.Timestamp;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Deterministic synthetic events and users of a collaborative SaaS workspace product. Every user's events
 * come from a random generator seeded by (seed, user index) alone, so the data is the same on any cluster
 * and partitioning, and no rows pass through the driver.
 *
 * <p>Timestamps are wall-clock times of the product's time zone, stored as Spark timestamps in the session
 * time zone.
 */
public final class EventGenerator {
  public static final StructType EVENT_SCHEMA = new StructType()
      .add("event_id", DataTypes.StringType, false)
      .add("user_id", DataTypes.StringType, false)
      .add("event_name", DataTypes.StringType, false)
      .add("event_at", DataTypes.TimestampType, false)
      .add("revenue_usd", DataTypes.DoubleType, true);

  public static final StructType USER_SCHEMA = new StructType()
      .add("user_id", DataTypes.StringType, false)
      .add("signup_at", DataTypes.TimestampType, false)
      .add("email", DataTypes.StringType, true)
      .add("plan", DataTypes.StringType, false)
      .add("country", DataTypes.StringType, false)
      .add("account_id", DataTypes.StringType, false)
      .add("persona", DataTypes.StringType, false);

  private static final String[] COUNTRIES = {"US", "DE", "GB", "FR", "IN", "BR", "JP", "CA"};

  /** Size and period of the generated data. */
  public record Spec(long users, LocalDate lastDay, int days, long seed, String timeZone)
      implements java.io.Serializable {
    public LocalDate firstDay() {
      return lastDay.minusDays(days - 1L);
    }
  }

  private EventGenerator() {}

  public static Dataset<Row> events(SparkSession spark, Spec spec) {
    int partitions = (int) Math.max(2, Math.min(2000, spec.users() / 20_000));
    FlatMapFunction<Long, Row> generate = index -> new UserHistory(spec, index).events().iterator();
    return spark.range(0, spec.users(), 1, partitions).flatMap(generate, Encoders.row(EVENT_SCHEMA));
  }

  public static Dataset<Row> users(SparkSession spark, Spec spec) {
    int partitions = (int) Math.max(2, Math.min(200, spec.users() / 200_000));
    MapFunction<Long, Row> generate = index -> new UserHistory(spec, index).user();
    return spark.range(0, spec.users(), 1, partitions).map(generate, Encoders.row(USER_SCHEMA));
  }

  /** One user's planted life: persona, signup, then day-by-day activity. */
  static final class UserHistory {
    private final Spec spec;
    private final long index;
    private final String userId;
    private final SplittableRandom random;
    private final Persona persona;
    private final int signupDay;
    /** The age from which a collaborative starter no longer comments (never, for half of them). */
    private final int quietFrom;
    private final List<Row> events = new ArrayList<>();
    private int sequence;

    UserHistory(Spec spec, long index) {
      this.spec = spec;
      this.index = index;
      this.userId = String.format("u%07d", index);
      this.random = new SplittableRandom(mix(spec.seed() * 0x9E3779B97F4A7C15L + index));
      this.persona = Persona.pick(random.nextDouble());
      this.signupDay = random.nextInt(spec.days());
      this.quietFrom = random.nextBoolean() ? 14 + random.nextInt(60) : Integer.MAX_VALUE;
    }

    Row user() {
      boolean hasEmail = random.nextDouble() < 0.92;
      String email = hasEmail ? ("  " + userId + "@Example.com ").toUpperCase().replace("EXAMPLE", "example") : null;
      String plan = switch (persona) {
        case HEAVY_COLLABORATOR -> "team";
        case COLLABORATIVE_STARTER -> random.nextDouble() < 0.3 ? "pro" : "free";
        default -> "free";
      };
      return RowFactory.create(userId, at(signupDay, 9, 0), email, plan,
          COUNTRIES[random.nextInt(COUNTRIES.length)], "a" + (index / 5), persona.label());
    }

    List<Row> events() {
      emit(signupDay, "signup", 9, null);
      for (int day = signupDay; day < spec.days(); day++) {
        int age = day - signupDay;
        if (random.nextDouble() < activeProbability(day, age)) {
          activeDay(day, age);
        }
      }
      return events;
    }

    private double activeProbability(int day, int age) {
      DayOfWeek weekday = spec.firstDay().plusDays(day).getDayOfWeek();
      boolean weekend = weekday == DayOfWeek.SATURDAY || weekday == DayOfWeek.SUNDAY;
      return switch (persona) {
        case SOLO_EXPLORER -> age == 0 ? 1.0 : 0.30 * Math.exp(-age / 25.0);
        case COLLABORATIVE_STARTER -> age <= 2 ? 1.0 : 0.45 * Math.exp(-age / 90.0);
        case HEAVY_COLLABORATOR -> age <= 6 ? 1.0 : 0.85 * Math.exp(-(age - 6) / 200.0);
        case WEEKEND_ONLY -> weekend ? 0.70 : 0.0;
        case FAST_CHURNER -> age <= 1 ? 1.0 : 0.0;
        case DORMANT_SIGNUP -> age == 0 ? 0.3 : 0.0;
      };
    }

    private void activeDay(int day, int age) {
      switch (persona) {
        case SOLO_EXPLORER -> {
          if (age == 0) emit(day, "create_project", 9, null);
          some(day, 1, 4, "create_doc", "edit_doc", "edit_doc", "view_report");
          if (random.nextDouble() < 0.05) emit(day, "hit_paywall", 15, null);
        }
        case COLLABORATIVE_STARTER -> {
          if (age == 0) emit(day, "create_project", 9, null);
          if (age == random.nextInt(3) || (age > 2 && random.nextDouble() < 0.05)) emit(day, "invite_teammate", 10, null);
          if (age < quietFrom) {
            some(day, 1, 5, "create_doc", "edit_doc", "comment", "comment", "view_report");
          } else {
            some(day, 1, 4, "create_doc", "edit_doc", "edit_doc", "view_report");
          }
          if (age > 7 && random.nextDouble() < 0.04) emit(day, "upgrade", 16, 12.0);
        }
        case HEAVY_COLLABORATOR -> {
          if (age == 0) emit(day, "create_project", 9, null);
          if (age <= 6 || random.nextDouble() < 0.15) emit(day, "invite_teammate", 10, null);
          some(day, 3, 8, "comment", "comment", "edit_doc", "create_doc", "create_report", "view_report");
          if (age == 1) emit(day, "connect_integration", 11, null);
          if (age == 5) emit(day, "hit_paywall", 14, null);
          if (age == 5 || (age > 5 && random.nextDouble() < 0.15)) emit(day, "upgrade", 15, 49.0);
        }
        case WEEKEND_ONLY -> {
          if (age <= 1 && random.nextDouble() < 0.5) emit(day, "create_project", 9, null);
          some(day, 1, 4, "edit_doc", "view_report", "comment", "create_doc");
        }
        case FAST_CHURNER -> {
          if (age == 0 && random.nextDouble() < 0.6) emit(day, "create_project", 9, null);
          some(day, 1, 3, "create_doc", "edit_doc", "view_report");
          if (age == 1 && random.nextDouble() < 0.3) {
            emit(day, "hit_paywall", 17, null);
            emit(day, "cancel", 18, null);
          }
        }
        case DORMANT_SIGNUP -> emit(day, "view_report", 9, null);
      }
    }

    private void some(int day, int min, int max, String... names) {
      int count = min + random.nextInt(max - min + 1);
      for (int i = 0; i < count; i++) {
        emit(day, names[random.nextInt(names.length)], 10 + random.nextInt(11), null);
      }
    }

    private void emit(int day, String name, int hour, Double revenue) {
      int minute = random.nextInt(60);
      events.add(RowFactory.create(userId + "-" + (sequence++), userId, name, at(day, hour, minute), revenue));
    }

    private Timestamp at(int day, int hour, int minute) {
      LocalDateTime time = spec.firstDay().plusDays(day).atTime(hour, minute, random.nextInt(60));
      return Timestamp.from(time.atZone(ZoneId.of(spec.timeZone())).toInstant());
    }

    private static long mix(long z) {
      z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
      z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
      return z ^ (z >>> 31);
    }
  }
}
