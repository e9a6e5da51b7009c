package io.stoker.adapters.spark;

import io.stoker.adapters.http.HttpFetcher;
import io.stoker.adapters.spi.Deadlines;
import io.stoker.adapters.spi.Sample;
import io.stoker.adapters.spi.SignalAdapter;
import io.vertx.core.buffer.Buffer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
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

  @Override
  public void close() {
    // The HTTP client is shared through the AdapterContext and closed with it.
  }
}
