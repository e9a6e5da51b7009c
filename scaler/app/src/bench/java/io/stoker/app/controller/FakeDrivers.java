package io.stoker.app.controller;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Many fake Spark drivers behind a few JDK {@link HttpServer}s on loopback addresses 127.0.1.1,
 * 127.0.1.2, ... (one per "host": the controller's HTTP client pools connections per host, and real
 * drivers each have their own pod IP), serving the outputs of a real Spark 4.1.1 driver
 * (local-cluster with dynamic allocation) that metrics-adapters keeps in its test resources' {@code
 * spark-samples/} (on this class path through its test-jar). Driver {@code
 * i} lives on host {@code i mod hosts}; its PrometheusServlet is {@code
 * /d/<i>/metrics/prometheus/}; the executors endpoint and the REST API (application list, active
 * stages) are the same for all (the spec cannot move them).
 */
final class FakeDrivers implements AutoCloseable {
  /** The application id of the captured driver. */
  static final String APP_ID = "app-20261207054207-0000";

  private final java.util.List<HttpServer> servers = new java.util.ArrayList<>();
  private final ExecutorService pool;
  private final byte[] driver;
  private final byte[] executors;
  private final byte[] stages;
  private final byte[] applications;
  private final AtomicLong requests = new AtomicLong();

  FakeDrivers(int hosts) throws IOException {
    driver = sample("driver-localcluster-dynalloc-4.1.1.txt");
    executors = sample("executors-localcluster-4.1.1.txt");
    stages = sample("api-stages-active.json");
    applications =
        ("[{\"id\":\"" + APP_ID + "\",\"name\":\"bench\"}]").getBytes(StandardCharsets.UTF_8);
    pool = Executors.newFixedThreadPool(2);
    try {
      for (int h = 0; h < hosts; h++) {
        HttpServer server =
            HttpServer.create(
                new InetSocketAddress(InetAddress.getByName("127.0.1." + (h + 1)), 0), 512);
        server.setExecutor(pool);
        server.createContext("/", this::handle);
        server.start();
        servers.add(server);
      }
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  private static byte[] sample(String name) throws IOException {
    try (InputStream in = FakeDrivers.class.getResourceAsStream("/spark-samples/" + name)) {
      if (in == null) {
        throw new FileNotFoundException("no resource /spark-samples/" + name);
      }
      return in.readAllBytes();
    }
  }

  /** The pod IP of driver {@code i}. */
  String host(int i) {
    return servers.get(i % servers.size()).getAddress().getAddress().getHostAddress();
  }

  /** The UI port of driver {@code i}. */
  int port(int i) {
    return servers.get(i % servers.size()).getAddress().getPort();
  }

  static String driverPath(int i) {
    return "/d/" + i + "/metrics/prometheus/";
  }

  long requests() {
    return requests.get();
  }

  private void handle(HttpExchange ex) throws IOException {
    requests.incrementAndGet();
    String path = ex.getRequestURI().getPath();
    byte[] body;
    String type = "text/plain";
    if (path.startsWith("/d/") && path.endsWith("/metrics/prometheus/")) {
      body = driver;
    } else if (path.equals("/metrics/executors/prometheus")) {
      body = executors;
    } else if (path.equals("/api/v1/applications")) {
      body = applications;
      type = "application/json";
    } else if (path.startsWith("/api/v1/applications/") && path.endsWith("/stages")) {
      body = stages;
      type = "application/json";
    } else {
      body = null;
    }
    try (ex) {
      if (body == null) {
        ex.sendResponseHeaders(404, -1);
        return;
      }
      ex.getResponseHeaders().set("Content-Type", type);
      ex.sendResponseHeaders(200, body.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    }
  }

  @Override
  public void close() {
    servers.forEach(s -> s.stop(0));
    pool.shutdownNow();
  }
}
