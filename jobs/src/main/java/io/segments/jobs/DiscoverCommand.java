package io.segments.jobs;

import io.segments.config.ConfigException;
import io.segments.config.PipelineConfig;
import io.segments.discover.BehaviorDiscovery;
import io.segments.discover.CandidateTable;
import io.segments.discover.Difference;
import io.segments.discover.FamilySuggestion;
import io.segments.discover.Outcome;
import io.segments.io.SparkSessions;
import io.segments.io.Warehouse;
import io.segments.ledger.RunLock;
import io.segments.step.StepContext;
import io.segments.validate.OutcomeValidator;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.spark.sql.SparkSession;

/** {@code discover --outcome O}: which early behaviors go with the outcome, the hold-out check, a family as YAML. */
final class DiscoverCommand {
  static final String SUMMARY = "which early behaviors predict an outcome, confirmed on later cohorts, with a"
      + " suggested segment family as YAML; writes behavior_candidates";

  private DiscoverCommand() {}

  static Options options(Options options) {
    return options
        .addOption(Option.builder().longOpt("outcome").hasArg().argName("O").required()
            .desc("retained_d1, retained_d7, retained_d30, retained_d90, activated or converted").get())
        .addOption(Option.builder().longOpt("first-days").hasArg().argName("K")
            .desc("behaviors of the first K days from signup or first seen (default 7, or half the outcome's horizon)").get())
        .addOption(Option.builder().longOpt("from").hasArg().argName("D1").desc("first cohort day (default: all)").get())
        .addOption(Option.builder().longOpt("to").hasArg().argName("D2")
            .desc("last cohort day (default: the last whose outcome is known)").get())
        .addOption(Option.builder().longOpt("format").hasArg().argName("FORMAT")
            .desc("table (default); csv or json print the behavior_candidates rows only").get());
  }

  static int run(CommandLine line) {
    Outcome outcome = Outcome.parse(line.getOptionValue("outcome"));
    int firstDays = (int) Commands.number(line, "first-days", outcome.defaultFirstDays());
    LocalDate from = line.hasOption("from") ? Commands.date(line, "from") : null;
    LocalDate to = line.hasOption("to") ? Commands.date(line, "to") : null;
    if (from != null && to != null && from.isAfter(to)) {
      throw new ConfigException("--from", "--from " + from + " is after --to " + to, "swap them");
    }
    String format = SqlCommand.format(line);
    PipelineConfig config = Commands.config(line);
    SparkSession spark = SparkSessions.create(config, "segments discover " + outcome.label());
    Warehouse warehouse = new Warehouse(spark, config.database());
    long start = System.nanoTime();
    BehaviorDiscovery.Answer answer;
    try (RunLock lock = RunLock.acquire(warehouse, UUID.randomUUID().toString(), "discover",
        Duration.ofMinutes(config.lockStaleMinutes()))) {
      var signups = new StepContext(config, warehouse, null).signups();
      answer = new BehaviorDiscovery(config, warehouse, signups)
          .answer(new BehaviorDiscovery.Options(outcome, firstDays, from, to));
    }
    BehaviorDiscovery.Result result = answer.result();
    double seconds = (System.nanoTime() - start) / 1e9;
    if (!format.equals("table")) {
      SqlCommand.print(warehouse.read(CandidateTable.TABLE).where(
          org.apache.spark.sql.functions.col("outcome").equalTo(outcome.label())).orderBy("rank", "half"), format,
          Integer.MAX_VALUE);
      return Main.OK;
    }
    print(config, result, answer.suggestion(), warehouse.name(CandidateTable.TABLE), seconds);
    return Main.OK;
  }

