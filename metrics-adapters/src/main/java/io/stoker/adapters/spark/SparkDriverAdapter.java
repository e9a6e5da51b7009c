package io.stoker.adapters.spark;

import io.stoker.adapters.http.HttpFetcher;
import io.stoker.adapters.spi.Deadlines;
import io.stoker.adapters.spi.Reading;
import io.stoker.adapters.spi.Sample;
import io.stoker.adapters.spi.SignalAdapter;
import io.vertx.core.buffer.Buffer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Scrapes one Spark driver: the PrometheusServlet, the executors endpoint and (optionally) the REST
 * stages of the live application, into a {@link SparkSnapshot}. The three requests run
 * concurrently; the whole collection is bounded by the timeout.
 */
public final class SparkDriverAdapter implements SignalAdapter<SparkSnapshot> {
  public static final String TYPE = "spark";

  private final SparkDriverConfig config;
  private final HttpFetcher http;
  private final Clock clock;

  public SparkDriverAdapter(SparkDriverConfig config, HttpFetcher http, Clock clock) {
    this.config = config;
    this.http = http;
    this.clock = clock;
  }

  @Override
  public String type() {
    return TYPE;
  }

  public SparkDriverConfig config() {
    return config;
  }

  @Override
  public CompletableFuture<Sample<SparkSnapshot>> collect(Duration timeout) {
    String base = config.baseUrl();
    Map<String, String> h = Map.of("Accept", "text/plain");
    CompletableFuture<SparkMetricsReader.DriverGauges> driver =
        http.get(base + config.path(), h, timeout)
            .thenApply(b -> SparkMetricsReader.readDriver(b.getBytes(), config.metricsNamespace()));
    CompletableFuture<SparkMetricsReader.ExecutorRows> executors =
        http.get(base + config.executorsPath(), h, timeout)
            .thenApply(b -> SparkMetricsReader.readExecutors(b.getBytes()));
    CompletableFuture<Optional<SparkSnapshot.Stages>> stages =
        config.stages()
            ? stages(base, timeout).thenApply(Optional::of)
            : CompletableFuture.completedFuture(Optional.empty());
    CompletableFuture<Sample<SparkSnapshot>> all =
        CompletableFuture.allOf(driver, executors, stages)
            .thenApply(
                x -> {
                  SparkMetricsReader.DriverGauges d = driver.join();
                  SparkMetricsReader.ExecutorRows e = executors.join();
                  SparkSnapshot s =
                      new SparkSnapshot(
                          e.appId(),
                          d.runningStages(),
                          d.waitingStages(),
                          d.failedStages(),
                          d.activeJobs(),
                          e.executors(),
                          d.streamingQueries(),
                          d.allocationManager(),
                          d.plugin(),
                          stages.join());
                  return new Sample<>(s, clock.instant());
                });
    return Deadlines.within(all, timeout, "Spark driver " + base);
  }

  private CompletableFuture<SparkSnapshot.Stages> stages(String base, Duration timeout) {
    Map<String, String> json = Map.of("Accept", "application/json");
    return http.get(base + "/api/v1/applications", json, timeout)
        .thenCompose(
            apps -> {
              String id = SparkMetricsReader.readApplicationId(text(apps));
              String url =
                  base
                      + "/api/v1/applications/"
                      + URLEncoder.encode(id, StandardCharsets.UTF_8)
                      + "/stages?status=active&status=pending";
              return http.get(url, json, timeout);
            })
        .thenApply(b -> SparkMetricsReader.readStages(text(b)));
  }

  private static String text(Buffer b) {
    return b.toString(StandardCharsets.UTF_8);
  }

  /**
   * The executors' busy fraction (active tasks over task slots), the stage backlog when stages are
   * read, the streaming queries' summed input and processing rates, and from the Stoker plugin the
   * offsets the queries are behind and the last micro-batch.
   */
  @Override
  public Reading toReading(Sample<SparkSnapshot> sample) {
    return reading(sample.value(), sample.at());
  }

  static Reading reading(SparkSnapshot s, Instant at) {
    Reading out = Reading.empty(TYPE, at);
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
      Optional<Reading.MicroBatch> batch = lastBatch(s.plugin().get());
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
  static Optional<Reading.MicroBatch> lastBatch(SparkSnapshot.StokerPlugin plugin) {
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
                new Reading.MicroBatch(
                    b.inputRows(),
                    b.seconds(),
                    b.addBatchSeconds(),
                    b.triggerIntervalSeconds(),
                    b.taskSlotSeconds()));
  }

  @Override
  public void close() {
    // The HTTP client is shared through the AdapterContext and closed with it.
  }
}
