package io.stoker.app.demo;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What the executors of one consumer group have done: records processed, and the largest
 * produce-to-processed latency since the last {@link #takeMaxLatencyMillis()}.
 */
final class GroupMeter {
  private final AtomicLong processed = new AtomicLong();
  private final AtomicLong maxLatencyMillis = new AtomicLong();

  void processed(long latencyMillis) {
    processed.incrementAndGet();
    maxLatencyMillis.accumulateAndGet(latencyMillis, Math::max);
  }

  long processed() {
    return processed.get();
  }

  /** The largest latency seen since the previous call, and starts over. */
  long takeMaxLatencyMillis() {
    return maxLatencyMillis.getAndSet(0);
  }
}
