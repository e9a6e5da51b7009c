package io.stoker.dashboards;

import io.stoker.app.keda.ScalerClient;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * KEDA polling the external scaler as it polls a ScaledObject's {@code autoscaler:} trigger ({@code
 * GetMetrics}, {@code IsActive}) every 500 ms, and also a ScaledObject whose autoscaler does not
 * exist (answered NOT_FOUND), so that the dashboards' KEDA panels have both codes. Used by {@link
 * DashboardDataTest} and the e2e {@code DashboardsE2E}.
 */
public final class KedaPolls implements AutoCloseable {
  private final ScalerClient client;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final List<Throwable> errors = new CopyOnWriteArrayList<>();
  private final AtomicInteger answered = new AtomicInteger();

  private KedaPolls(int port, String namespace, String autoscaler) {
    client = new ScalerClient(port);
    timer.scheduleWithFixedDelay(
        () -> {
          try {
            client.poll(namespace, autoscaler);
            answered.incrementAndGet();
          } catch (RuntimeException e) {
            errors.add(e);
          }
          try {
            client.poll(namespace, "deleted-app");
          } catch (IllegalStateException expected) {
            // NOT_FOUND
          }
        },
        0,
        500,
        TimeUnit.MILLISECONDS);
  }

  /** Starts polling {@code namespace/autoscaler} on the scaler's gRPC {@code port}. */
  public static KedaPolls start(int port, String namespace, String autoscaler) {
    return new KedaPolls(port, namespace, autoscaler);
  }

  /** Polls of the autoscaler answered so far. */
  public int answered() {
    return answered.get();
  }

  /** Polls of the autoscaler that failed (e.g. NOT_FOUND before its first decision). */
  public List<Throwable> errors() {
    return errors;
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      client.close();
    }
  }
}
