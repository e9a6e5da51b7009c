package io.stoker.app.controller;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.prometheus.client.Collector;
import io.stoker.adapters.spi.AdapterContext;
import io.stoker.app.metrics.MetricNames;
import io.stoker.app.signals.AdapterSignalCollector;
import io.stoker.app.signals.SignalCollector;
import io.stoker.app.signals.SignalRequest;
import io.stoker.app.signals.Signals;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;

/**
 * Controller scale benchmark (issue 3 item 7), run only with {@code -Pscale-bench}: N autoscalers,
 * each with a Kafka signal (its own consumer group on one real KRaft broker, 800 records behind;
 * with {@code -Dstoker.bench.moving=true}, before each tick records arrive and every group consumes,
 * its lag moving between 800 and 1,000 records, so that all autoscalers scale and refresh their
 * statuses in step) and a Spark signal (a
 * fake driver serving the recorded samples), reconciled by the real controller ({@link Operator},
 * {@link AdapterSignalCollector}) against the fabric8 mock API server in CRUD mode.
 *
 * <p>Two processes: this JVM runs the controller alone (started under {@code taskset -c 0} with
 * {@code -XX:ActiveProcessorCount=1}); the broker, the mock API server and the drivers run in a
 * child JVM ({@link BenchFakes}) pinned with {@code taskset -c <stoker.bench.fakes.cpus>} (default
 * 1), as they would run elsewhere in a cluster. CPU per tick is this process's ({@code
 * getProcessCpuTime}), so the controller's; the fakes' CPU is reported beside it.
 *
 * <p>For each N the controller is started afresh and ticked by hand every {@code
 * stoker.bench.interval} (10 s): {@code stoker.bench.warmup} (3) warm-up ticks, printed but not
 * counted, then {@code stoker.bench.ticks} (6) measured ones; it prints p50/p99 of the full-tick time, CPU per tick and heap
 * after GC. With {@code -Dstoker.bench.jfr=<N>} the measured ticks of that N are recorded with
 * JFR's {@code profile} settings into {@code target/controller-<N>.jfr}. Prints figures only;
 * asserts nothing about speed.
 */
