package io.stoker.app.commands.demo;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What the executors of one consumer group have done: records processed, time spent processing
 * them, and the largest produce-to-processed latency since the last {@link
 * #takeMaxLatencyMillis()}.
 */
final class GroupMeter {
  private final AtomicLong processed = new AtomicLong();
  private final AtomicLong maxLatencyMillis = new AtomicLong();
  private final AtomicLong busyNanos = new AtomicLong();

  void processed(long latencyMillis, long costNanos) {
    processed.incrementAndGet();
    busyNanos.addAndGet(costNanos);
    maxLatencyMillis.accumulateAndGet(latencyMillis, Math::max);
  }

  /** Time the group's executors spent processing records, summed, in nanoseconds. */
  long busyNanos() {
    return busyNanos.get();
  }

  long processed() {
    return processed.get();
  }

  /** The largest latency seen since the previous call, and starts over. */
  long takeMaxLatencyMillis() {
    return maxLatencyMillis.getAndSet(0);
  }
}
