package io.segments.pipeline;

import io.segments.config.PipelineConfig;
import io.segments.features.FeaturesStep;
import io.segments.io.Warehouse;
import io.segments.ledger.RunLedger;
import io.segments.ledger.RunLock;
import io.segments.publish.PostgresStep;
import io.segments.publish.PublishStep;
import io.segments.rollup.RollupStep;
import io.segments.segment.RuleChecker;
import io.segments.segment.SegmentsStep;
import io.segments.stage.StageStep;
import io.segments.step.StepContext;
import io.segments.validate.ValidateStep;
import java.io.PrintStream;
import java.time.Duration;
import java.time.LocalDate;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.apache.spark.sql.SparkSession;

/**
 * One daily run as of D: stage -> rollup -> features -> segments -> validate -> publish (-> postgres), each step
 * recorded in {@code pipeline_runs} and stopping the run when it fails. The days come from {@link ReplayPlan};
 * each step is one class that owns its tables. Validation runs before publishing so that {@code validate.gate}
 * can stop a publish.
 */
public final class DailyPipeline {
  private final PipelineConfig config;
  private final Warehouse warehouse;
  private final PrintStream console;

  public DailyPipeline(PipelineConfig config, SparkSession spark, PrintStream console) {
    this.config = config;
    this.warehouse = new Warehouse(spark, config.database());
    this.console = console;
  }

  /** The outcome of a run: its id, the replayed days and the warnings of all steps. */
  public record RunSummary(String runId, List<LocalDate> days, List<String> warnings) {}

  /** The steps of a run, in order; {@code FEATURES} includes staging and the rollup. */
  public enum Step { STAGE, FEATURES, SEGMENTS, VALIDATE, PUBLISH }

  /**
   * What to run: {@code from} is the first day of a backfill (null: replay from the last state); {@code full}
   * rebuilds the rollup from all events; {@code postgres} syncs audience_members to the sink after publishing;
   * {@code allowStale} runs a day whose events have not arrived (a known-quiet day; see SourceFreshness).
   */
  public record RunOptions(LocalDate asOf, LocalDate from, boolean allowLargeChange, boolean full, Set<Step> steps,
      boolean postgres, boolean allowStale) {

    public RunOptions(LocalDate asOf, LocalDate from, boolean allowLargeChange, boolean full, Set<Step> steps,
        boolean postgres) {
      this(asOf, from, allowLargeChange, full, steps, postgres, false);
    }

    String command() {
      return from == null ? "run --as-of " + asOf : "backfill --from " + from + " --to " + asOf;
    }

    String describe() {
      return command() + (steps.size() == Step.values().length ? "" : " " + steps);
    }
  }

  /** The whole pipeline as of {@code asOf}; {@code from} is the first day of a backfill, or null for a run. */
  public RunSummary run(LocalDate asOf, LocalDate from, boolean allowLargeChange) {
    return run(new RunOptions(asOf, from, allowLargeChange, false, EnumSet.allOf(Step.class), false));
  }

  /** Runs some steps; each reads what the earlier ones wrote, so steps run one by one give what one run gives. */
  public RunSummary run(RunOptions options) {
    // A day is a calendar day of the config's time zone in every step (the command line's session has it already).
    warehouse.spark().conf().set("spark.sql.session.timeZone", config.timeZone());
    RuleChecker.check(warehouse.spark(), config);
    if (options.postgres()) {
      config.requirePostgres();
    }
    StepContext context = new StepContext(config, warehouse, UUID.randomUUID().toString());
    RunLedger ledger = new RunLedger(warehouse, context.runId(), options.describe(), options.asOf(), console);
    RunLedger.Cost start = ledger.cost();
    long started = System.nanoTime();
    RunSummary summary;
    try (RunLock lock = RunLock.acquire(warehouse, context.runId(), options.describe(),
        Duration.ofMinutes(config.lockStaleMinutes()))) {
      summary = recorded(ledger.beforeEachStep(lock::heartbeat), () -> runSteps(options, context, ledger));
    } finally {
      context.close();
      warehouse.spark().sparkContext().setJobDescription(null);
    }
    RunLedger.Cost cost = ledger.cost().minus(start);
    console.printf("  %-9s %12s    %12s     %7.1fs %5d jobs %3d commits (lock and ledger included)%n", "run", "", "",
        (System.nanoTime() - started) / 1e9, cost.jobs(), cost.commits());
    return summary;
  }

  /** Runs the steps, then appends their ledger rows in one commit; a failed run's rows too, its error kept. */
  private static RunSummary recorded(RunLedger ledger, java.util.function.Supplier<RunSummary> steps) {
    RunSummary summary;
    try {
      summary = steps.get();
    } catch (Throwable e) {
      try {
        ledger.flush();
      } catch (RuntimeException flushing) {
        e.addSuppressed(flushing);
      }
      throw e;
    }
    ledger.flush();
    return summary;
  }

  private RunSummary runSteps(RunOptions options, StepContext context, RunLedger ledger) {
    LocalDate asOf = options.asOf();
    Set<Step> steps = options.steps();
    LocalDate lastState = SegmentsStep.lastStateDay(warehouse);
    List<LocalDate> days = ReplayPlan.days(config, warehouse, options, console, lastState);
    boolean firstRun = options.from() == null && lastState == null;
    if (steps.contains(Step.STAGE) || steps.contains(Step.FEATURES)) {
      LocalDate readFrom = ReplayPlan.readFrom(config, warehouse, options, context.fingerprints());
      StageStep stage = new StageStep(context, asOf, readFrom, options.allowStale());
      ledger.step("stage", stage);
      ledger.step("rollup", new RollupStep(context, stage.staged(), options.full(), readFrom, asOf));
    }
    if (firstRun) {
      days = ReplayPlan.fromFirstEvent(days, context.fingerprints());
    }
    console.printf("run %s as of %s (%d day%s replayed from %s)%n", context.runId(), asOf, days.size(),
        days.size() == 1 ? "" : "s", days.get(0));
    List<List<LocalDate>> chunks = ReplayPlan.chunks(days, config.replayChunkDays());
    for (List<LocalDate> chunk : chunks) {
      if (chunks.size() > 1) {
        ledger.flush(); // the chunks done so far: a rerun of an interrupted backfill resumes after them
      }
      if (steps.contains(Step.FEATURES)) {
        ledger.step("features", new FeaturesStep(context, chunk, options.full() || options.from() != null));
      }
      if (steps.contains(Step.SEGMENTS)) {
        SegmentsStep segments = new SegmentsStep(context, chunk);
        ledger.step("segments", steps.contains(Step.FEATURES) ? segments : segments.requireFeatures());
      }
    }
    if (steps.contains(Step.VALIDATE)) {
      ledger.step("validate", new ValidateStep(context, asOf, options.full() || options.from() != null ? null : days));
    }
    if (steps.contains(Step.PUBLISH)) {
      LocalDate stateDay = steps.contains(Step.SEGMENTS) ? asOf : SegmentsStep.lastStateDay(warehouse);
      ledger.step("publish", new PublishStep(context, asOf, options.allowLargeChange()).requireState(stateDay));
    }
    if (options.postgres()) {
      ledger.step("postgres", new PostgresStep(context));
    }
    return new RunSummary(context.runId(), days, ledger.warnings());
  }
}
