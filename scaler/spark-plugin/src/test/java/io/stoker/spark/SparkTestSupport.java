package io.stoker.spark;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.SparkConf;

/** Shared fixtures for tests that start a real Spark driver. */
final class SparkTestSupport {

  static final String PLUGIN_SOURCE = "plugin_io_stoker_spark_StokerPlugin_";

  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .followRedirects(HttpClient.Redirect.NORMAL)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private SparkTestSupport() {}

  /** A driver with the plugin, the PrometheusServlet and a fixed metrics namespace. */
  static SparkConf conf(String master, String namespace) {
    return new SparkConf()
        .setMaster(master)
        .setAppName(namespace)
        .set("spark.plugins", StokerPlugin.class.getName())
        .set("spark.metrics.namespace", namespace)
        .set(
            "spark.metrics.conf.*.sink.prometheusServlet.class",
            "org.apache.spark.metrics.sink.PrometheusServlet")
        .set("spark.metrics.conf.*.sink.prometheusServlet.path", "/metrics/prometheus")
        .set("spark.driver.host", "127.0.0.1")
        .set("spark.driver.bindAddress", "127.0.0.1")
        .set("spark.ui.showConsoleProgress", "false")
        .set("spark.sql.shuffle.partitions", "2")
        .set("spark.stoker.reconcileInterval", "200ms");
  }

  /** Points the plugin's target channel at the mock API server's driver pod. */
  static SparkConf withMockPod(SparkConf conf, MockKubernetes k8s) {
    return conf.set("spark.kubernetes.driver.pod.name", MockKubernetes.POD)
        .set("spark.kubernetes.namespace", MockKubernetes.NAMESPACE)
        .set("spark.stoker.kubernetes.apiServer", k8s.url())
        .set("spark.stoker.kubernetes.backoff.initial", "100ms")
        .set("spark.stoker.kubernetes.backoff.max", "1s")
        .set("spark.stoker.kubernetes.resyncInterval", "500ms");
  }

  /** The Prometheus series name of a plugin gauge. */
  static String pluginGauge(String namespace, String gauge) {
    return "metrics_" + namespace + "_driver_" + PLUGIN_SOURCE + gauge.replace('.', '_') + "_Value";
  }

  /**
   * GET {@code <ui>/metrics/prometheus} (following the redirect to the trailing slash). On a loaded
   * 2-core machine a scrape can stall: a failed attempt is retried twice.
   */
  static Map<String, Double> scrape(String uiUrl) throws IOException, InterruptedException {
    IOException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      try {
        return parse(get(uiUrl + "/metrics/prometheus"));
      } catch (IOException e) {
        last = e;
      }
    }
    throw last;
  }

  private static String get(String url) throws IOException, InterruptedException {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("HTTP " + r.statusCode() + " from " + r.uri());
    }
    return r.body();
  }

  private static Map<String, Double> parse(String body) {
    Map<String, Double> out = new HashMap<>();
    for (String line : body.split("\n")) {
      int brace = line.indexOf('{');
      int space = line.lastIndexOf(' ');
      if (line.isBlank() || line.startsWith("#") || brace < 0 || space < brace) {
        continue;
      }
      out.put(line.substring(0, brace), Double.parseDouble(line.substring(space + 1)));
    }
    return out;
  }

  /** The value of one plugin gauge, or null when it is not (yet) exported. */
  static Double gauge(String uiUrl, String namespace, String gauge)
      throws IOException, InterruptedException {
    return scrape(uiUrl).get(pluginGauge(namespace, gauge));
  }
}
