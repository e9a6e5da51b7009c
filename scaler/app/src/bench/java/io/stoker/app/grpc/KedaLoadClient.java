package io.stoker.app.grpc;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.stoker.app.grpc.proto.ExternalScalerGrpc;
import io.stoker.app.grpc.proto.GetMetricsRequest;
import io.stoker.app.grpc.proto.ScaledObjectRef;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The load generator of {@link KedaGetMetricsBench}, run in a JVM of its own as KEDA runs in a pod
 * of its own: {@code callers} threads calling {@code GetMetrics} over one plaintext HTTP/2
 * connection (KEDA pools one connection per scaler address) with KEDA's Kafka-trigger metadata.
 *
 * <ul>
 *   <li>{@code open RATE}: each caller sends at RATE/callers per second on a fixed schedule, and a
 *       request's latency counts from when it was due, not from when it was sent, so a stall of
 *       the server shows in full (no coordinated omission);
 *   <li>{@code closed}: each caller calls back to back, which measures the most the pair of
 *       processes sustains (latency then includes waiting for a CPU).
 * </ul>
 *
 * <p>Arguments: {@code PORT MODE RATE CALLERS WARMUP_SECONDS SECONDS}. Prints one line starting
 * with {@code keda-load}.
 */
public final class KedaLoadClient {
  private KedaLoadClient() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    boolean open = args[1].equals("open");
    double rate = Double.parseDouble(args[2]);
    int callers = Integer.parseInt(args[3]);
    int warmup = Integer.parseInt(args[4]);
    int seconds = Integer.parseInt(args[5]);
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    try {
      ExternalScalerGrpc.ExternalScalerBlockingStub stub =
          ExternalScalerGrpc.newBlockingStub(channel);
      GetMetricsRequest request = request();
      run(stub, request, callers, open ? rate : 0, warmup);
      long[] all = run(stub, request, callers, open ? rate : 0, seconds);
      System.out.printf(
          Locale.ROOT,
          "keda-load mode=%s offered=%s callers=%d seconds=%d requests=%d throughput=%.0f"
              + " p50=%.3f p99=%.3f p999=%.3f max=%.3f%n",
          open ? "open" : "closed",
          open ? String.format(Locale.ROOT, "%.0f", rate) : "max",
          callers,
          seconds,
          all.length,
          all.length / (double) seconds,
          pct(all, 0.50),
          pct(all, 0.99),
          pct(all, 0.999),
          all[all.length - 1] / 1e6);
    } finally {
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  static GetMetricsRequest request() {
    return GetMetricsRequest.newBuilder()
        .setMetricName("kafka-orders")
        .setScaledObjectRef(
            ScaledObjectRef.newBuilder()
                .setName("orders-consumer")
                .setNamespace("team-a")
                .putScalerMetadata("scalerAddress", "stoker.stoker-system.svc:9090")
                .putScalerMetadata("bootstrapServers", "kafka-0:9092,kafka-1:9092")
                .putScalerMetadata("consumerGroup", "orders-consumer")
                .putScalerMetadata("topic", "orders")
                .putScalerMetadata("lagThreshold", "500")
                .putScalerMetadata("activationLagThreshold", "10"))
        .build();
  }

  private static double pct(long[] sorted, double q) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
  }

  /**
   * Each caller calls for {@code seconds}: on a schedule of {@code rate / callers} per second, or
   * back to back when {@code rate} is 0. Returns every latency (ns), sorted.
   */
  private static long[] run(
      ExternalScalerGrpc.ExternalScalerBlockingStub stub,
      GetMetricsRequest request,
      int callers,
      double rate,
      int seconds)
      throws InterruptedException {
    long[][] out = new long[callers][];
    CountDownLatch done = new CountDownLatch(callers);
    long start = System.nanoTime();
    long end = start + TimeUnit.SECONDS.toNanos(seconds);
    long interval = rate > 0 ? (long) (1e9 * callers / rate) : 0;
    for (int c = 0; c < callers; c++) {
      int me = c;
      // callers start spread over one interval, so that the offered load is smooth
      long first = start + (interval * c) / callers;
      Thread t =
          new Thread(
              () -> {
                long[] buf = new long[1 << 16];
                int n = 0;
                long due = first;
                while (true) {
                  long now = System.nanoTime();
                  if (interval > 0) {
                    if (due >= end) {
                      break;
                    }
                    while (now < due) {
                      LockSupport.parkNanos(due - now);
                      now = System.nanoTime();
                    }
                  } else if (now >= end) {
                    break;
                  } else {
                    due = now;
                  }
                  stub.getMetrics(request);
                  long dt = System.nanoTime() - due;
                  if (n == buf.length) {
                    buf = Arrays.copyOf(buf, n * 2);
                  }
                  buf[n++] = dt;
                  due += interval;
                }
                out[me] = Arrays.copyOf(buf, n);
                done.countDown();
              },
              "caller-" + c);
      t.start();
    }
    done.await();
    return Arrays.stream(out).flatMapToLong(Arrays::stream).sorted().toArray();
  }
}
