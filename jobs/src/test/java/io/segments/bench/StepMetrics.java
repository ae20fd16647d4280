package io.segments.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/** Shuffle bytes written and input rows read per pipeline step, from the job description the ledger sets. */
final class StepMetrics extends SparkListener {
  record Figures(long shuffleBytes, long inputRows) {}

  /** A completed Spark stage: where the time goes inside a step. */
  record StageFigures(String step, String name, long millis, long shuffleWrite, long inputRows, int tasks) {}

  private final Map<Integer, String> stageSteps = new ConcurrentHashMap<>();
  private final List<StageFigures> stages = java.util.Collections.synchronizedList(new ArrayList<>());
  private final Map<String, AtomicLong> shuffle = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> input = new ConcurrentHashMap<>();

  void reset() {
    shuffle.clear();
    input.clear();
    stages.clear();
  }

  /** The slowest stages since the last reset. */
  List<StageFigures> slowest(int n) {
    synchronized (stages) {
      return stages.stream().sorted((a, b) -> Long.compare(b.millis(), a.millis())).limit(n).toList();
    }
  }

  @Override
  public void onStageCompleted(SparkListenerStageCompleted event) {
    var info = event.stageInfo();
    if (info.submissionTime().isEmpty() || info.completionTime().isEmpty()) {
      return;
    }
    long millis = (Long) info.completionTime().get() - (Long) info.submissionTime().get();
    var m = info.taskMetrics();
    stages.add(new StageFigures(stageSteps.getOrDefault(info.stageId(), "other"), info.name(), millis,
        m == null ? 0 : m.shuffleWriteMetrics().bytesWritten(), m == null ? 0 : m.inputMetrics().recordsRead(),
        info.numTasks()));
  }

  Figures of(String step) {
    return new Figures(shuffle.getOrDefault(step, new AtomicLong()).get(), input.getOrDefault(step, new AtomicLong()).get());
  }

  long totalShuffle() {
    return shuffle.values().stream().mapToLong(AtomicLong::get).sum();
  }

  @Override
  public void onStageSubmitted(SparkListenerStageSubmitted event) {
    String description = event.properties() == null ? null : event.properties().getProperty("spark.job.description");
    String[] words = description == null ? new String[0] : description.split(" ");
    stageSteps.put(event.stageInfo().stageId(), words.length > 1 && words[0].equals("segments") ? words[1] : "other");
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd event) {
    if (event.taskMetrics() == null) {
      return;
    }
    String step = stageSteps.getOrDefault(event.stageId(), "other");
    shuffle.computeIfAbsent(step, k -> new AtomicLong())
        .addAndGet(event.taskMetrics().shuffleWriteMetrics().bytesWritten());
    input.computeIfAbsent(step, k -> new AtomicLong()).addAndGet(event.taskMetrics().inputMetrics().recordsRead());
  }
}
