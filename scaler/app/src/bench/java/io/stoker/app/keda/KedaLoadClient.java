package io.stoker.app.keda;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.stoker.app.keda.proto.ExternalScalerGrpc;
import io.stoker.app.keda.proto.GetMetricsRequest;
import io.stoker.app.keda.proto.GetMetricsResponse;
import io.stoker.app.keda.proto.ScaledObjectRef;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The load generator of {@link KedaGetMetricsBench}, run in a JVM of its own as KEDA runs in a pod
 * of its own: {@code callers} threads calling {@code GetMetrics} over one plaintext HTTP/2
 * connection (KEDA pools one connection per scaler address) with KEDA's Kafka-trigger metadata.
 *
 * <ul>
 *   <li>{@code open RATE}: each caller sends at RATE/callers per second on a fixed schedule, and a
 *       request's latency counts from when it was due, not from when it was sent, so a stall of
 *       the server shows in full (no coordinated omission). Each caller is a thread that blocks on
 *       its call and parks until its next one is due: on a 2-vCPU machine such threads often wake
 *       late, and a late send counts against the server;
 *   <li>{@code async RATE}: the same schedule (the callers' requests interleaved, RATE per second
 *       in all), sent by one scheduler thread with the asynchronous stub, without waiting for
 *       earlier answers, as KEDA's goroutines do; answers are timed on the connection's event
 *       loop. Latency again counts from when each request was due;
 *   <li>{@code closed}: each caller calls back to back, which measures the most the pair of
 *       processes sustains (latency then includes waiting for a CPU).
 * </ul>
 *
 * <p>Arguments: {@code PORT MODE RATE CALLERS WARMUP_SECONDS SECONDS}. Prints one line starting
 * with {@code keda-load}.
 */
public final class KedaLoadClient {
  private KedaLoadClient() {}

  /** A request slower than this is counted by the second it was due in (where stalls happen). */
  private static final long SLOW_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

  /** How late requests were sent, by power of two of microseconds (open loop only). */
  private static final java.util.concurrent.ConcurrentSkipListMap<Integer, Long> LATE =
      new java.util.concurrent.ConcurrentSkipListMap<>();

  private static int lateBucket(long nanos) {
    long micros = Math.max(1, nanos / 1000);
    return 63 - Long.numberOfLeadingZeros(micros);
  }

  /** The last run's latencies from each request's send (sorted), beside those from its due time. */
  private static long[] SERVICE = new long[0];

