package io.segments.discover;

import static io.segments.validate.OutcomeValidator.RETENTION_DAYS;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.segments.config.PipelineConfig;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * From the confirmed behaviors that go with a better outcome (at most three, one per event or pair), a family of
 * mutually exclusive segments in rank order plus one for everyone else, kept only while each segment has at least
 * validate.min_size users of the later cohorts and the segments' day-30 retention (or the outcome's rate while no
 * later cohort is 30 days old) differ by at least validate.retention_gap_points. Printed as YAML that check-config
 * accepts: a count feature with {@code first_days} per "at least N times", a sequence per "A then B".
 */
public final class FamilySuggestion {

  /** One suggested segment on the later cohorts: its size and retention on day 1, 7, 30 and 90. */
  public record Segment(String name, String rule, String definition, long size, Double[] retention, double outcome) {}

  /** The family (empty when none qualifies, with the reason in {@code note}), its YAML and the metric compared. */
  public record Suggestion(String family, List<Segment> segments, String yaml, String metric, String note) {}

  private FamilySuggestion() {}

  public static Suggestion suggest(PipelineConfig config, BehaviorDiscovery.Result result) {
    List<Behavior> chosen = new ArrayList<>();
    Set<String> subjects = new HashSet<>();
    for (BehaviorDiscovery.Candidate c : result.candidates()) {
      if (c.confirmed() && c.earlier().points() > 0 && !Behavior.WITHIN_HOURS.equals(c.behavior().kind())
          && chosen.size() < 3 && subjects.add(c.behavior().subject())) {
        chosen.add(c.behavior());
      }
    }
    Set<String> families = new HashSet<>();
    config.segments().stream().filter(seg -> seg.family() != null)
        .forEach(seg -> families.add(seg.family().toLowerCase(Locale.ROOT)));
    String family = unique("early_" + result.options().outcome().label(), families);
    if (chosen.isEmpty()) {
      return new Suggestion(family, List.of(), "", "", "no confirmed behavior goes with a better "
          + result.options().outcome().label() + ": no family to suggest");
    }
    Map<Integer, long[]> masks = masks(result, chosen);
    boolean day30 = masks.values().stream().mapToLong(m -> m[2 + 2 * 2]).sum() > 0;
    String metric = day30 ? "retention_d30" : result.options().outcome().label();
    int minSize = config.validate().minSize();
    List<Integer> kept = new ArrayList<>(java.util.stream.IntStream.range(0, chosen.size()).boxed().toList());
    while (!kept.isEmpty()) {
      List<long[]> stats = assign(masks, kept);
      Integer drop = null;
      for (int i = 0; i <= kept.size() && drop == null; i++) {
        if (stats.get(i)[0] < minSize) {
          drop = Math.min(i, kept.size() - 1); // a small "everyone else" grows when the last behavior goes
        }
      }
      if (drop == null) {
        List<Integer> order = new ArrayList<>(java.util.stream.IntStream.rangeClosed(0, kept.size()).boxed().toList());
        order.sort(Comparator.comparingDouble(i -> -rate(stats.get(i), day30)));
        for (int i = 1; i < order.size() && drop == null; i++) {
          double gap = 100 * (rate(stats.get(order.get(i - 1)), day30) - rate(stats.get(order.get(i)), day30));
          if (gap < config.validate().retentionGapPoints()) {
            drop = Math.max(order.get(i - 1), order.get(i)) == kept.size()
                ? Math.min(order.get(i - 1), order.get(i)) : Math.max(order.get(i - 1), order.get(i));
          }
        }
      }
      if (drop == null) {
        return family(config, result, family, chosen, kept, stats, metric, day30);
      }
      kept.remove((int) drop);
    }
    return new Suggestion(family, List.of(), "", metric, String.format(Locale.ROOT, "no split of the later cohorts by"
        + " the confirmed behaviors gives segments of at least %d users whose %s differs by %.0f points",
        minSize, metric, config.validate().retentionGapPoints()));
  }

  /**
   * Per combination of the chosen behaviors (a bit each) among the later cohorts' users: users, outcome reached,
   * and per horizon users whose day is known and users retained.
   */
  private static Map<Integer, long[]> masks(BehaviorDiscovery.Result result, List<Behavior> chosen) {
    Column bit = null;
    for (int i = chosen.size() - 1; i >= 0; i--) {
      Behavior b = chosen.get(i);
      Column is = col("kind").equalTo(b.kind()).and(col("event").equalTo(b.event()))
          .and(col("threshold").equalTo(b.threshold()))
          .and(b.thenEvent() == null ? col("then_event").isNull() : col("then_event").equalTo(b.thenEvent()))
          .and(b.property() == null ? col("property").isNull()
              : col("property").equalTo(b.property()).and(col("value").equalTo(b.value())));
      bit = bit == null ? when(is, 1 << i) : when(is, 1 << i).otherwise(bit);
    }
    Dataset<Row> later = result.users().where(col("later"));
    Dataset<Row> perUser = result.behaviors().withColumn("bit", bit).where(col("bit").isNotNull())
        .groupBy("user_id").agg(sum("bit").cast("int").as("mask"));
    List<Column> sums = new ArrayList<>(List.of(sum(when(col("reached"), 1).otherwise(0))));
    for (int h : RETENTION_DAYS) {
      Column known = col("days_known").geq(h);
      sums.add(sum(when(known, 1).otherwise(0)));
      sums.add(sum(when(known.and(col("d" + h)), 1).otherwise(0)));
    }
    Map<Integer, long[]> masks = new LinkedHashMap<>();
    later.join(perUser, new String[] {"user_id"}, "left").withColumn("mask", coalesce(col("mask"), lit(0)))
        .groupBy("mask").agg(count(lit(1)), sums.toArray(Column[]::new)).collectAsList().forEach(r -> {
          long[] m = new long[2 + 2 * RETENTION_DAYS.size()];
          for (int i = 0; i < m.length; i++) {
            m[i] = r.isNullAt(i + 1) ? 0 : r.getLong(i + 1);
          }
          masks.put(r.getInt(0), m);
        });
    return masks;
  }

