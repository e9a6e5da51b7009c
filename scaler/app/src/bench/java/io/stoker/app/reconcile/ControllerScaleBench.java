package io.stoker.app.reconcile;

import io.stoker.adapters.kafka.EmbeddedKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;

import static io.stoker.app.reconcile.Fixtures.NS;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.prometheus.client.Collector;
import io.stoker.adapters.spi.AdapterContext;
import io.stoker.app.k8s.SparkLabels;
import io.stoker.app.k8s.model.ExecutorAutoscalerSpec;
import io.stoker.app.metrics.MetricNames;
import io.stoker.app.signals.AdapterSignalCollector;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Controller scale benchmark (issue 3 item 7), run only with {@code -Pscale-bench}: N autoscalers,
 * each with a Kafka signal (its own consumer group on one real in-JVM KRaft broker) and a Spark
 * signal (a fake driver on one loopback HTTP server serving the recorded samples), reconciled by
 * the real controller ({@link Operator}, {@link AdapterSignalCollector}) against the fabric8 mock
 * API server in CRUD mode. For each N the controller is started afresh and ticked by hand every
 * {@code stoker.bench.interval} (10 s); it prints p50/p99 of the full-tick time, process CPU per
 * tick and heap after GC. Prints figures only; asserts nothing about speed.
 */
@EnableKubernetesMockClient(crud = true)
class ControllerScaleBench {
  private static final String TOPIC = "events";
  private static final int PARTITIONS = 8;

  KubernetesClient client;

  @Test
  void controllerScale() throws Exception {
    int[] sizes =
        Arrays.stream(System.getProperty("stoker.bench.sizes", "100,500,2000").split(","))
            .mapToInt(s -> Integer.parseInt(s.trim()))
            .toArray();
    int ticks = Integer.getInteger("stoker.bench.ticks", 6);
    Duration interval = Duration.parse("PT" + System.getProperty("stoker.bench.interval", "10s"));
    Path samples =
        Path.of(System.getProperty("stoker.bench.samples", "/work/shared/samples/spark"));
    Fixtures.installCrd(client);
    List<String> rows = new ArrayList<>();
    rows.add(
        "| N | ticks | cycle p50 (ms) | cycle p99 (ms) | CPU per tick p50 (ms) | CPU per tick p99"
            + " (ms) | heap after GC, whole JVM (MiB) | of which controller (MiB) | signal errors"
            + " | write errors |");
    rows.add("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    try (EmbeddedKafka kafka = new EmbeddedKafka();
        FakeDrivers drivers =
            new FakeDrivers(samples, Integer.getInteger("stoker.bench.hosts", 50))) {
      kafka.createTopic(TOPIC, PARTITIONS);
      for (int part = 0; part < PARTITIONS; part++) {
        kafka.produce(TOPIC, part, 500);
      }
      int created = 0;
      for (int n : sizes) {
        long setup = System.nanoTime();
        create(kafka, drivers, created, n);
        created = n;
        System.out.printf(
            "scale-bench: %d autoscalers set up in %.1f s%n", n, (System.nanoTime() - setup) / 1e9);
        rows.add(run(n, ticks, interval, drivers));
        System.out.println(rows.get(rows.size() - 1));
      }
    }
    String table = String.join("\n", rows) + "\n";
    System.out.println("scale-bench results\n" + table);
    Path out = Path.of("target", "scale-bench.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, table, StandardCharsets.UTF_8);
  }

  /** Commits {@code offset} on every partition for each group (groups without members). */
  private static void commit(Admin admin, List<String> groups, long offset) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> m = new HashMap<>();
    for (int part = 0; part < PARTITIONS; part++) {
      m.put(new TopicPartition(TOPIC, part), new OffsetAndMetadata(offset));
    }
    List<KafkaFuture<Void>> pending = new ArrayList<>();
    for (String group : groups) {
      pending.add(admin.alterConsumerGroupOffsets(group, m).all());
      if (pending.size() == 200) {
        KafkaFuture.allOf(pending.toArray(KafkaFuture[]::new)).get();
        pending.clear();
      }
    }
    KafkaFuture.allOf(pending.toArray(KafkaFuture[]::new)).get();
  }

  /** Autoscalers {@code from} .. {@code to - 1}: consumer group, driver, executor, autoscaler. */
  private void create(EmbeddedKafka kafka, FakeDrivers drivers, int from, int to) throws Exception {
    List<String> groups = new ArrayList<>();
    for (int i = from; i < to; i++) {
      groups.add(group(i));
    }
    // 100 records behind on each partition: a steady backlog, every group reads the same topic.
    commit(kafka.admin(), groups, 400);
    for (int i = from; i < to; i++) {
      String app = "a" + i;
      client.pods().resource(driverPod(app, drivers.host(i))).create();
      client.pods().resource(executorPod(app)).create();
      ExecutorAutoscalerSpec s = Fixtures.spec(app);
      s.signals.kafka.bootstrapServers = kafka.bootstrap();
      s.signals.kafka.consumerGroup = group(i);
      s.signals.kafka.topics = List.of(TOPIC);
      s.signals.spark = new ExecutorAutoscalerSpec.SparkSignal();
      s.signals.spark.port = drivers.port(i);
      s.signals.spark.path = FakeDrivers.driverPath(i);
      Fixtures.create(client, app, s);
    }
  }

