package io.stoker.app.keda;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code GetMetrics} of the Kafka mode answered from the cache (docs/benchmarks.md "KEDA
 * GetMetrics"). The server runs in this JVM; the callers run in a JVM of their own ({@link
 * KedaLoadClient}), as KEDA does: 8 callers on one loopback HTTP/2 connection with KEDA's metadata
 * on every request, first at the goal's rate (open loop, latency from when each request was due),
 * sent by one scheduler thread and then by 8 blocking caller threads, then back to back (the most
 * the two processes sustain on this machine). Not part of {@code verify}:
 *
 * <pre>./mvnw -B -pl scaler/app -am test -Pkeda-bench -Dsurefire.failIfNoSpecifiedTests=false</pre>
 *
 * Knobs: {@code -Dstoker.bench.callers=8}, {@code -Dstoker.bench.seconds=20}, {@code
 * -Dstoker.bench.rate=10000}, {@code -Dstoker.bench.warmup=10} (seconds of each client's run not
 * measured: the first seconds of a fresh JVM run interpreted code and size its heap).
 */
class KedaGetMetricsBench {
  @Test
  void getMetricsFromCache() throws Exception {
    int callers = Integer.getInteger("stoker.bench.callers", 8);
    int seconds = Integer.getInteger("stoker.bench.seconds", 20);
    int rate = Integer.getInteger("stoker.bench.rate", 10_000);
    int warmup = Integer.getInteger("stoker.bench.warmup", 10);
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
      String async = client(server.port(), "async", rate, callers, warmup, seconds);
      String open = client(server.port(), "open", rate, callers, warmup, seconds);
      String closed = client(server.port(), "closed", 0, callers, warmup, seconds);
      System.out.printf(
          Locale.ROOT,
          "keda-bench GetMetrics from cache, server cores=%d, upstream calls=%d%n%s%n%s%n%s%n",
          Runtime.getRuntime().availableProcessors(),
          upstream.calls(),
          async,
          open,
          closed);
      assertThat(async).startsWith("keda-load mode=async");
      assertThat(open).startsWith("keda-load mode=open");
      assertThat(closed).startsWith("keda-load mode=closed");
    }
  }

  /** Runs {@link KedaLoadClient} in a JVM of its own and returns its result line. */
  private static String client(
      int port, String mode, int rate, int callers, int warmup, int seconds) throws Exception {
    List<String> command = new java.util.ArrayList<>();
    String cpus = System.getProperty("stoker.bench.client.cpus", "");
    if (!cpus.isEmpty()) {
      command.addAll(List.of("taskset", "-c", cpus));
    }
    command.addAll(
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xms256m",
            "-Xmx256m",
            "-Xlog:gc:file=target/keda-bench-client-" + mode + "-gc.log",
            "-cp",
            System.getProperty("java.class.path"),
            KedaLoadClient.class.getName(),
            String.valueOf(port),
            mode,
            String.valueOf(rate),
            String.valueOf(callers),
            String.valueOf(warmup),
            String.valueOf(seconds)));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(warmup + seconds + 60L, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(out).isZero();
      out.lines()
          .filter(l -> l.startsWith("keda-load ") && !l.startsWith("keda-load mode="))
          .forEach(System.out::println);
      return out.lines().filter(l -> l.startsWith("keda-load mode=")).findFirst().orElseThrow();
    } finally {
      p.destroyForcibly();
    }
  }
}