  /** Sums per segment: each user in the first kept behavior they show, else in the last ("everyone else"). */
  private static List<long[]> assign(Map<Integer, long[]> masks, List<Integer> kept) {
    List<long[]> stats = new ArrayList<>();
    for (int i = 0; i <= kept.size(); i++) {
      stats.add(new long[2 + 2 * RETENTION_DAYS.size()]);
    }
    masks.forEach((mask, m) -> {
      int segment = kept.size();
      for (int i = 0; i < kept.size() && segment == kept.size(); i++) {
        if ((mask & (1 << kept.get(i))) != 0) {
          segment = i;
        }
      }
      for (int j = 0; j < m.length; j++) {
        stats.get(segment)[j] += m[j];
      }
    });
    return stats;
  }

  private static double rate(long[] s, boolean day30) {
    return day30 ? (s[6] == 0 ? 0 : (double) s[7] / s[6]) : (s[0] == 0 ? 0 : (double) s[1] / s[0]);
  }

  private static Suggestion family(PipelineConfig config, BehaviorDiscovery.Result result, String family,
      List<Behavior> chosen, List<Integer> kept, List<long[]> stats, String metric, boolean day30) {
    int days = result.options().firstDays();
    Set<String> taken = new HashSet<>();
    config.features().forEach(f -> taken.add(f.name().toLowerCase(Locale.ROOT)));
    config.segments().forEach(s -> taken.add(s.name().toLowerCase(Locale.ROOT)));
    StringBuilder features = new StringBuilder("features:\n");
    StringBuilder segments = new StringBuilder("segments:\n");
    List<Segment> out = new ArrayList<>();
    List<String> rules = new ArrayList<>();
    for (int i = 0; i <= kept.size(); i++) {
      long[] s = stats.get(i);
      String name;
      String rule;
      String definition;
      if (i < kept.size()) {
        Behavior b = chosen.get(kept.get(i));
        String feature = unique(identifier(b.subject() + "_first_" + days + "d", 63), taken);
        if (Behavior.AT_LEAST.equals(b.kind())) {
          features.append(String.format("  - {name: %s, kind: count, events: [%s], first_days: %d%s}%n", feature,
              quoted(b.event()), days, b.property() == null ? "" : ", where: " + quoted(b.condition())));
          rule = feature + " >= " + b.threshold();
        } else {
          features.append(String.format("  - {name: %s, kind: sequence, first: %s, then: %s, within_days: %d,"
              + " first_days: %d}%n", feature, quoted(b.event()), quoted(b.thenEvent()), Math.max(1, days - 1), days));
          rule = feature;
        }
        name = unique(identifier(b.subject() + "_early", 54), taken);
        definition = b.text(days);
        rules.add(rule);
      } else {
        name = unique(identifier("none_of_" + family, 54), taken);
        rule = String.join(" and ", rules.stream().map(r -> "not (" + r + ")").toList());
        definition = "none of the above";
      }
      Double[] retention = new Double[RETENTION_DAYS.size()];
      for (int h = 0; h < RETENTION_DAYS.size(); h++) {
        retention[h] = s[2 + 2 * h] == 0 ? null : (double) s[3 + 2 * h] / s[2 + 2 * h];
      }
      Segment segment = new Segment(name, rule, definition, s[0], retention, s[0] == 0 ? 0 : (double) s[1] / s[0]);
      out.add(segment);
      segments.append("  - name: ").append(name).append("\n    family: ").append(family)
          .append("\n    priority: ").append(i + 1).append("\n    rule: ").append(quoted(rule))
          .append("\n    description: ").append(quoted(String.format(Locale.ROOT, "%s (discover: %s %.1f%% on %,d"
              + " users of the later cohorts)", definition, metric, 100 * rate(s, day30), s[0]))).append('\n');
    }
    String header = String.format("# Suggested by ./segments discover --outcome %s --first-days %d on the cohorts"
        + " %s..%s.%n# Correlation on past cohorts, not proof of cause: an experiment confirms a cause.%n",
        result.options().outcome().label(), days, result.from(), result.to());
    return new Suggestion(family, out, header + features + segments, metric, null);
  }

  /** The YAML file's names follow the identifier rule: ASCII letters, digits and _, not starting with a digit. */
  static String identifier(String text, int max) {
    String name = text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]+", "_");
    if (name.isEmpty() || Character.isDigit(name.charAt(0))) {
      name = "e_" + name;
    }
    return name.length() > max ? name.substring(0, max) : name;
  }

  private static String unique(String name, Set<String> taken) {
    String candidate = name;
    for (int n = 2; !taken.add(candidate.toLowerCase(Locale.ROOT)); n++) {
      candidate = name.substring(0, Math.min(name.length(), 50)) + "_" + n;
    }
    return candidate;
  }

  private static String quoted(String text) {
    return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
