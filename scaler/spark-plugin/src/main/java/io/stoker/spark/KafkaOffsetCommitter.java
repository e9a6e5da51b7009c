package io.stoker.spark;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits the end offsets of each finished micro-batch to a consumer group with the Admin API
 * ({@code alterConsumerGroupOffsets}), on its own thread, in batch order (coalesced when behind).
 * The group has no members, so Kafka accepts the commit; lag tools then see the query's real
 * progress. Failures are counted and logged, never thrown: the next batch's commit carries newer
 * offsets anyway.
 */
final class KafkaOffsetCommitter implements OffsetCommitter {

  private static final Logger LOG = LoggerFactory.getLogger(KafkaOffsetCommitter.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final String group;
  private final PluginMetrics metrics;
  private final Admin admin;
  private final ExecutorService worker;
  private final Map<TopicPartition, OffsetAndMetadata> pending = new HashMap<>();
  private boolean drainScheduled;

  KafkaOffsetCommitter(
      String bootstrapServers,
      String group,
      Map<String, String> adminProperties,
      PluginMetrics metrics) {
    this.group = group;
    this.metrics = metrics;
    Properties props = new Properties();
    props.putAll(adminProperties);
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, "stoker-offset-committer");
    this.admin = Admin.create(props);
    this.worker =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "stoker-offset-committer");
              t.setDaemon(true);
              return t;
            });
  }

  @Override
  public void commit(String query, Map<KafkaOffsets.Partition, Long> endOffsets) {
    if (endOffsets.isEmpty()) {
      return;
    }
    boolean schedule;
    synchronized (pending) {
      // Coalesce: if commits fall behind (slow broker), only the newest offsets per partition
      // are sent, in one request.
      endOffsets.forEach(
          (p, o) ->
              pending.put(
                  new TopicPartition(p.topic(), p.partition()),
                  new OffsetAndMetadata(o, "stoker:" + query)));
      schedule = !drainScheduled;
      drainScheduled = true;
    }
    if (schedule) {
      try {
        worker.execute(this::drain);
      } catch (RejectedExecutionException e) {
        LOG.debug("Stoker: committer closed, batch offsets not committed", e);
      }
    }
  }

  private void drain() {
    Map<TopicPartition, OffsetAndMetadata> offsets;
    synchronized (pending) {
      offsets = new HashMap<>(pending);
      pending.clear();
      drainScheduled = false;
    }
    send(offsets);
  }

  private void send(Map<TopicPartition, OffsetAndMetadata> offsets) {
    try {
      admin
          .alterConsumerGroupOffsets(group, offsets)
          .all()
          .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      metrics.kafkaCommits.incrementAndGet();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException | KafkaException e) {
      metrics.kafkaCommitErrors.incrementAndGet();
      LOG.warn("Stoker: could not commit offsets to consumer group {}: {}", group, e.toString());
    }
  }

  @Override
  public void close() {
    worker.shutdown();
    try {
      if (!worker.awaitTermination(5, TimeUnit.SECONDS)) {
        worker.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    admin.close(Duration.ofSeconds(5));
  }
}