  private static String group(int i) {
    return "bench-group-" + i;
  }

  private String run(int n, int ticks, Duration interval, FakeDrivers drivers) throws Exception {
    long heapBefore = heapAfterGc();
    Map<String, String> flags = Fixtures.fastConfig();
    // Ticks are driven by hand below; the loop's own timer would only start the first one.
    flags.put("tick-interval", "1h");
    flags.put("jvm-metrics", "true");
    // The first tick writes every status at once: let the writes through, the benchmark
    // measures the controller, not the default write budget.
    flags.put("kube-writes-per-second", "100000");
    Clock clock = Clock.systemUTC();
    Operator op =
        Fixtures.start(
            client, flags, "bench", clock, new AdapterSignalCollector(new AdapterContext(clock)));
    try {
      await()
          .atMost(Duration.ofMinutes(10))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> reconciles(op) >= n && op.controller().running() == 0);
      List<Long> cycles = new ArrayList<>();
      List<Long> cpu = new ArrayList<>();
      long next = System.nanoTime();
      long requestsBefore = drivers.requests();
      Map<String, Long> writesBefore = op.writes().writesByKind();
      // One warm-up tick (the adapters learn their first rates), then the measured ones.
      for (int t = 0; t <= ticks; t++) {
        waitUntil(next);
        long cpu0 = processCpuNanos();
        long t0 = System.nanoTime();
        op.controller()
            .tickOnContext()
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.MINUTES);
        long t1 = System.nanoTime();
        long cpu1 = processCpuNanos();
        if (t > 0) {
          cycles.add(t1 - t0);
          cpu.add(cpu1 - cpu0);
        }
        next = t0 + interval.toNanos();
      }
      long heapAfter = heapAfterGc();
      Map<String, Long> writesAfter = op.writes().writesByKind();
      StringBuilder writes = new StringBuilder();
      writesAfter.forEach(
          (kind, count) ->
              writes.append(
                  String.format(
                      " %s %.1f",
                      kind, (count - writesBefore.getOrDefault(kind, 0L)) / (double) (ticks + 1))));
      System.out.printf(
          "scale-bench: N=%d driver requests per tick %.0f, skipped reconciles %d, Kubernetes"
              + " writes per tick:%s%n",
          n,
          (drivers.requests() - requestsBefore) / (double) (ticks + 1),
          op.controller().skipped(),
          writes);
      return String.format(
          "| %d | %d | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f |",
          n,
          ticks,
          ms(percentile(cycles, 50)),
          ms(percentile(cycles, 99)),
          ms(percentile(cpu, 50)),
          ms(percentile(cpu, 99)),
          heapAfter / 1048576.0,
          (heapAfter - heapBefore) / 1048576.0,
          sum(op, MetricNames.SIGNAL_ERRORS_TOTAL),
          sum(op, MetricNames.ACTUATION_ERRORS_TOTAL));
    } finally {
      op.close(Duration.ofSeconds(60));
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

  private static Pod driverPod(String app, String ip) {
    return new PodBuilder()
        .withNewMetadata()
        .withNamespace(NS)
        .withName(app + "-driver")
        .addToLabels(SparkLabels.ROLE, SparkLabels.DRIVER)
        .addToLabels(SparkLabels.APP_SELECTOR, "spark-" + app)
        .addToLabels("app", app)
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("spark-kubernetes-driver")
        .withImage("spark")
        .endContainer()
        .endSpec()
        .withNewStatus()
        .withPhase("Running")
        .withPodIP(ip)
        .endStatus()
        .build();
  }

  private static Pod executorPod(String app) {
    return new PodBuilder()
        .withNewMetadata()
        .withNamespace(NS)
        .withName(app + "-exec-1")
        .addToLabels(SparkLabels.ROLE, SparkLabels.EXECUTOR)
        .addToLabels(SparkLabels.APP_SELECTOR, "spark-" + app)
        .addToLabels("spark-exec-id", "1")
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("spark-kubernetes-executor")
        .withImage("spark")
        .withEnv(new EnvVarBuilder().withName("SPARK_EXECUTOR_CORES").withValue("4").build())
        .endContainer()
        .endSpec()
        .withNewStatus()
        .withPhase("Running")
        .addNewCondition()
        .withType("Ready")
        .withStatus("True")
        .endCondition()
        .endStatus()
        .build();
  }
}
