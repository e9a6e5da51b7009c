package io.stoker.app.commands.demo;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleUnaryOperator;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The bursty producer: every 50 ms it sends the records the workload's rate owes since the start
 * (rate integrated over time), spread round-robin over the partitions, stamped with the send time.
 * It remembers when the n-th record was sent, so latency can be read as in the simulator (the
 * oldest unprocessed record's age).
 */
final class DemoProducer implements AutoCloseable {
  private static final long STEP_MILLIS = 50;
  private static final byte[] VALUE = new byte[64];

  private final KafkaProducer<byte[], byte[]> producer;
  private final String topic;
  private final int partitions;
  private final DoubleUnaryOperator rate;
  private final Duration duration;
  private long startNanos;
  private long lastNanos;
  private double owed;
  private long sent;
  private long[] sentAt = new long[1024];
  private ScheduledFuture<?> task;

  /**
   * @param rate records/s at a second from the start
   */
  DemoProducer(
      String bootstrap, String topic, int partitions, DoubleUnaryOperator rate, Duration duration) {
    this.topic = topic;
    this.partitions = partitions;
    this.rate = rate;
    this.duration = duration;
    this.producer =
        new KafkaProducer<>(
            Map.of(
                "bootstrap.servers",
                bootstrap,
                "key.serializer",
                ByteArraySerializer.class.getName(),
                "value.serializer",
                ByteArraySerializer.class.getName(),
                "linger.ms",
                "5",
                "acks",
                "1"));
  }

  /** Starts producing now, on {@code scheduler}, for the workload's duration. */
  synchronized void start(ScheduledExecutorService scheduler) {
    startNanos = System.nanoTime();
    lastNanos = startNanos;
    task = scheduler.scheduleAtFixedRate(this::step, 0, STEP_MILLIS, TimeUnit.MILLISECONDS);
  }

  private synchronized void step() {
    long now = System.nanoTime();
    double t = (now - startNanos) / 1e9;
    if (t >= duration.toNanos() / 1e9) {
      task.cancel(false);
      producer.flush();
      return;
    }
    owed += rate.applyAsDouble(t) * (now - lastNanos) / 1e9;
    lastNanos = now;
    long stamp = System.currentTimeMillis();
    while (owed >= 1) {
      producer.send(new ProducerRecord<>(topic, (int) (sent % partitions), stamp, null, VALUE));
      if (sent == sentAt.length) {
        sentAt = Arrays.copyOf(sentAt, sentAt.length * 2);
      }
      sentAt[(int) sent] = now;
      sent++;
      owed--;
    }
  }

  /** Records sent so far. */
  synchronized long sent() {
    return sent;
  }

  /**
   * Seconds since the oldest record not among the first {@code processed} was sent, at {@code
   * nowNanos}; 0 when every record sent is processed.
   */
  synchronized double oldestUnprocessedAge(long processed, long nowNanos) {
    if (processed >= sent) {
      return 0;
    }
    return Math.max(0, (nowNanos - sentAt[(int) Math.max(0, processed)]) / 1e9);
  }

  @Override
  public synchronized void close() {
    if (task != null) {
      task.cancel(false);
    }
    producer.close(Duration.ofSeconds(5));
  }
}
