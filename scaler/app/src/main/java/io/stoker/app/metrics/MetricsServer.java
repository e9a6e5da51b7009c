package io.stoker.app.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.client.exporter.HTTPServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

/**
 * The telemetry endpoint: {@code /metrics} (simpleclient_httpserver, Prometheus text format),
 * {@code /healthz} (liveness) and {@code /readyz} (readiness) on one port.
 */
public final class MetricsServer implements AutoCloseable {
  private final HTTPServer server;

  private MetricsServer(HTTPServer server) {
    this.server = server;
  }

  /** Binds {@code address} (port 0 picks a free port). */
  public static MetricsServer start(
      InetSocketAddress address, OperatorMetrics metrics, HealthChecks health) throws IOException {
    HttpServer http = HttpServer.create(address, 16);
    http.createContext("/healthz", ex -> answer(ex, health.live()));
    http.createContext("/readyz", ex -> answer(ex, health.ready()));
    HTTPServer server =
        new HTTPServer.Builder()
            .withHttpServer(http)
            .withRegistry(metrics.registry())
            .withDaemonThreads(true)
            .build();
    return new MetricsServer(server);
  }

  private static void answer(HttpExchange ex, BooleanSupplier check) throws IOException {
    boolean ok = check.getAsBoolean();
    byte[] body = (ok ? "ok\n" : "not ok\n").getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    ex.sendResponseHeaders(ok ? 200 : 503, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  public int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    server.close();
  }
}
