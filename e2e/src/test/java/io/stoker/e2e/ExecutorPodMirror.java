package io.stoker.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What the kubelet and Spark's Kubernetes backend would do for executor pods, and the only thing
 * faked in the Spark scenario: the real executors are JVMs of a local-cluster master, not pods, so
 * every 250 ms this mirror reads the driver's executor list ({@code
 * /api/v1/applications/<id>/executors}) and keeps one Running, Ready executor pod object per live
 * executor on the API server (created when the executor registers, deleted when it leaves). The
 * controller counts executors from those pods, as on a real cluster.
 */
final class ExecutorPodMirror implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SparkPods pods;
  private final String url;
  private final HttpClient http =
      HttpClient.newBuilder()
          .followRedirects(HttpClient.Redirect.NORMAL)
          .connectTimeout(Duration.ofSeconds(2))
          .build();
  private final Set<String> mirrored = ConcurrentHashMap.newKeySet();
  private final AtomicReference<Exception> lastError = new AtomicReference<>();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "executor-pod-mirror");
            t.setDaemon(true);
            return t;
          });

  ExecutorPodMirror(SparkPods pods, String ui, String appId) {
    this.pods = pods;
    this.url = ui + "/api/v1/applications/" + appId + "/executors";
    timer.scheduleWithFixedDelay(this::sync, 0, 250, TimeUnit.MILLISECONDS);
  }

  /** Executor ids the driver reports as live. */
  Set<String> liveExecutors() throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("HTTP " + r.statusCode() + " from " + url);
    }
    Set<String> ids = new HashSet<>();
    for (JsonNode e : JSON.readTree(r.body())) {
      String id = e.path("id").asText();
      if (!id.equals("driver") && e.path("isActive").asBoolean()) {
        ids.add(id);
      }
    }
    return ids;
  }

  private void sync() {
    try {
      Set<String> live = liveExecutors();
      for (String id : live) {
        if (!mirrored.contains(id)) {
          pods.executor(id);
          mirrored.add(id);
        }
      }
      for (String id : Set.copyOf(mirrored)) {
        if (!live.contains(id)) {
          pods.removeExecutor(id);
          mirrored.remove(id);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      lastError.set(e);
    }
  }

  /** Executor pods currently on the API server. */
  int mirroredCount() {
    return mirrored.size();
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
