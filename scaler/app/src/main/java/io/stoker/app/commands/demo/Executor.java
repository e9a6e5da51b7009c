package io.stoker.app.commands.demo;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One "executor": a real {@link KafkaConsumer} in the fleet's consumer group that spends a fixed
 * time on every record, so one executor sustains a known rate. It stops only between batches, so
 * every record it fetched is processed before its offsets are committed (nothing is lost on
 * scale-in).
 */
final class Executor {
  private static final Logger LOG = LoggerFactory.getLogger(Executor.class);

  /** Where an executor is in its life. */
  enum Phase {
    STARTING,
    READY,
    STOPPING,
    STOPPED
  }

  private final String name;
  private final Map<String, Object> config;
  private final String topic;
  private final long costNanos;
  private final GroupMeter meter;
  private final Clock clock;
  private final long requestedNanos;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile Phase phase = Phase.STARTING;
  private volatile long stoppedNanos;
  private Thread thread;

  Executor(
      String name,
      String bootstrap,
      String group,
      String topic,
      double recordsPerSecond,
      GroupMeter meter,
      Clock clock) {
    this.name = name;
    this.topic = topic;
    this.costNanos = Math.round(1e9 / recordsPerSecond);
    this.meter = meter;
    this.clock = clock;
    this.requestedNanos = System.nanoTime();
    this.config =
        Map.of(
            "bootstrap.servers",
            bootstrap,
            "group.id",
            group,
            "group.protocol",
            "consumer",
            "client.id",
            name,
            "key.deserializer",
            ByteArrayDeserializer.class.getName(),
            "value.deserializer",
            ByteArrayDeserializer.class.getName(),
            "auto.offset.reset",
            "earliest",
            "enable.auto.commit",
            "true",
            "auto.commit.interval.ms",
            "200",
            "max.poll.records",
            "50");
  }

  Phase phase() {
    return phase;
  }

  String name() {
    return name;
  }

  /** Starts consuming (the executor's start-up delay is over). */
  synchronized void start() {
    if (phase != Phase.STARTING) {
      return;
    }
    thread = new Thread(this::run, name);
    thread.setDaemon(true);
    thread.start();
  }

  /** Asks the executor to finish its batch, commit and leave the group. */
  synchronized void stop() {
    if (phase == Phase.STOPPED || phase == Phase.STOPPING) {
      return;
    }
    if (thread == null) {
      // Never started: nothing to commit.
      markStopped();
      return;
    }
    // Seen by the loop after its current poll (at most 100 ms) or batch.
    phase = Phase.STOPPING;
  }

  /** Waits until stopped; true if it stopped in time. */
  boolean awaitStopped(Duration timeout) throws InterruptedException {
    return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Seconds from the request to the stop (or to now), as a cloud bill counts them. */
  double billedSeconds(long nowNanos) {
    long end = phase == Phase.STOPPED ? stoppedNanos : nowNanos;
    return (end - requestedNanos) / 1e9;
  }

  private void run() {
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(config)) {
      c.subscribe(List.of(topic));
      long busyUntil = System.nanoTime();
      while (phase != Phase.STOPPING) {
        ConsumerRecords<byte[], byte[]> records = c.poll(Duration.ofMillis(100));
        if (phase == Phase.STARTING && !c.assignment().isEmpty()) {
          // Ready once the group gave it partitions: only then does it add capacity.
          synchronized (this) {
            if (phase == Phase.STARTING) {
              phase = Phase.READY;
            }
          }
        }
        for (ConsumerRecord<byte[], byte[]> r : records) {
          busyUntil = work(busyUntil, r.timestamp());
        }
      }
    } catch (InterruptException e) {
      // Interrupted at shutdown: the consumer has closed on the way out.
    } catch (RuntimeException e) {
      // The broker went away or the consumer failed: the fleet sees it stopped and replaces it.
      LOG.warn("executor {} stopped: {}", name, e.toString());
    } finally {
      markStopped();
    }
  }

  /**
   * Spends the record's cost (parking while ahead of the clock) and reports its latency and the
   * time it took.
   */
  private long work(long busyUntil, long producedAtMillis) {
    long start = System.nanoTime();
    long done = Math.max(busyUntil, start) + costNanos;
    long ahead = done - System.nanoTime();
    while (ahead > 0) {
      LockSupport.parkNanos(ahead);
      ahead = done - System.nanoTime();
    }
    // The time really spent (a busy machine wakes the thread late), so busy fractions are true.
    long end = System.nanoTime();
    meter.processed(
        Math.max(0, clock.millis() - producedAtMillis), end - Math.max(busyUntil, start));
    return done;
  }

  private void markStopped() {
    stoppedNanos = System.nanoTime();
    phase = Phase.STOPPED;
    stopped.countDown();
  }
}
