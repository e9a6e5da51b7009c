package io.stoker.adapters.http;

import io.stoker.adapters.spi.AdapterContext;
import io.stoker.adapters.spi.AdapterException;
import io.stoker.adapters.spi.Deadlines;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The one Vert.x web client the HTTP adapters share (per {@link AdapterContext}). GET only,
 * redirects followed (Spark answers {@code /metrics/prometheus} with a 302 to the trailing-slash
 * path), every request bounded by a timeout, non-2xx mapped to BAD_STATUS with the status.
 */
public final class HttpFetcher implements AutoCloseable {
  /** Key under which the shared instance lives in an {@link AdapterContext}. */
  public static final String CONTEXT_KEY = "http:vertx-web-client";

  private final Vertx vertx;
  private final boolean ownsVertx;
  private final WebClient client;

  private HttpFetcher(Vertx vertx, boolean ownsVertx) {
    this.vertx = vertx;
    this.ownsVertx = ownsVertx;
    this.client =
        WebClient.create(
            vertx,
            new WebClientOptions()
                .setFollowRedirects(true)
                .setMaxRedirects(4)
                .setUserAgent("stoker-metrics-adapters")
                .setKeepAlive(true));
  }

  /** The context's shared fetcher; creates a Vert.x instance of its own on first use. */
  public static HttpFetcher shared(AdapterContext context) {
    return context.shared(
        CONTEXT_KEY, HttpFetcher.class, () -> new HttpFetcher(Vertx.vertx(), true));
  }

  /** Registers a fetcher on an existing Vert.x (the controller's) in the context. */
  public static HttpFetcher register(AdapterContext context, Vertx vertx) {
    return context.shared(CONTEXT_KEY, HttpFetcher.class, () -> new HttpFetcher(vertx, false));
  }

  /**
   * GETs {@code url} and completes with the 2xx response body, or with an AdapterException
   * (UNREACHABLE, TIMEOUT, BAD_STATUS) within {@code timeout}.
   */
  public CompletableFuture<Buffer> get(String url, Map<String, String> headers, Duration timeout) {
    CompletableFuture<HttpResponse<Buffer>> f;
    try {
      HttpRequest<Buffer> req =
          client.getAbs(url).connectTimeout(timeout.toMillis()).idleTimeout(timeout.toMillis());
      headers.forEach(req::putHeader);
      f = req.send().toCompletionStage().toCompletableFuture();
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(
          new AdapterException(AdapterException.Kind.INVALID_CONFIG, "invalid URL " + url));
    }
    return Deadlines.within(f, timeout, "GET " + url)
        .thenApply(
            r -> {
              if (r.statusCode() / 100 != 2) {
                throw new AdapterException(
                    AdapterException.Kind.BAD_STATUS,
                    "GET " + url + " answered HTTP " + r.statusCode());
              }
              Buffer body = r.body();
              return body == null ? Buffer.buffer() : body;
            });
  }

  @Override
  public void close() {
    client.close();
    if (ownsVertx) {
      vertx.close().await();
    }
  }
}
