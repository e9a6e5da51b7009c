package io.stoker.adapters.promql;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.awaitility.Awaitility;

/**
 * A real Prometheus server (built from its Go module by {@code e2e/tools/build-prometheus.sh}, see
 * {@link #binary(String)}) on a free loopback port, with a temporary config and data directory; it
 * scrapes itself (job {@code self}) and the caller's targets (one job) every second. Stopped by
 * {@link #close()}, which also removes the directory. Public, in this module's test-jar, for other
 * modules' tests (the dashboards' queries against a running controller).
 */
public final class PrometheusServer implements AutoCloseable {
  private final Path dir;
  private final Process process;
  private final String url;

  /** Scrapes only itself. */
  public PrometheusServer() throws IOException {
    this("self", List.of());
  }

  /**
   * Scrapes itself and {@code targets} every second.
   *
   * @param job the {@code job} label of the targets' series
   * @param targets {@code host:port} of each {@code /metrics} endpoint
   */
  public PrometheusServer(String job, List<String> targets) throws IOException {
    this(job, targets, PrometheusServer::freePort);
  }

  /** A source of ports, each free when it is chosen. */
  interface Ports {
    int next() throws IOException;
  }

  /** The server with its port from {@code ports}, one per attempt. */
  PrometheusServer(String job, List<String> targets, Ports ports) throws IOException {
    if (!targets.isEmpty() && ("self".equals(job) || !job.matches("[a-zA-Z_][a-zA-Z0-9_-]*"))) {
      throw new IllegalArgumentException("job must be a plain name other than self: " + job);
    }
    String binary = binary("prometheus");
    dir = Files.createTempDirectory("stoker-prometheus");
    try {
      int port = 0;
      Process started = null;
      // A port taken between choosing and binding it (another process was faster) is retried.
      for (int attempt = 1; started == null; attempt++) {
        port = ports.next();
        Process p = launch(binary, port, job, targets);
        if (awaitReady(p, port)) {
          started = p;
        } else {
          String log = Files.readString(dir.resolve("prometheus.log"));
          if (attempt == ATTEMPTS || !log.contains("address already in use")) {
            throw new IOException("prometheus exited: " + log);
          }
        }
      }
      process = started;
      url = "http://127.0.0.1:" + port;
    } catch (IOException | RuntimeException e) {
      deleteDir();
      throw e;
    }
  }

  /** How often a start is tried on a fresh port when the one chosen was taken before binding. */
  private static final int ATTEMPTS = 3;

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private Process launch(String binary, int port, String job, List<String> targets)
      throws IOException {
    Path config = dir.resolve("prometheus.yml");
    StringBuilder yml =
        new StringBuilder(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                + "scrape_configs:\n  - job_name: self\n    static_configs:\n"
                + "      - targets: ['127.0.0.1:"
                + port
                + "']\n");
    if (!targets.isEmpty()) {
      yml.append("  - job_name: ").append(job).append("\n    static_configs:\n      - targets: [");
      for (int i = 0; i < targets.size(); i++) {
        yml.append(i == 0 ? "'" : ", '").append(targets.get(i)).append('\'');
      }
      yml.append("]\n");
    }
    Files.writeString(config, yml.toString(), StandardCharsets.UTF_8);
    ProcessBuilder pb =
        new ProcessBuilder(
                List.of(
                    binary,
                    "--config.file=" + config,
                    "--storage.tsdb.path=" + dir.resolve("data"),
                    "--web.listen-address=127.0.0.1:" + port,
                    "--log.level=warn"))
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("prometheus.log").toFile());
    try {
      return pb.start();
    } catch (IOException e) {
      throw new IOException("cannot start '" + binary + "': " + HOW_TO_BUILD, e);
    }
  }

  /** Whether the process became ready; false when it exited; stops it when it timed out. */
  private static boolean awaitReady(Process p, int port) {
    String ready = "http://127.0.0.1:" + port + "/-/ready";
    try {
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(50))
          .ignoreExceptions()
          .until(() -> !p.isAlive() || status(ready) == 200);
    } catch (RuntimeException e) {
      p.destroyForcibly();
      throw e;
    }
    return p.isAlive();
  }

  private static final String HOW_TO_BUILD =
      "the build runs e2e/tools/build-prometheus.sh before the tests that need Prometheus (Go"
          + " needed); run it by hand with PROMETHEUS_VERSION set to the root pom's"
          + " prometheus.version";

  /**
   * The path of one of Prometheus' binaries ({@code prometheus} or {@code promtool}): system
   * property {@code stoker.<name>.binary} if set, else the folder where {@code
   * e2e/tools/build-prometheus.sh} puts version {@code stoker.prometheus.version} (set by the build
   * from the root pom): {@code $STOKER_TOOLS_CACHE}, else {@code $XDG_CACHE_HOME/stoker-tools},
   * else {@code ~/.cache/stoker-tools}, then {@code prometheus-<version>/<name>}.
   *
   * @throws IllegalStateException when neither is set, or the binary is missing, saying what to run
   */
  public static String binary(String name) {
    String explicit = System.getProperty("stoker." + name + ".binary");
    if (explicit != null && !explicit.isBlank()) {
      return explicit;
    }
    String version = System.getProperty("stoker.prometheus.version");
    if (version == null || version.isBlank()) {
      throw new IllegalStateException(
          "system property stoker.prometheus.version is not set (the build sets it from the root"
              + " pom): run the tests through Maven, or set stoker."
              + name
              + ".binary");
    }
    String cache = System.getenv("STOKER_TOOLS_CACHE");
    if (cache == null || cache.isBlank()) {
      String xdg = System.getenv("XDG_CACHE_HOME");
      cache =
          (xdg == null || xdg.isBlank() ? System.getProperty("user.home") + "/.cache" : xdg)
              + "/stoker-tools";
    }
    Path path = Path.of(cache, "prometheus-" + version, name);
    if (!Files.isExecutable(path)) {
      throw new IllegalStateException(path + " is missing: " + HOW_TO_BUILD);
    }
    return path.toString();
  }

  private static int status(String u) throws IOException {
    HttpURLConnection c = (HttpURLConnection) URI.create(u).toURL().openConnection();
    c.setConnectTimeout(500);
    c.setReadTimeout(500);
    try {
      return c.getResponseCode();
    } finally {
      c.disconnect();
    }
  }

  /** {@code http://127.0.0.1:<port>}, the HTTP API's base. */
  public String url() {
    return url;
  }

  /** What the server logged so far (warnings and errors), for a failure message. */
  public String log() throws IOException {
    return Files.readString(dir.resolve("prometheus.log"));
  }

  @Override
  public void close() throws IOException {
    process.destroy();
    try {
      if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    } finally {
      deleteDir();
    }
  }

  private void deleteDir() throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }
}
