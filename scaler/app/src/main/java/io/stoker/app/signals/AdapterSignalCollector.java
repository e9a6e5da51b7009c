package io.stoker.app.signals;

import io.stoker.adapters.kafka.KafkaLag;
import io.stoker.adapters.promql.PromQueryValue;
import io.stoker.adapters.registry.AdapterRegistry;
import io.stoker.adapters.spark.SparkSnapshot;
import io.stoker.adapters.spi.AdapterContext;
import io.stoker.adapters.spi.AdapterException;
import io.stoker.adapters.spi.Deadlines;
import io.stoker.adapters.spi.Sample;
import io.stoker.adapters.spi.SignalAdapter;
import io.stoker.core.model.Observation.MicroBatch;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link SignalCollector} over the metrics-adapters registry: one set of adapters per autoscaler,
 * re-created when its signal configuration, driver host or secret changes (adapters keep rate
 * memory between ticks, so they live as long as their configuration).
 */
public final class AdapterSignalCollector implements SignalCollector {
  /** Separates a signal from its part in an adapter's name ({@code kafka#topic}). */
  private static final String PART = "#";

  private final AdapterContext context;
  private final Map<String, Opened> open = new ConcurrentHashMap<>();

  public AdapterSignalCollector(AdapterContext context) {
    this.context = Objects.requireNonNull(context);
  }

  private record Opened(
      int fingerprint, Map<String, SignalAdapter<?>> adapters, Map<String, String> errors) {
    void close() {
      adapters.values().forEach(SignalAdapter::close);
    }
  }

  @Override
  public CompletableFuture<Signals> collect(SignalRequest request, Duration deadline) {
    Opened o = open.compute(request.key(), (k, old) -> reopenIfChanged(old, request));
    List<CompletableFuture<Object>> futures = new ArrayList<>();
    List<String> names = new ArrayList<>(o.adapters().keySet());
    for (String name : names) {
      futures.add(
          Deadlines.within(o.adapters().get(name).collect(deadline), deadline, name)
              .handle((s, e) -> e == null ? toReading(signalOf(name), s) : message(e, deadline)));
    }
    return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
        .thenApply(
            x -> {
              // One slot per signal, in the adapters' order; a signal split into parts (one
              // Kafka adapter per topic) collects its part readings and is summed at the end.
              Map<String, List<Reading>> slots = new LinkedHashMap<>();
              Map<String, String> errors = new LinkedHashMap<>(o.errors());
              for (int i = 0; i < names.size(); i++) {
                String name = names.get(i);
                String signal = signalOf(name);
                Object r = futures.get(i).join();
                if (r instanceof Reading reading) {
                  slots.computeIfAbsent(signal, k -> new ArrayList<>()).add(reading);
                } else {
                  String part = signal.equals(name) ? "" : "topic " + partOf(name) + ": ";
                  errors.merge(signal, part + r, (a, b) -> a + "; " + b);
                }
              }
              List<Reading> readings = new ArrayList<>();
              slots.forEach(
                  (signal, parts) -> {
                    if (!errors.containsKey(signal)) {
                      readings.add(parts.size() == 1 ? parts.get(0) : sum(signal, parts));
                    }
                  });
              return new Signals(readings, errors);
            });
  }

  private static String signalOf(String adapterName) {
    int i = adapterName.indexOf(PART);
    return i < 0 ? adapterName : adapterName.substring(0, i);
  }

  private static String partOf(String adapterName) {
    return adapterName.substring(adapterName.indexOf(PART) + 1);
  }

  /**
   * The readings of one signal's parts (Kafka topics of one group) as one: lag, rates and
   * partitions summed, taken at the oldest part's time; a rate is known only if every part knows
   * it.
   */
  static Reading sum(String signal, List<Reading> parts) {
    Instant at = parts.get(0).at();
    long backlog = 0;
    double arrival = 0;
    double processing = 0;
    int partitions = 0;
    boolean hasBacklog = true;
    boolean hasArrival = true;
    boolean hasProcessing = true;
    boolean hasPartitions = true;
    for (Reading p : parts) {
      at = p.at().isBefore(at) ? p.at() : at;
      hasBacklog &= p.backlog().isPresent();
      hasArrival &= p.arrivalRate().isPresent();
      hasProcessing &= p.processingRate().isPresent();
      hasPartitions &= p.partitions().isPresent();
      backlog += p.backlog().orElse(0);
      arrival += p.arrivalRate().orElse(0);
      processing += p.processingRate().orElse(0);
      partitions += p.partitions().orElse(0);
    }
    Reading out = Reading.empty(signal, at);
    out = hasBacklog ? out.withBacklog(backlog) : out;
    out = hasArrival ? out.withArrivalRate(arrival) : out;
    out = hasProcessing ? out.withProcessingRate(processing) : out;
    return hasPartitions ? out.withPartitions(partitions) : out;
  }

