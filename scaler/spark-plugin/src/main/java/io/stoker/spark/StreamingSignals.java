package io.stoker.spark;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerEvent;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.streaming.SourceProgress;
import org.apache.spark.sql.streaming.StreamingQueryListener;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Publishes one set of gauges per streaming query, named {@code streaming.<query>.<gauge>} in the
 * plugin's registry, and hands each finished batch's Kafka end offsets to the optional committer.
 *
 * <p>It is a {@link StreamingQueryListener}, fed from the Spark listener bus (where Spark posts
 * every streaming event as well) through {@link #busListener()}, so it sees the queries of every
 * SparkSession without the plugin having to know them.
 */
final class StreamingSignals extends StreamingQueryListener {

  private static final Logger LOG = LoggerFactory.getLogger(StreamingSignals.class);

  static final String PREFIX = "streaming";
  static final List<String> GAUGES =
      List.of(
          "inputRowsPerSecond",
          "processedRowsPerSecond",
          "batchDurationMs",
          "lastBatchInputRows",
          "batchId",
          "offsetsBehindLatestSum",
          "offsetsBehindLatestMax",
          "addBatchMs",
          "triggerIntervalMs",
          "batchTaskSlotMs",
          "lastBatchAgeMs");

  private final MetricRegistry registry;
  private final Optional<OffsetCommitter> committer;
  private final Map<UUID, QueryGauges> queries = new ConcurrentHashMap<>();
  private final BatchTaskTime taskTime = new BatchTaskTime();
  private final LongSupplier clockMs;

  StreamingSignals(MetricRegistry registry, Optional<OffsetCommitter> committer) {
    this(registry, committer, System::currentTimeMillis);
  }

  StreamingSignals(
      MetricRegistry registry, Optional<OffsetCommitter> committer, LongSupplier clockMs) {
    this.registry = registry;
    this.committer = committer;
    this.clockMs = clockMs;
  }

  /**
   * A SparkListener that forwards the streaming events posted on Spark's listener bus, and the job
   * and task events that tell each batch's task time ({@link BatchTaskTime}).
   */
  SparkListener busListener() {
    return new SparkListener() {
      @Override
      public void onJobStart(SparkListenerJobStart event) {
        try {
          taskTime.jobStarted(
              event.jobId(),
              CollectionConverters.asJava(event.stageIds()).stream()
                  .map(o -> ((Number) o).intValue())
                  .toList(),
              event.properties());
        } catch (RuntimeException ex) {
          LOG.warn("Stoker: failed to handle a job start", ex);
        }
      }

      @Override
      public void onJobEnd(SparkListenerJobEnd event) {
        taskTime.jobEnded(event.jobId());
      }

      @Override
      public void onTaskEnd(SparkListenerTaskEnd event) {
        try {
          TaskMetrics m = event.taskMetrics();
          long ms =
              m != null
                  ? m.executorRunTime()
                  : event.taskInfo() == null ? 0 : event.taskInfo().duration();
          taskTime.taskEnded(event.stageId(), ms);
        } catch (RuntimeException ex) {
          LOG.warn("Stoker: failed to handle a task end", ex);
        }
      }

      @Override
      public void onOtherEvent(SparkListenerEvent event) {
        try {
          if (event instanceof QueryStartedEvent e) {
            onQueryStarted(e);
          } else if (event instanceof QueryProgressEvent e) {
            onQueryProgress(e);
          } else if (event instanceof QueryTerminatedEvent e) {
            onQueryTerminated(e);
          }
        } catch (RuntimeException ex) {
          LOG.warn("Stoker: failed to handle a streaming event", ex);
        }
      }
    };
  }

  /** The registry-safe key of a query: its name, or its id when unnamed. */
  static String queryKey(String name, UUID id) {
    String raw = name == null || name.isBlank() ? id.toString() : name;
    return raw.replaceAll("[^A-Za-z0-9_]", "_");
  }

  @Override
  public void onQueryStarted(QueryStartedEvent event) {
    taskTime.track(event.runId().toString());
    queries.computeIfAbsent(
        event.runId(), r -> new QueryGauges(queryKey(event.name(), event.id())));
  }

  @Override
  public void onQueryProgress(QueryProgressEvent event) {
    StreamingQueryProgress p = event.progress();
    QueryGauges g =
        queries.computeIfAbsent(p.runId(), r -> new QueryGauges(queryKey(p.name(), p.id())));
    // a run whose start was missed is followed from now on: its first batch has no task time
    long slotMs = taskTime.takeBatch(p.runId().toString());
    taskTime.track(p.runId().toString());
    g.update(p, slotMs);
    if (committer.isPresent()) {
      Map<KafkaOffsets.Partition, Long> end = new LinkedHashMap<>();
      for (SourceProgress s : p.sources()) {
        if (KafkaOffsets.isKafka(s)) {
          KafkaOffsets.parse(s.endOffset()).ifPresent(end::putAll);
        }
      }
      committer.get().commit(g.key, end);
    }
  }

  @Override
  public void onQueryIdle(QueryIdleEvent event) {
    // Idle queries keep their last values.
  }

  @Override
  public void onQueryTerminated(QueryTerminatedEvent event) {
    taskTime.forget(event.runId().toString());
    QueryGauges g = queries.remove(event.runId());
    if (g != null) {
      g.unregister();
    }
  }

  /** The gauges of one query run. */
  private final class QueryGauges {
    final String key;
    private volatile double inputRate;
    private volatile double processedRate;
    private volatile long batchDurationMs;
    private volatile long lastBatchRows;
    private volatile long batchId = -1;
    private volatile long behindSum = -1;
    private volatile long behindMax = -1;
    private volatile long addBatchMs = -1;
    private volatile long slotMs = -1;
    private volatile long endedAtMs = -1;
    private final TriggerInterval trigger = new TriggerInterval();

    QueryGauges(String key) {
      this.key = key;
      register("inputRowsPerSecond", () -> inputRate);
      register("processedRowsPerSecond", () -> processedRate);
      register("batchDurationMs", () -> batchDurationMs);
      register("lastBatchInputRows", () -> lastBatchRows);
      register("batchId", () -> batchId);
      register("offsetsBehindLatestSum", () -> behindSum);
      register("offsetsBehindLatestMax", () -> behindMax);
      register("addBatchMs", () -> addBatchMs);
      register("triggerIntervalMs", trigger::intervalMs);
      register("batchTaskSlotMs", () -> slotMs);
      register("lastBatchAgeMs", this::ageMs);
      LOG.info("Stoker: publishing gauges for streaming query {}", key);
    }

    private <T> void register(String gauge, Gauge<T> g) {
      String name = MetricRegistry.name(PREFIX, key, gauge);
      registry.remove(name);
      registry.register(name, g);
    }

    /** Time since the last batch ended, computed when scraped; -1 before the first batch. */
    private long ageMs() {
      long ended = endedAtMs;
      return ended < 0 ? -1 : Math.max(0, clockMs.getAsLong() - ended);
    }

    void update(StreamingQueryProgress p, long taskSlotMs) {
      inputRate = finite(p.inputRowsPerSecond());
      processedRate = finite(p.processedRowsPerSecond());
      Long triggerMs = p.durationMs() == null ? null : p.durationMs().get("triggerExecution");
      long duration = triggerMs == null ? p.batchDuration() : triggerMs;
      Long add = p.durationMs() == null ? null : p.durationMs().get("addBatch");
      long start = startMs(p.timestamp());
      if (start >= 0) {
        trigger.batch(p.batchId(), start, duration);
      }
      batchDurationMs = duration;
      addBatchMs = add == null ? -1 : add;
      slotMs = taskSlotMs;
      lastBatchRows = p.numInputRows();
      batchId = p.batchId();
      endedAtMs = start >= 0 ? start + Math.max(0, duration) : clockMs.getAsLong();
      KafkaOffsets.Lag lag = null;
      for (SourceProgress s : p.sources()) {
        if (KafkaOffsets.isKafka(s)) {
          Optional<KafkaOffsets.Lag> l = KafkaOffsets.lag(s);
          if (l.isPresent()) {
            lag = lag == null ? l.get() : lag.plus(l.get());
          }
        }
      }
      if (lag != null) {
        behindSum = lag.sum();
        behindMax = lag.max();
      }
    }

    void unregister() {
      for (String gauge : GAUGES) {
        registry.remove(MetricRegistry.name(PREFIX, key, gauge));
      }
    }
  }

  /** Epoch ms of a progress timestamp (ISO-8601, UTC), -1 if unreadable. */
  static long startMs(String timestamp) {
    try {
      return timestamp == null ? -1 : Instant.parse(timestamp).toEpochMilli();
    } catch (DateTimeParseException e) {
      return -1;
    }
  }

  private static double finite(double v) {
    return Double.isFinite(v) ? v : 0.0;
  }
}
