package io.stoker.adapters.http;

import io.stoker.adapters.spi.AdapterContext;
import io.stoker.adapters.spi.AdapterException;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The one Vert.x HTTP client the HTTP adapters share (per {@link AdapterContext}). GET only,
 * redirects followed (Spark answers {@code /metrics/prometheus} with a 302 to the trailing-slash
 * path), non-2xx mapped to BAD_STATUS with the status.
 *
 * <p>Bounded: a body larger than {@link #maxBodyBytes()} fails (MALFORMED, naming the URL and the
 * cap) as soon as its announced length or its received bytes pass the cap, and a request still
 * running at its deadline fails (TIMEOUT) <b>and is reset</b>, so that its connection goes back to
 * nobody: a slow endless body cannot hold the pool's connections. A reset or oversized request
 * closes its connection; the pool opens a new one for the next request.
 */
public final class HttpFetcher implements AutoCloseable {
  /** Key under which the shared instance lives in an {@link AdapterContext}. */
  public static final String CONTEXT_KEY = "http:vertx-web-client";

  /** The default cap of a response body: 8 MiB (a Spark driver's metrics are far smaller). */
  public static final long DEFAULT_MAX_BODY_BYTES = 8L << 20;

  /** Connections per host. */
  static final int POOL_SIZE = 5;

  private final Vertx vertx;
  private final boolean ownsVertx;
  private final HttpClientAgent client;
  private final long maxBodyBytes;

  private HttpFetcher(Vertx vertx, boolean ownsVertx, long maxBodyBytes) {
    if (maxBodyBytes <= 0) {
      throw new IllegalArgumentException("the body cap must be > 0, got " + maxBodyBytes);
    }
    this.vertx = vertx;
    this.ownsVertx = ownsVertx;
    this.maxBodyBytes = maxBodyBytes;
    this.client =
        vertx.createHttpClient(
            new HttpClientOptions().setMaxRedirects(4).setKeepAlive(true),
            new PoolOptions().setHttp1MaxSize(POOL_SIZE));
  }

  /** The context's shared fetcher; creates a Vert.x instance of its own on first use. */
  public static HttpFetcher shared(AdapterContext context) {
    return shared(context, DEFAULT_MAX_BODY_BYTES);
  }

  /**
   * The context's shared fetcher, created with {@code maxBodyBytes} on first use (a fetcher that
   * already exists keeps its cap): call it first, before the adapters are created.
   */
  public static HttpFetcher shared(AdapterContext context, long maxBodyBytes) {
    return context.shared(
        CONTEXT_KEY, HttpFetcher.class, () -> new HttpFetcher(Vertx.vertx(), true, maxBodyBytes));
  }

  /** Registers a fetcher on an existing Vert.x (the controller's) in the context. */
  public static HttpFetcher register(AdapterContext context, Vertx vertx) {
    return register(context, vertx, DEFAULT_MAX_BODY_BYTES);
  }

  /** Registers a fetcher with a body cap on an existing Vert.x in the context. */
  public static HttpFetcher register(AdapterContext context, Vertx vertx, long maxBodyBytes) {
    return context.shared(
        CONTEXT_KEY, HttpFetcher.class, () -> new HttpFetcher(vertx, false, maxBodyBytes));
  }

  /** The largest body a response may have. */
  public long maxBodyBytes() {
    return maxBodyBytes;
  }

  /**
   * GETs {@code url} and completes with the 2xx response body, or with an AdapterException
   * (UNREACHABLE, TIMEOUT, BAD_STATUS, MALFORMED for a body over the cap) within {@code timeout};
   * at the deadline the request is reset.
   */
  public CompletableFuture<Buffer> get(String url, Map<String, String> headers, Duration timeout) {
    long ms = Math.max(1, timeout.toMillis());
    RequestOptions options;
    try {
      options =
          new RequestOptions()
              .setMethod(HttpMethod.GET)
              .setAbsoluteURI(url)
              .setFollowRedirects(true)
              .setConnectTimeout(ms)
              .setIdleTimeout(ms)
              .putHeader("User-Agent", "stoker-metrics-adapters");
      headers.forEach(options::putHeader);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(
          new AdapterException(AdapterException.Kind.INVALID_CONFIG, "invalid URL " + url));
    }
    Exchange x = new Exchange(url, ms);
    client
        .request(options)
        .onSuccess(x::send)
        .onFailure(e -> x.fail(AdapterException.Kind.UNREACHABLE, describe(e)));
    return x.result;
  }

  private static String describe(Throwable e) {
    String m = e.getMessage();
    return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }

  /** One GET: its result, the request in flight (reset at the deadline) and the body so far. */
  private final class Exchange {
    private final String url;
    private final CompletableFuture<Buffer> result = new CompletableFuture<>();
    private final AtomicReference<HttpClientRequest> request = new AtomicReference<>();
    private final Buffer body = Buffer.buffer();
    private final long timer;

    Exchange(String url, long ms) {
      this.url = url;
      this.timer =
          vertx.setTimer(
              ms, id -> fail(AdapterException.Kind.TIMEOUT, "no answer within " + ms + " ms"));
      result.whenComplete((v, e) -> vertx.cancelTimer(timer));
    }

    void send(HttpClientRequest req) {
      request.set(req);
      if (result.isDone()) {
        req.reset();
        return;
      }
      req.send()
          .onSuccess(this::receive)
          .onFailure(e -> fail(AdapterException.Kind.UNREACHABLE, describe(e)));
    }

    private void receive(HttpClientResponse r) {
      request.set(r.request()); // the last hop, after redirects
      if (result.isDone()) {
        r.request().reset();
        return;
      }
      if (r.statusCode() / 100 != 2) {
        fail(AdapterException.Kind.BAD_STATUS, "answered HTTP " + r.statusCode());
        return;
      }
      String length = r.getHeader("Content-Length");
      if (length != null && tooLong(length)) {
        fail(AdapterException.Kind.MALFORMED, tooLarge("(announced " + length.trim() + " bytes)"));
        return;
      }
      r.exceptionHandler(e -> fail(AdapterException.Kind.UNREACHABLE, describe(e)));
      r.handler(
          chunk -> {
            if (result.isDone()) {
              return;
            }
            if (body.length() + (long) chunk.length() > maxBodyBytes) {
              fail(AdapterException.Kind.MALFORMED, tooLarge("(cut off there)"));
              return;
            }
            body.appendBuffer(chunk);
          });
      r.endHandler(v -> result.complete(body));
    }

    private boolean tooLong(String length) {
      try {
        return Long.parseLong(length.trim()) > maxBodyBytes;
      } catch (NumberFormatException e) {
        return false; // the body itself is counted
      }
    }

    private String tooLarge(String detail) {
      return "the response body is larger than the cap of "
          + maxBodyBytes
          + " bytes "
          + detail
          + "; raise --signal-max-body if the endpoint is right";
    }

    /** Fails the exchange (once) and resets the request, which frees its connection. */
    void fail(AdapterException.Kind kind, String why) {
      if (result.completeExceptionally(new AdapterException(kind, "GET " + url + ": " + why))) {
        HttpClientRequest r = request.get();
        if (r != null) {
          r.reset();
        }
      }
    }
  }

  @Override
  public void close() {
    client.close();
    if (ownsVertx) {
      vertx.close().await();
    }
  }
}