  private Opened reopenIfChanged(Opened old, SignalRequest request) {
    int fingerprint =
        Objects.hash(request.signals(), request.driverHost(), request.secrets().hashCode());
    if (old != null && old.fingerprint() == fingerprint) {
      return old;
    }
    if (old != null) {
      old.close();
    }
    Map<String, SignalAdapter<?>> adapters = new LinkedHashMap<>();
    Map<String, String> errors = new LinkedHashMap<>();
    for (Map.Entry<String, Map<String, String>> e : request.signals().entrySet()) {
      Map<String, String> meta = new LinkedHashMap<>(e.getValue());
      if (e.getKey().equals("spark")) {
        if (request.driverHost().isEmpty()) {
          errors.put("spark", "the driver pod has no IP yet");
          continue;
        }
        meta.put("host", request.driverHost().get());
      }
      Map<String, String> secrets = e.getKey().equals("kafka") ? request.secrets() : Map.of();
      String topics = meta.getOrDefault("topic", "");
      try {
        if (e.getKey().equals("kafka") && topics.contains(",")) {
          // Several topics of one group: one adapter per topic, summed by collect().
          for (String topic : topics.split(",")) {
            Map<String, String> one = new LinkedHashMap<>(meta);
            one.put("topic", topic);
            adapters.put(
                "kafka" + PART + topic, AdapterRegistry.create("kafka", one, secrets, context));
          }
        } else {
          adapters.put(e.getKey(), AdapterRegistry.create(e.getKey(), meta, secrets, context));
        }
      } catch (AdapterException ex) {
        errors.put(e.getKey(), ex.getMessage());
      }
    }
    return new Opened(fingerprint, adapters, errors);
  }

  private static Object message(Throwable e, Duration deadline) {
    return Deadlines.toAdapterException(e, deadline, "signal").getMessage();
  }

  /** Maps an adapter sample to the fields the decision core uses. */
  static Reading toReading(String name, Sample<?> sample) {
    Reading r = Reading.empty(name, sample.at());
    Object v = sample.value();
    if (v instanceof KafkaLag lag) {
      return r.withBacklog(lag.totalLag())
          .withArrivalRate(lag.arrivalRate())
          .withProcessingRate(lag.consumeRate())
          .withPartitions(lag.totalTopicPartitions());
    }
    if (v instanceof SparkSnapshot s) {
      return spark(r, s);
    }
    if (v instanceof PromQueryValue p) {
      return r.withArrivalRate(p.value());
    }
    return r;
  }

  private static Reading spark(Reading r, SparkSnapshot s) {
    Reading out = r;
    if (s.executors().maxTasks() > 0) {
      // Rows are scraped at slightly different moments: clamp to a fraction.
      double busy = (double) s.executors().activeTasks() / s.executors().maxTasks();
      out = out.withBusyFraction(Math.min(1.0, Math.max(0.0, busy)));
    }
    if (s.stages().isPresent()) {
      out = out.withTaskBacklog((int) Math.min(Integer.MAX_VALUE, s.stages().get().pendingTasks()));
    }
    if (!s.streamingQueries().isEmpty()) {
      double in = 0;
      double done = 0;
      for (SparkSnapshot.StreamingQuery q : s.streamingQueries().values()) {
        in += q.inputRate();
        done += q.processingRate();
      }
      out = out.withArrivalRate(in).withProcessingRate(done);
    }
    if (s.plugin().isPresent()) {
      double behind = 0;
      boolean any = false;
      for (SparkSnapshot.PluginQuery q : s.plugin().get().queries().values()) {
        if (Double.isFinite(q.offsetsBehindLatestSum())) {
          behind += q.offsetsBehindLatestSum();
          any = true;
        }
      }
      if (any) {
        out = out.withBacklog(Math.round(behind));
      }
      Optional<MicroBatch> batch = lastBatch(s.plugin().get());
      if (batch.isPresent()) {
        out = out.withLastBatch(batch.get());
      }
    }
    return out;
  }

  /**
   * The micro-batch the decision sizes for: the last completed batch of the driver's streaming
   * query, when the plugin publishes batch progress for exactly one query and that batch is sane
   * and fresh ({@link SparkSnapshot.Batch#of}). With several queries on one driver there is no one
   * batch to size for, and the decision uses the continuous rules.
   */
  static Optional<MicroBatch> lastBatch(SparkSnapshot.StokerPlugin plugin) {
    List<SparkSnapshot.PluginQuery> publishing =
        plugin.queries().values().stream().filter(q -> !Double.isNaN(q.batchId())).toList();
    if (publishing.size() != 1) {
      return Optional.empty();
    }
    return publishing
        .get(0)
        .lastBatch()
        .map(
            b ->
                new MicroBatch(
                    b.inputRows(),
                    b.seconds(),
                    b.addBatchSeconds(),
                    b.triggerIntervalSeconds(),
                    b.taskSlotSeconds()));
  }

  @Override
  public void forget(String key) {
    Opened o = open.remove(key);
    if (o != null) {
      o.close();
    }
  }

  @Override
  public void close() {
    open.values().forEach(Opened::close);
    open.clear();
    context.close();
  }
}
