package io.stoker.app.metrics;

import io.prometheus.client.exporter.common.TextFormat;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * The telemetry endpoint: {@code /metrics} (Prometheus text format, or OpenMetrics when asked),
 * {@code /healthz} (liveness) and {@code /readyz} (readiness) on one port.
 *
 * <p>Served by a Vert.x HTTP server on an event loop of its own: connections are never served one
 * at a time, so a client that sends half a request and stalls (slowloris) holds only its own
 * connection, which is closed after {@link #IDLE_TIMEOUT_SECONDS} without a byte; request lines and
 * headers are bounded. The metrics are gathered on a worker thread, never on the event loop.
 */
public final class MetricsServer implements AutoCloseable {
  /** A connection silent for this long is closed. */
  static final int IDLE_TIMEOUT_SECONDS = 10;

  private final Vertx vertx;
  private final HttpServer server;

  private MetricsServer(Vertx vertx, HttpServer server) {
    this.vertx = vertx;
    this.server = server;
  }

  /** Binds {@code address} (port 0 picks a free port). */
  public static MetricsServer start(
      InetSocketAddress address, OperatorMetrics metrics, HealthChecks health) throws IOException {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
    HttpServer server =
        vertx
            .createHttpServer(
                new HttpServerOptions()
                    .setIdleTimeout(IDLE_TIMEOUT_SECONDS)
                    .setIdleTimeoutUnit(TimeUnit.SECONDS)
                    .setMaxInitialLineLength(4096)
                    .setMaxHeaderSize(8192))
            .requestHandler(req -> handle(vertx, req, metrics, health));
    try {
      // Not await(): the controller starts this from another Vert.x's event loop. Binding is quick.
      server
          .listen(address.getPort(), address.getHostString())
          .toCompletionStage()
          .toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      vertx.close();
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new IOException("cannot listen on " + address + ": " + cause.getMessage(), cause);
    } catch (InterruptedException e) {
      vertx.close();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while binding " + address, e);
    }
    return new MetricsServer(vertx, server);
  }

  private static void handle(
      Vertx vertx, HttpServerRequest req, OperatorMetrics metrics, HealthChecks health) {
    switch (req.path()) {
      case "/healthz" -> answer(req, health.live());
      case "/readyz" -> answer(req, health.ready());
      case "/metrics", "/" -> {
        String type = TextFormat.chooseContentType(req.getHeader("Accept"));
        vertx
            .executeBlocking(() -> exposition(metrics, type))
            .onSuccess(body -> req.response().putHeader("Content-Type", type).end(body))
            .onFailure(e -> req.response().setStatusCode(500).end("metrics failed\n"));
      }
      default -> req.response().setStatusCode(404).end("not found\n");
    }
  }

  private static String exposition(OperatorMetrics metrics, String type) {
    StringWriter w = new StringWriter();
    try {
      TextFormat.writeFormat(type, w, metrics.registry().metricFamilySamples());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return w.toString();
  }

  private static void answer(HttpServerRequest req, BooleanSupplier check) {
    boolean ok = check.getAsBoolean();
    req.response()
        .setStatusCode(ok ? 200 : 503)
        .putHeader("Content-Type", "text/plain; charset=utf-8")
        .end(ok ? "ok\n" : "not ok\n");
  }

  public int port() {
    return server.actualPort();
  }

  @Override
  public void close() {
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      // closing is best effort
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
