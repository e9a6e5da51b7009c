package io.stoker.app.grpc;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.stoker.app.grpc.proto.ExternalScalerGrpc;
import io.stoker.app.grpc.proto.GetMetricsRequest;
import io.stoker.app.grpc.proto.ScaledObjectRef;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code GetMetrics} of the Kafka mode answered from the cache (docs/benchmarks.md "KEDA
 * GetMetrics"): 8 concurrent callers on one loopback HTTP/2 connection (as KEDA's pooled client),
 * blocking grpc-java stubs, KEDA's metadata on every request. Prints p50/p99 latency and
 * throughput. Not part of {@code verify}:
 *
 * <pre>./mvnw -B -pl scaler/app -am test -Pkeda-bench -Dsurefire.failIfNoSpecifiedTests=false</pre>
 *
 * Knobs: {@code -Dstoker.bench.callers=8}, {@code -Dstoker.bench.seconds=20}.
 */
class KedaGetMetricsBench {
  @Test
  void getMetricsFromCache() throws Exception {
    int callers = Integer.getInteger("stoker.bench.callers", 8);
    int seconds = Integer.getInteger("stoker.bench.seconds", 20);
    TestingLoader<KafkaTrigger, KafkaAnswer> upstream =
        new TestingLoader<KafkaTrigger, KafkaAnswer>().answering(t -> new KafkaAnswer(42, true));
    try (ScalerServer server =
        ScalerServer.start(
            new ScalerServer.Settings(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                Duration.ofSeconds(1),
                Duration.ofSeconds(10)),
            (ns, name) -> java.util.Optional.empty(),
            new ScalerServer.CacheTiming(
                Duration.ofSeconds(5), Duration.ofSeconds(2), Duration.ofMinutes(10)),
            upstream,
            () -> {})) {
      ManagedChannel channel =
          NettyChannelBuilder.forAddress(
                  InetAddress.getLoopbackAddress().getHostAddress(), server.port())
              .usePlaintext()
              .build();
      try {
        GetMetricsRequest request =
            GetMetricsRequest.newBuilder()
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
        ExternalScalerGrpc.ExternalScalerBlockingStub stub =
            ExternalScalerGrpc.newBlockingStub(channel);
        // Warm-up: JIT, the connection, the cache entry.
        run(stub, request, callers, Duration.ofSeconds(5));
        long[][] lat = run(stub, request, callers, Duration.ofSeconds(seconds));
        long[] all = Arrays.stream(lat).flatMapToLong(Arrays::stream).sorted().toArray();
        double rps = all.length / (double) seconds;
        System.out.printf(
            Locale.ROOT,
            "keda-bench GetMetrics from cache: callers=%d seconds=%d cores=%d requests=%d"
                + " throughput=%.0f req/s p50=%.3f ms p99=%.3f ms p99.9=%.3f ms max=%.3f ms"
                + " upstream calls=%d%n",
            callers,
            seconds,
            Runtime.getRuntime().availableProcessors(),
            all.length,
            rps,
            pct(all, 0.50),
            pct(all, 0.99),
            pct(all, 0.999),
            all[all.length - 1] / 1e6,
            upstream.calls());
      } finally {
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      }
    }
  }

  private static double pct(long[] sorted, double q) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
  }

  /** Each caller calls back to back for {@code d}; returns each caller's latencies (ns). */
  private static long[][] run(
      ExternalScalerGrpc.ExternalScalerBlockingStub stub,
      GetMetricsRequest request,
      int callers,
      Duration d)
      throws InterruptedException {
    long[][] out = new long[callers][];
    CountDownLatch done = new CountDownLatch(callers);
    long end = System.nanoTime() + d.toNanos();
    for (int c = 0; c < callers; c++) {
      int me = c;
      Thread t =
          new Thread(
              () -> {
                long[] buf = new long[1 << 16];
                int n = 0;
                while (System.nanoTime() < end) {
                  long t0 = System.nanoTime();
                  stub.getMetrics(request);
                  long dt = System.nanoTime() - t0;
                  if (n == buf.length) {
                    buf = Arrays.copyOf(buf, n * 2);
                  }
                  buf[n++] = dt;
                }
                out[me] = Arrays.copyOf(buf, n);
                done.countDown();
              },
              "caller-" + c);
      t.start();
    }
    done.await();
    return out;
  }
}
