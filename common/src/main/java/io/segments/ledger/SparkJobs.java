package io.segments.ledger;

import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;

/**
 * Counts the Spark jobs a SparkContext starts: the ledger's per-step figure of fixed cost (most of a small run's
 * jobs are Delta's bookkeeping, not data). One listener per context, added on first use.
 */
public final class SparkJobs extends SparkListener {
  private static SparkJobs current;

  private final SparkContext context;
  private final AtomicLong started = new AtomicLong();

  private SparkJobs(SparkContext context) {
    this.context = context;
  }

  /** The counter of {@code context}, added to it on the first call. */
  public static synchronized SparkJobs of(SparkContext context) {
    if (current == null || current.context != context) {
      current = new SparkJobs(context);
      context.addSparkListener(current);
    }
    return current;
  }

  /**
   * Jobs started so far. Listeners hear of a job on Spark's event thread, a moment after it was submitted: this
   * first waits for the events already posted, so a step's count includes its last job.
   */
  public long started() {
    try {
      context.listenerBus().waitUntilEmpty(10_000);
    } catch (Exception e) {
      // A busy event queue: the count may miss the last few jobs, never more than that.
    }
    return started.get();
  }

  @Override
  public void onJobStart(SparkListenerJobStart event) {
    started.incrementAndGet();
  }
}
