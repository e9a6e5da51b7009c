package io.stoker.adapters.http;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Spark driver stub that answers with hostile bodies: {@code /big} (50 MB with its length),
 * {@code /endless} (chunked, as fast as the client reads, never ends), {@code /slow} (chunked, one
 * byte every 50 ms, never ends) and {@code /ok}. Writes respect back-pressure, so the stub itself
 * stays small. Counts the connections open on its side.
 */
final class HostileDriver implements AutoCloseable {
  static final int BIG_BYTES = 50_000_000;
  private static final Buffer CHUNK = Buffer.buffer(new byte[64 * 1024]);

  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;
  private final AtomicInteger open = new AtomicInteger();

  HostileDriver() {
    server =
        vertx
            .createHttpServer()
            .connectionHandler(
                c -> {
                  open.incrementAndGet();
                  c.closeHandler(v -> open.decrementAndGet());
                })
            .requestHandler(
                req -> {
                  HttpServerResponse r = req.response();
                  switch (req.path()) {
                    case "/big" -> {
                      r.putHeader("Content-Length", Integer.toString(BIG_BYTES));
                      pump(r, BIG_BYTES);
                    }
                    case "/endless" -> {
                      r.setChunked(true);
                      pump(r, Long.MAX_VALUE);
                    }
                    case "/slow" -> {
                      r.setChunked(true);
                      long id = vertx.setPeriodic(50, t -> r.write("x"));
                      r.closeHandler(v -> vertx.cancelTimer(id));
                    }
                    default -> r.end("ok");
                  }
                })
            .listen(0, "127.0.0.1")
            .await();
  }

  /** Writes {@code remaining} bytes as the client reads them. */
  private void pump(HttpServerResponse r, long remaining) {
    long left = remaining;
    while (left > 0 && !r.writeQueueFull() && !r.closed()) {
      Buffer b = left >= CHUNK.length() ? CHUNK : CHUNK.slice(0, (int) left);
      r.write(b);
      left -= b.length();
    }
    if (r.closed()) {
      return;
    }
    if (left <= 0) {
      r.end();
      return;
    }
    long rest = left;
    r.drainHandler(v -> pump(r, rest));
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.actualPort() + path;
  }

  /** Connections open on the stub's side. */
  int openConnections() {
    return open.get();
  }

  @Override
  public void close() {
    vertx.close().await();
  }
}