class ControllerScaleBench {
  @Test
  void controllerScale() throws Exception {
    int[] sizes =
        Arrays.stream(System.getProperty("stoker.bench.sizes", "100,500,2000").split(","))
            .mapToInt(s -> Integer.parseInt(s.trim()))
            .toArray();
    int ticks = Integer.getInteger("stoker.bench.ticks", 6);
    int warmup = Integer.getInteger("stoker.bench.warmup", 3);
    boolean moving = Boolean.parseBoolean(System.getProperty("stoker.bench.moving", "false"));
    Duration interval = Duration.parse("PT" + System.getProperty("stoker.bench.interval", "10s"));
    int jfrAt = Integer.getInteger("stoker.bench.jfr", -1);
    List<String> rows = new ArrayList<>();
    rows.add(
        "| N | ticks | cycle p50 (ms) | cycle p99 (ms) | controller CPU per tick p50 (ms) |"
            + " controller CPU per tick p99 (ms) | fakes CPU per tick p50 (ms) | heap after GC"
            + " (MiB) | of which controller (MiB) | signal errors | write errors |");
    rows.add("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    try (Fakes fakes = Fakes.start(Integer.getInteger("stoker.bench.hosts", 50));
        KubernetesClient client = fakes.client()) {
      System.out.printf(
          "scale-bench: controller JVM: %d processor(s); fakes on cpus %s%n",
          Runtime.getRuntime().availableProcessors(), fakes.cpus);
      int created = 0;
      for (int n : sizes) {
        long setup = System.nanoTime();
        fakes.create(created, n);
        created = n;
        System.out.printf(
            "scale-bench: %d autoscalers set up in %.1f s%n", n, (System.nanoTime() - setup) / 1e9);
        rows.add(run(client, n, warmup, ticks, moving, interval, fakes, n == jfrAt));
        System.out.println(rows.get(rows.size() - 1));
      }
    }
    String table = String.join("\n", rows) + "\n";
    System.out.println("scale-bench results\n" + table);
    Path out = Path.of("target", "scale-bench.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, table, StandardCharsets.UTF_8);
  }

  /** The child JVM with the broker, the mock API server and the drivers ({@link BenchFakes}). */
  private static final class Fakes implements AutoCloseable {
    private final Process process;
    private final BufferedReader out;
    private final Writer in;
    private final String masterUrl;
    final String cpus;

    private Fakes(Process process, String cpus) throws IOException {
      this.process = process;
      this.cpus = cpus;
      this.out =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
      this.masterUrl = answer("ready")[0];
    }

    static Fakes start(int hosts) throws IOException {
      String cpus = System.getProperty("stoker.bench.fakes.cpus", "1");
      String java = ProcessHandle.current().info().command().orElse("java");
      String cp =
          System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
      List<String> cmd = new ArrayList<>();
      if (!cpus.isEmpty()) {
        cmd.addAll(List.of("taskset", "-c", cpus));
      }
      cmd.add(java);
      cmd.add("-Xmx" + System.getProperty("stoker.bench.fakes.heap", "2g"));
      String jul = System.getProperty("java.util.logging.config.file");
      if (jul != null) {
        cmd.add("-Djava.util.logging.config.file=" + jul);
      }
      cmd.addAll(List.of("-cp", cp, BenchFakes.class.getName(), String.valueOf(hosts)));
      Path log = Path.of("target", "scale-bench-fakes.log");
      Files.createDirectories(log.getParent());
      Process p =
          new ProcessBuilder(cmd)
              .redirectError(ProcessBuilder.Redirect.to(log.toFile()))
              .start();
      try {
        return new Fakes(p, cpus);
      } catch (IOException | RuntimeException e) {
        p.destroyForcibly();
        throw e;
      }
    }

    KubernetesClient client() {
      Config config =
          new ConfigBuilder(Config.empty())
              .withMasterUrl(masterUrl)
              .withTrustCerts(true)
              .withNamespace("test")
              .withHttp2Disable(true)
              .withOauthToken("secret")
              .build();
      return new KubernetesClientBuilder().withConfig(config).build();
    }

    /** The words after {@code bench-fakes <what>} of the next answer. */
    private String[] answer(String what) throws IOException {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        if (line.startsWith(BenchFakes.PREFIX + what)) {
          String rest = line.substring((BenchFakes.PREFIX + what).length()).trim();
          return rest.isEmpty() ? new String[0] : rest.split(" ");
        }
      }
      throw new IOException("the fakes process ended (see target/scale-bench-fakes.log)");
    }

    private String[] ask(String command, String what) throws IOException {
      in.write(command + "\n");
      in.flush();
      return answer(what);
    }

    void create(int from, int to) throws IOException {
      ask("create " + from + " " + to, "created");
    }

    /** One tick of Kafka traffic for every autoscaler ({@link BenchFakes}). */
    void advance() throws IOException {
      ask("advance", "advanced");
    }

    /** Driver requests served and the fakes' process CPU time (ns) so far. */
    long[] stats() throws IOException {
      String[] w = ask("stats", "stats");
      return new long[] {Long.parseLong(w[0]), Long.parseLong(w[1])};
    }

    @Override
    public void close() throws IOException {
      in.close();
      try {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
  }

  private String run(
      KubernetesClient client,
      int n,
      int warmup,
      int ticks,
      boolean moving,
      Duration interval,
      Fakes fakes,
      boolean jfr)
      throws Exception {
    long heapBefore = heapAfterGc();
    Map<String, String> flags = Fixtures.fastConfig();
    // Ticks are driven by hand below; the loop's own timer would only start the first one.
    flags.put("tick-interval", "1h");
    flags.put("jvm-metrics", "true");
    // The first tick writes every status at once: let the writes through, the benchmark
    // measures the controller, not the default write budget.
    flags.put("kube-writes-per-second", "100000");
    Clock clock = Clock.systemUTC();
    ErrorKinds kinds = new ErrorKinds(new AdapterSignalCollector(new AdapterContext(clock)));
    Operator op = Fixtures.start(client, flags, "bench", clock, kinds);
    Recording recording = null;
    try {
      await()
          .atMost(Duration.ofMinutes(10))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> reconciles(op) >= n && op.controller().running() == 0);
      List<Long> cycles = new ArrayList<>();
      List<Long> cpu = new ArrayList<>();
      List<Long> fakesCpu = new ArrayList<>();
      long next = System.nanoTime();
      long requestsBefore = fakes.stats()[0];
      Map<String, Long> writesBefore = op.writes().writesByKind();
      StringBuilder perTick = new StringBuilder();
      // Warm-up ticks (the adapters learn their first rates, the JIT compiles the hot paths: on
      // one core the C2 compiler competes with the first ticks), then the measured ones.
      for (int t = 0; t < warmup + ticks; t++) {
        if (moving) {
          fakes.advance();
        }
        waitUntil(next);
        if (t == warmup) {
          System.out.printf(
              "scale-bench: N=%d signal errors by kind, start and warm-up:%s%n",
              n, kinds.takeSummary());
        }
        if (t == warmup && jfr) {
          recording = new Recording(Configuration.getConfiguration("profile"));
          recording.start();
        }
        long[] fakes0 = fakes.stats();
        long cpu0 = processCpuNanos();
        long t0 = System.nanoTime();
        op.controller()
            .tickOnContext()
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.MINUTES);
        long t1 = System.nanoTime();
        long cpu1 = processCpuNanos();
        long[] fakes1 = fakes.stats();
        perTick.append(
            String.format(
                " %s%.0f/%.0f/%.0f",
                t < warmup ? "warm-up " : "",
                ms(t1 - t0),
                ms(cpu1 - cpu0),
                ms(fakes1[1] - fakes0[1])));
        if (t >= warmup) {
          cycles.add(t1 - t0);
          cpu.add(cpu1 - cpu0);
          fakesCpu.add(fakes1[1] - fakes0[1]);
        }
        next = t0 + interval.toNanos();
      }
      if (recording != null) {
        recording.stop();
        Path file = Path.of("target", "controller-" + n + ".jfr");
        recording.dump(file);
        System.out.println("scale-bench: JFR recording of the measured ticks in " + file);
      }
      long heapAfter = heapAfterGc();
      Map<String, Long> writesAfter = op.writes().writesByKind();
      StringBuilder writes = new StringBuilder();
      writesAfter.forEach(
          (kind, count) ->
              writes.append(
                  String.format(
                      " %s %.1f",
                      kind, (count - writesBefore.getOrDefault(kind, 0L))
                          / (double) (warmup + ticks))));
      System.out.printf(
          "scale-bench: N=%d ticks (cycle/controller CPU/fakes CPU ms):%s%n", n, perTick);
      System.out.printf(
          "scale-bench: N=%d signal errors by kind, measured ticks:%s%n", n, kinds.takeSummary());
      System.out.printf(
          "scale-bench: N=%d driver requests per tick %.0f, skipped reconciles %d, Kubernetes"
              + " writes per tick:%s%n",
          n,
          (fakes.stats()[0] - requestsBefore) / (double) (warmup + ticks),
          op.controller().skipped(),
          writes);
      return String.format(
          "| %d | %d | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f |",
          n,
          ticks,
          ms(percentile(cycles, 50)),
          ms(percentile(cycles, 99)),
          ms(percentile(cpu, 50)),
          ms(percentile(cpu, 99)),
          ms(percentile(fakesCpu, 50)),
          heapAfter / 1048576.0,
          (heapAfter - heapBefore) / 1048576.0,
          sum(op, MetricNames.SIGNAL_ERRORS_TOTAL),
          sum(op, MetricNames.ACTUATION_ERRORS_TOTAL));
    } finally {
      if (recording != null) {
        recording.close();
      }
      op.close(Duration.ofSeconds(60));
    }
  }

