package io.stoker.app.k8s.capacity;

import io.stoker.adapters.spark.SparkExecutorStates;
import io.stoker.adapters.spark.SparkExecutorStates.ExecutorState;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Where per-executor state comes from (the Spark driver; tests give their own). */
@FunctionalInterface
public interface ExecutorStatesSource {
  /** The default cap of the driver's answer, as the signal adapters' (8 MiB). */
  long DEFAULT_MAX_BODY_BYTES = 8L << 20;

  /**
   * The executors' state by Spark executor id, or empty when the driver could not be read (nothing
   * is then decided). Blocking.
   */
  Optional<Map<String, ExecutorState>> read(String driverHost, int port);

  /** As {@link #http(Duration, long)} with the default cap. */
  static ExecutorStatesSource http(Duration timeout) {
    return http(timeout, DEFAULT_MAX_BODY_BYTES);
  }

  /**
   * GET {@code http://<driver>:<port>/metrics/executors/prometheus}, the whole exchange (body
   * included) within {@code timeout}, the body at most {@code maxBodyBytes}: past either bound the
   * exchange is cancelled, which closes its connection, and the read is empty.
   */
  static ExecutorStatesSource http(Duration timeout, long maxBodyBytes) {
    HttpClient client = HttpClient.newBuilder().connectTimeout(timeout).build();
    Logger log = LoggerFactory.getLogger(ExecutorStatesSource.class);
    return (host, port) -> {
      String url =
          "http://"
              + (host.contains(":") ? "[" + host + "]" : host)
              + ":"
              + port
              + SparkExecutorStates.PATH;
      AtomicReference<CappedBody> body = new AtomicReference<>();
      CompletableFuture<HttpResponse<byte[]>> f;
      try {
        f =
            client.sendAsync(
                HttpRequest.newBuilder(URI.create(url)).timeout(timeout).build(),
                info -> {
                  CappedBody b = new CappedBody(maxBodyBytes);
                  body.set(b);
                  return b;
                });
      } catch (IllegalArgumentException e) {
        return Optional.empty();
      }
      try {
        HttpResponse<byte[]> r = f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        return r.statusCode() == 200
            ? Optional.of(SparkExecutorStates.parse(r.body()))
            : Optional.empty();
      } catch (TimeoutException e) {
        log.atDebug().addKeyValue("url", url).log("driver did not answer within the deadline");
        return Optional.empty();
      } catch (ExecutionException e) {
        if (e.getCause() instanceof BodyTooLarge) {
          log.atWarn()
              .addKeyValue("url", url)
              .log(
                  "driver's executor metrics are larger than the cap of {} bytes; raise"
                      + " --signal-max-body if the endpoint is right",
                  maxBodyBytes);
        }
        return Optional.empty();
      } catch (RuntimeException e) {
        return Optional.empty();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.empty();
      } finally {
        CappedBody b = body.get();
        if (b != null) {
          b.cancel(); // frees the connection of a late or oversized answer
        }
        f.cancel(true);
      }
    };
  }

  /** The body past the cap. */
  final class BodyTooLarge extends java.io.IOException {
    private static final long serialVersionUID = 1L;

    BodyTooLarge(long cap) {
      super("response body larger than " + cap + " bytes");
    }
  }

  /** Collects a body of at most {@code cap} bytes; past it, cancels the subscription and fails. */
  final class CappedBody implements HttpResponse.BodySubscriber<byte[]> {
    private final long cap;
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    private volatile Flow.Subscription subscription;

    CappedBody(long cap) {
      this.cap = cap;
    }

    @Override
    public CompletionStage<byte[]> getBody() {
      return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      for (ByteBuffer b : items) {
        if (result.isDone()) {
          return;
        }
        if (bytes.size() + (long) b.remaining() > cap) {
          result.completeExceptionally(new BodyTooLarge(cap));
          cancel();
          return;
        }
        byte[] chunk = new byte[b.remaining()];
        b.get(chunk);
        bytes.write(chunk, 0, chunk.length);
      }
    }

    @Override
    public void onError(Throwable t) {
      result.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
      result.complete(bytes.toByteArray());
    }

    /** Stops reading; the client closes the connection. */
    void cancel() {
      Flow.Subscription s = subscription;
      if (s != null) {
        s.cancel();
      }
      result.completeExceptionally(new java.util.concurrent.CancellationException());
    }
  }
}