  private static void print(PipelineConfig config, BehaviorDiscovery.Result r, FamilySuggestion.Suggestion s,
      String table, double seconds) {
    int days = r.options().firstDays();
    Outcome outcome = r.options().outcome();
    System.out.printf("discover %s: %,d users of the cohorts %s..%s (cohort day: signup, or else first seen),"
        + " behaviors of their first %d day%s%n", outcome.label(), r.earlierUsers() + r.laterUsers(),
        r.from(), r.to(), days, days == 1 ? "" : "s");
    if (outcome != Outcome.ACTIVATED && outcome != Outcome.CONVERTED) {
      System.out.printf("%s: active on day %d after the cohort day (after the early days)%n", outcome.label(),
          outcome.lastDay(config.validate()));
    }
    System.out.printf("ranked on the earlier cohorts %s..%s (%,d users), checked on the later %s..%s (%,d users);"
        + " only behaviors with at least %d users on both sides%n", r.from(), r.split().minusDays(1), r.earlierUsers(),
        r.split(), r.to(), r.laterUsers(), config.validate().minSize());
    System.out.println("This is correlation on past cohorts, not cause: an experiment is what confirms that a"
        + " behavior drives the outcome.");
    for (boolean confirmed : new boolean[] {true, false}) {
      List<BehaviorDiscovery.Candidate> listed = bestPerSubject(r.candidates(), confirmed);
      System.out.println();
      System.out.println(confirmed ? "Confirmed on the later cohorts (best threshold per behavior):"
          : "Not confirmed (a difference on the earlier cohorts that did not hold on the later ones):");
      if (listed.isEmpty()) {
        System.out.println("  none");
      }
      System.out.printf(listed.isEmpty() ? "" : "  %4s  %-58s %9s %7s %7s  %-24s %-24s%n", "rank", "behavior",
          "users", "with", "without", "earlier (points, 95% CI)", "later");
      for (BehaviorDiscovery.Candidate c : listed.subList(0, Math.min(10, listed.size()))) {
        System.out.printf("  %4d  %-58s %,9d %6.1f%% %6.1f%%  %-24s %-24s%n", c.rank(), c.behavior().text(days),
            c.earlier().withUsers(), 100 * c.earlier().rateWith(), 100 * c.earlier().rateWithout(),
            interval(c.earlier()), interval(c.later()));
      }
    }
    System.out.println();
    if (s.segments().isEmpty()) {
      System.out.println("No family suggested: " + s.note() + ".");
    } else {
      System.out.println("Suggested family (save as a file, add it to include: and run check-config):");
      System.out.println();
      System.out.print(s.yaml());
      System.out.println();
      System.out.printf("The family on the later cohorts (%s..%s), %s compared:%n", r.split(), r.to(), s.metric());
      System.out.printf("  %-40s %-58s %9s %7s %7s %7s %7s%n", "segment", "definition", "size", "d1", "d7", "d30",
          "d90");
      // A day inside the early window measures the behaviors themselves: marked.
      boolean marked = false;
      for (FamilySuggestion.Segment segment : s.segments()) {
        String[] cells = new String[4];
        for (int h = 0; h < 4; h++) {
          boolean inWindow = OutcomeValidator.RETENTION_DAYS.get(h) < days && segment.retention()[h] != null;
          marked |= inWindow;
          cells[h] = pct(segment.retention()[h]) + (inWindow ? "*" : "");
        }
        System.out.printf("  %-40s %-58s %,9d %7s %7s %7s %7s%n", segment.name(), segment.definition(), segment.size(),
            cells[0], cells[1], cells[2], cells[3]);
      }
      if (marked) {
        System.out.printf("  * the day lies inside the first %d days, where the segments' behaviors happen:"
            + " high by construction, not a prediction%n", days);
      }
    }
    System.out.printf("%n%,d candidates written to %s (%.1fs)%n", r.candidates().size(), table, seconds);
  }

  /**
   * The best-ranked threshold of each behavior (event or pair), confirmed or not; "not confirmed" lists only
   * differences that the earlier cohorts showed (interval excluding zero) and the later ones did not.
   */
  private static List<BehaviorDiscovery.Candidate> bestPerSubject(List<BehaviorDiscovery.Candidate> all,
      boolean confirmed) {
    java.util.Set<String> seen = new java.util.HashSet<>();
    return all.stream().filter(c -> c.confirmed() == confirmed)
        .filter(c -> confirmed || c.earlier().lo() > 0 || c.earlier().hi() < 0)
        .filter(c -> seen.add(c.behavior().kind() + ":" + c.behavior().subject())).toList();
  }

  private static String interval(Difference d) {
    return Double.isNaN(d.points()) ? "-"
        : String.format(Locale.ROOT, "%+.1f (%+.1f, %+.1f)", d.points(), d.lo(), d.hi());
  }

  private static String pct(Double rate) {
    return rate == null ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * rate);
  }
}
