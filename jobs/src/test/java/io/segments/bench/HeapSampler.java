package io.segments.bench;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;

/** The highest heap in use, sampled every 50 ms (in local mode the executors share the driver's heap). */
final class HeapSampler {
  private final AtomicLong peak = new AtomicLong();
  private final Thread thread;
  private volatile boolean running = true;

  HeapSampler() {
    thread = new Thread(() -> {
      while (running) {
        peak.accumulateAndGet(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max);
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "bench-heap-sampler");
    thread.setDaemon(true);
    thread.start();
  }

  void reset() {
    peak.set(0);
  }

  long peak() {
    return peak.get();
  }

  void stop() {
    running = false;
    thread.interrupt();
  }
}