  private static final java.util.concurrent.ConcurrentSkipListMap<Integer, Integer> SLOW =
      new java.util.concurrent.ConcurrentSkipListMap<>();
  private static final java.util.concurrent.ConcurrentSkipListMap<Integer, Long> WORST =
      new java.util.concurrent.ConcurrentSkipListMap<>();

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    String mode = args[1];
    boolean open = !mode.equals("closed");
    double rate = Double.parseDouble(args[2]);
    int callers = Integer.parseInt(args[3]);
    int warmup = Integer.parseInt(args[4]);
    int seconds = Integer.parseInt(args[5]);
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().directExecutor().build();
    try {
      ExternalScalerGrpc.ExternalScalerBlockingStub stub =
          ExternalScalerGrpc.newBlockingStub(channel);
      ExternalScalerGrpc.ExternalScalerStub async = ExternalScalerGrpc.newStub(channel);
      GetMetricsRequest request = request();
      boolean scheduler = mode.equals("async");
      if (scheduler) {
        runAsync(async, request, rate, warmup);
      } else {
        run(stub, request, callers, open ? rate : 0, warmup);
      }
      SLOW.clear();
      WORST.clear();
      LATE.clear();
      long[] all =
          scheduler
              ? runAsync(async, request, rate, seconds)
              : run(stub, request, callers, open ? rate : 0, seconds);
      StringBuilder slow = new StringBuilder();
      SLOW.forEach(
          (second, n) ->
              slow.append(
                  String.format(
                      Locale.ROOT, " %ds:%d(worst %.1f ms)", second, n, WORST.get(second) / 1e6)));
      System.out.println("keda-load slower than 1 ms, by second:" + slow);
      StringBuilder late = new StringBuilder();
      LATE.forEach((b, n) -> late.append(String.format(Locale.ROOT, " <%dus:%d", 2L << b, n)));
      System.out.println(
          "keda-load sent late by (the caller's wake-up, or its previous call still running):"
              + late);
      System.out.printf(
          Locale.ROOT,
          "keda-load from send (the caller's own wake-up delay left out): p50=%.3f p99=%.3f"
              + " p999=%.3f max=%.3f%n",
          pct(SERVICE, 0.50),
          pct(SERVICE, 0.99),
          pct(SERVICE, 0.999),
          SERVICE[SERVICE.length - 1] / 1e6);
      System.out.printf(
          Locale.ROOT,
          "keda-load mode=%s offered=%s callers=%d seconds=%d requests=%d throughput=%.0f"
              + " p50=%.3f p99=%.3f p999=%.3f max=%.3f%n",
          mode,
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
   * One scheduler thread sends {@code rate} requests per second for {@code seconds}, each when it
   * is due, without waiting for answers. Returns every latency from the due time (ns), sorted.
   */
  private static long[] runAsync(
      ExternalScalerGrpc.ExternalScalerStub stub,
      GetMetricsRequest request,
      double rate,
      int seconds)
      throws InterruptedException {
    int total = (int) Math.round(rate * seconds);
    long[] fromDue = new long[total];
    long[] fromSend = new long[total];
    AtomicInteger failed = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(total);
    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10);
    for (int i = 0; i < total; i++) {
      long due = start + (long) (i * 1e9 / rate);
      long now = System.nanoTime();
      while (now < due) {
        LockSupport.parkNanos(due - now);
        now = System.nanoTime();
      }
      long sent = now;
      LATE.merge(lateBucket(sent - due), 1L, Long::sum);
      int me = i;
      stub.getMetrics(
          request,
          new StreamObserver<GetMetricsResponse>() {
            @Override
            public void onNext(GetMetricsResponse value) {}

            @Override
            public void onError(Throwable t) {
              failed.incrementAndGet();
              done.countDown();
            }

            @Override
            public void onCompleted() {
              long answered = System.nanoTime();
              fromDue[me] = answered - due;
              fromSend[me] = answered - sent;
              done.countDown();
            }
          });
    }
    if (!done.await(60, TimeUnit.SECONDS) || failed.get() > 0) {
      throw new IllegalStateException(
          failed.get() + " calls failed, " + done.getCount() + " unanswered of " + total);
    }
    for (int i = 0; i < total; i++) {
      if (fromDue[i] > SLOW_NANOS) {
        long due = (long) (i * 1e9 / rate);
        int second = (int) (due / 1_000_000_000L);
        SLOW.merge(second, 1, Integer::sum);
        WORST.merge(second, fromDue[i], Math::max);
      }
    }
    SERVICE = Arrays.stream(fromSend).sorted().toArray();
    return Arrays.stream(fromDue).sorted().toArray();
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
    long[][] service = new long[callers][];
    for (int c = 0; c < callers; c++) {
      service[c] = new long[1 << 16];
    }
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
                int[] sn = {0};
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
                  long sent = System.nanoTime();
                  stub.getMetrics(request);
                  long answered = System.nanoTime();
                  long dt = answered - due;
                  if (service[me].length == sn[0]) {
                    service[me] = Arrays.copyOf(service[me], sn[0] * 2);
                  }
                  service[me][sn[0]++] = answered - sent;
                  if (interval > 0) {
                    LATE.merge(lateBucket(sent - due), 1L, Long::sum);
                  }
                  if (dt > SLOW_NANOS) {
                    int second = (int) ((due - start) / 1_000_000_000L);
                    SLOW.merge(second, 1, Integer::sum);
                    WORST.merge(second, dt, Math::max);
                  }
                  if (n == buf.length) {
                    buf = Arrays.copyOf(buf, n * 2);
                  }
                  buf[n++] = dt;
                  due += interval;
                }
                out[me] = Arrays.copyOf(buf, n);
                service[me] = Arrays.copyOf(service[me], sn[0]);
                done.countDown();
              },
              "caller-" + c);
      t.start();
    }
    done.await();
    SERVICE = Arrays.stream(service).flatMapToLong(Arrays::stream).sorted().toArray();
    return Arrays.stream(out).flatMapToLong(Arrays::stream).sorted().toArray();
  }
}
