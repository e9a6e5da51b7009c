package io.stoker.e2e;

import io.stoker.adapters.kafka.EmbeddedKafka;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * A fake executor fleet of one Spark application, for scenarios that need a consumer without Spark
 * in the way: every {@link #STEP_MILLIS} it follows the driver pod's {@code
 * stoker.io/target-executors} annotation at once (one Running/Ready executor Pod object per
 * executor, ids 1..n, as {@link SparkPods} makes them) and consumes {@code ratePerExecutor}
 * records/s per executor by committing the consumer group's offsets on the real broker, spread over
 * the topic's partitions. A driver pod without the annotation runs one executor. {@link #close()}
 * stops it (also after a failed test); its pods stay.
 */
final class FakeFleet implements AutoCloseable {
  static final long STEP_MILLIS = 200;

  private final SparkPods pods;
  private final EmbeddedKafka kafka;
  private final String topic;
  private final int partitions;
  private final String group;
  private final int ratePerExecutor;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final List<String> podIds = new ArrayList<>();
  private final AtomicReference<String> error = new AtomicReference<>();
  private volatile int executors;
  private long lastStep = System.nanoTime();
  private double carry;

  /**
   * Starts following the annotation.
   *
   * @param pods the application's pods (driver created by the caller)
   * @param ratePerExecutor records per second one executor consumes
   */
  FakeFleet(
      SparkPods pods,
      EmbeddedKafka kafka,
      String topic,
      int partitions,
      String group,
      int ratePerExecutor) {
    this.pods = pods;
    this.kafka = kafka;
    this.topic = topic;
    this.partitions = partitions;
    this.group = group;
    this.ratePerExecutor = ratePerExecutor;
    timer.scheduleWithFixedDelay(this::step, 0, STEP_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** Executors running now (what the last step saw on the driver pod). */
  int executors() {
    return executors;
  }

  /** The last failure of a step (the next step retries), or null. */
  String lastError() {
    return error.get();
  }

  private void step() {
    try {
      String target = pods.targetAnnotation();
      int n = target == null ? 1 : Integer.parseInt(target);
      syncPods(n);
      executors = n;
      consume(n);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      error.set(e.toString()); // the next step retries
    }
  }

  private void syncPods(int n) {
    while (podIds.size() < n) {
      String id = String.valueOf(podIds.size() + 1);
      pods.executor(id);
      podIds.add(id);
    }
    while (podIds.size() > n) {
      pods.removeExecutor(podIds.remove(podIds.size() - 1));
    }
  }

  /** Commits up to n executors' worth of one step's records on each partition. */
  private void consume(int n) throws Exception {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (int p = 0; p < partitions; p++) {
      latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
    }
    var ends = kafka.admin().listOffsets(latest).all().get();
    Map<TopicPartition, OffsetAndMetadata> committed =
        kafka.admin().listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
    // What n executors consume on each partition in the time since the last step: exactly
    // ratePerExecutor records/s each, however long a step and the delay between steps took. A
    // fixed budget per step made the rate depend on the steps' duration: four executors were seen
    // to deliver about 600/s each where one had delivered 960/s, which the controller rightly took
    // for an ineffective scale-up (and then blocked the next burst's scale-out).
    long now = System.nanoTime();
    double exact = (double) n * ratePerExecutor * (now - lastStep) / 1e9 / partitions + carry;
    lastStep = now;
    long budget = (long) exact;
    carry = exact - budget;
    Map<TopicPartition, Long> next = new HashMap<>();
    for (var e : ends.entrySet()) {
      OffsetAndMetadata c = committed.get(e.getKey());
      long at = c == null ? 0 : c.offset();
      long to = Math.min(e.getValue().offset(), at + budget);
      if (to > at) {
        next.put(e.getKey(), to);
      }
    }
    if (!next.isEmpty()) {
      kafka.commit(group, next);
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