  /**
   * The controller's collector, counting each signal error by its kind: the message with its
   * numbers and quoted names blanked, so that 2,000 autoscalers' timeouts count as one kind.
   */
  private static final class ErrorKinds implements SignalCollector {
    private final SignalCollector delegate;
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    ErrorKinds(SignalCollector delegate) {
      this.delegate = delegate;
    }

    @Override
    public CompletableFuture<Signals> collect(SignalRequest request, Duration deadline) {
      return delegate
          .collect(request, deadline)
          .whenComplete(
              (s, e) -> {
                if (s != null) {
                  s.errors()
                      .forEach(
                          (signal, message) ->
                              counts
                                  .computeIfAbsent(
                                      signal + ": " + message.replaceAll("[0-9]+", "#"),
                                      k -> new LongAdder())
                                  .increment());
                }
              });
    }

    /** The counts so far, most frequent first; counting starts again from zero. */
    String takeSummary() {
      Map<String, Long> taken = new java.util.TreeMap<>();
      counts.keySet().forEach(k -> taken.put(k, counts.remove(k).sum()));
      if (taken.isEmpty()) {
        return " none";
      }
      StringBuilder out = new StringBuilder();
      taken.entrySet().stream()
          .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
          .forEach(e -> out.append(String.format("%n  %6d  %s", e.getValue(), e.getKey())));
      return out.toString();
    }

    @Override
    public void forget(String key) {
      delegate.forget(key);
    }

    @Override
    public void close() {
      delegate.close();
    }
  }

  private static void waitUntil(long nanoTime) {
    long delay = nanoTime - System.nanoTime();
    if (delay > 0) {
      CompletableFuture.runAsync(
              () -> {}, CompletableFuture.delayedExecutor(delay, TimeUnit.NANOSECONDS))
          .join();
    }
  }

  private static double reconciles(Operator op) {
    Double v =
        op.metrics().registry().getSampleValue(MetricNames.RECONCILE_DURATION_SECONDS + "_count");
    return v == null ? 0 : v;
  }

  /** Sum of all series of a counter (its {@code _total} samples). */
  private static double sum(Operator op, String name) {
    double total = 0;
    for (Collector.MetricFamilySamples f :
        Collections.list(op.metrics().registry().metricFamilySamples())) {
      for (Collector.MetricFamilySamples.Sample s : f.samples) {
        if (s.name.equals(name)) {
          total += s.value;
        }
      }
    }
    return total;
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static long heapAfterGc() {
    ManagementFactory.getMemoryMXBean().gc();
    ManagementFactory.getMemoryMXBean().gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static long percentile(List<Long> values, int p) {
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }
}
