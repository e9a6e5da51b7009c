package io.stoker.app.k8s.capacity;

import io.stoker.adapters.spark.SparkExecutorStates;
import io.stoker.adapters.spark.SparkExecutorStates.ExecutorState;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** Where per-executor state comes from (the Spark driver; tests give their own). */
@FunctionalInterface
public interface ExecutorStatesSource {
  /**
   * The executors' state by Spark executor id, or empty when the driver could not be read (nothing
   * is then decided). Blocking.
   */
  Optional<Map<String, ExecutorState>> read(String driverHost, int port);

  /** GET {@code http://<driver>:<port>/metrics/executors/prometheus} with a deadline. */
  static ExecutorStatesSource http(Duration timeout) {
    HttpClient client = HttpClient.newBuilder().connectTimeout(timeout).build();
    return (host, port) -> {
      try {
        HttpResponse<byte[]> r =
            client.send(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://"
                                + (host.contains(":") ? "[" + host + "]" : host)
                                + ":"
                                + port
                                + SparkExecutorStates.PATH))
                    .timeout(timeout)
                    .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        return r.statusCode() == 200
            ? Optional.of(SparkExecutorStates.parse(r.body()))
            : Optional.empty();
      } catch (java.io.IOException | RuntimeException e) {
        return Optional.empty();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.empty();
      }
    };
  }
}
