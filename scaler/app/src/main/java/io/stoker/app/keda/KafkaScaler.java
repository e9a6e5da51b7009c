package io.stoker.app.keda;

import io.stoker.adapters.kafka.KafkaClientProperties;
import io.stoker.adapters.kafka.KafkaLag;
import io.stoker.adapters.kafka.KafkaLagAdapter;
import io.stoker.adapters.kafka.KafkaLagAdapterFactory;
import io.stoker.adapters.kafka.KafkaLagCalculator;
import io.stoker.adapters.spi.AdapterContext;
import io.stoker.adapters.spi.Sample;
import io.stoker.core.model.Observation;
import io.stoker.core.policy.DecideLoop;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The upstream of the Kafka mode: one Kafka lag adapter per trigger (it keeps KEDA's persistent-lag
 * memory and the rates between readings), sharing one Kafka Admin per cluster through the {@link
 * AdapterContext}. In rate mode, each reading also runs a tick of Stoker's decide loop, whose
 * target in force stands for the current replicas (an AverageValue HPA with target 1 lands on it);
 * KEDA does not tell the replicas it runs, so the first tick starts from {@code minExecutors}.
 *
 * <p>{@code excludePersistentLag}: KEDA compares a partition's committed offset with the one its
 * previous poll saw. Readings here happen every refresh, several of them between two KEDA polls, so
 * the comparison is made per {@code GetMetrics} call (per ScaledObject) against the offsets the
 * previous call of that ScaledObject was answered from, never between two background readings.
 */
final class KafkaScaler implements SignalCache.Loader<KafkaTrigger, KafkaAnswer> {
  /**
   * ScaledObjects whose persistent-lag memory a trigger keeps (each holds an offset per partition,
   * and any caller can name ScaledObjects); one past it forgets the least recently polled, whose
   * next poll then counts its lag as a first sighting (as KEDA after a restart): more lag, never
   * less.
   */
  static final int MAX_POLLERS_PER_TRIGGER = 4;

  private final AdapterContext context;
  private final KafkaLagAdapterFactory factory = new KafkaLagAdapterFactory();
  private final Map<KafkaTrigger, Source> sources = new ConcurrentHashMap<>();
  private final int maxClusters;

  /** Triggers per cluster (its client key): a cluster's Admin client is closed with its last. */
  private final Map<String, Integer> clusters = new HashMap<>();

  /**
   * @param context holds one Kafka Admin client (and its network thread) per cluster
   * @param maxClusters the most clusters read at once; a trigger of a new one past it fails with
   *     {@link LimitExceeded}
   */
  KafkaScaler(AdapterContext context, int maxClusters) {
    this.context = context;
    this.maxClusters = maxClusters;
  }

  /** Clusters read at the moment (each one Admin client). */
  synchronized int clusters() {
    return clusters.size();
  }

  private static String clusterOf(KafkaTrigger t) {
    return KafkaClientProperties.clusterKey(t.config().bootstrapServers(), Map.of());
  }

  /** The trigger's source, created if the cluster bound allows. */
  private synchronized Source source(KafkaTrigger key) {
    Source s = sources.get(key);
    if (s != null) {
      return s;
    }
    String cluster = clusterOf(key);
    if (!clusters.containsKey(cluster) && clusters.size() >= maxClusters) {
      throw new LimitExceeded(
          "the Kafka mode already reads "
              + maxClusters
              + " Kafka clusters (--grpc-kafka-max-clusters); a trigger of another cluster ("
              + key.config().bootstrapServers()
              + ") is refused until unused ones expire");
    }
    s = new Source(key);
    sources.put(key, s);
    clusters.merge(cluster, 1, Integer::sum);
    return s;
  }

  /** One trigger's adapter and, in rate mode, its decide loop. */
  private final class Source {
    private final KafkaTrigger trigger;
    private final KafkaLagAdapter adapter;
    private final DecideLoop loop;
    private final int initialReplicas;

    /** KEDA's previousOffsets, one per polling ScaledObject, least recently polled first. */
    private final Map<String, KafkaLagCalculator.PersistentLagMemory> pollers =
        new LinkedHashMap<>(4, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(
              Map.Entry<String, KafkaLagCalculator.PersistentLagMemory> eldest) {
            return size() > MAX_POLLERS_PER_TRIGGER;
          }
        };

    Source(KafkaTrigger trigger) {
      this.trigger = trigger;
      this.adapter = factory.create(trigger.config(), Map.of(), context);
      this.loop = trigger.rate().map(r -> new DecideLoop(r.options())).orElse(null);
      this.initialReplicas = trigger.rate().map(r -> r.options().minExecutors()).orElse(0);
    }

    /** One GetMetrics of {@code scaledObject}: KEDA's lag, its persistent-lag memory advanced. */
    synchronized long poll(String scaledObject, List<KafkaLagCalculator.PartitionOffsets> offsets) {
      KafkaLagCalculator.PersistentLagMemory memory =
          pollers.computeIfAbsent(scaledObject, k -> new KafkaLagCalculator.PersistentLagMemory());
      return Math.max(
          0, KafkaLagCalculator.compute(trigger.config(), offsets, memory).metricValue());
    }

    synchronized KafkaAnswer answer(Sample<KafkaLag> s) {
      KafkaLag lag = s.value();
      if (loop == null) {
        if (!trigger.config().excludePersistentLag()) {
          return new KafkaAnswer(Math.max(0, lag.metricValue()), lag.active());
        }
        List<KafkaLagCalculator.PartitionOffsets> offsets =
            lag.partitions().stream()
                .map(
                    p ->
                        new KafkaLagCalculator.PartitionOffsets(
                            p.topic(),
                            p.partition(),
                            p.committedOffset(),
                            p.logEndOffset() < 0 ? null : p.logEndOffset()))
                .toList();
        return new KafkaAnswer(
            Math.max(0, lag.metricValue()), lag.active(), so -> poll(so, offsets));
      }
      // One replica is one consumer: the partition count bounds useful replicas.
      Observation.Builder o =
          Observation.at(s.at())
              .backlog(lag.totalLag())
              .partitions(lag.totalTopicPartitions())
              .coresPerExecutor(1);
      if (!Double.isNaN(lag.arrivalRate())) {
        o.arrivalRate(lag.arrivalRate());
      }
      if (!Double.isNaN(lag.consumeRate())) {
        o.processingRate(lag.consumeRate());
      }
      Instant now = context.clock().instant();
      // the loop holds its target from the first tick on: the replicas are what it decided
      int replicas = loop.decide(o.build(), initialReplicas, now).target();
      return new KafkaAnswer(replicas, replicas > 0 || lag.active());
    }
  }

  @Override
  public CompletableFuture<KafkaAnswer> load(KafkaTrigger key, Duration timeout) {
    Source s;
    try {
      s = source(key);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return s.adapter.collect(timeout).thenApply(s::answer);
  }

  @Override
  public void forget(KafkaTrigger key) {
    String last = null;
    Source s;
    synchronized (this) {
      s = sources.remove(key);
      if (s != null) {
        String cluster = clusterOf(key);
        if (clusters.merge(cluster, -1, Integer::sum) <= 0) {
          clusters.remove(cluster);
          last = cluster;
        }
      }
    }
    if (s != null) {
      s.adapter.close();
    }
    if (last != null) {
      context.closeShared(last); // the cluster's Admin client and its thread
    }
  }
}
