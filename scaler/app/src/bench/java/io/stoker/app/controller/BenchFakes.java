package io.stoker.app.controller;

import io.stoker.adapters.kafka.EmbeddedKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;

import static io.stoker.app.controller.Fixtures.NS;

import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.stoker.app.k8s.SparkLabels;
import io.stoker.app.k8s.model.ExecutorAutoscalerSpec;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;

/**
 * What the controller talks to in the scale benchmark, in a process of its own (started by {@link
 * ControllerScaleBench} on another core, so the controller's core is the controller's alone): the
 * fabric8 mock API server in CRUD mode, one real KRaft broker with one topic and a consumer group
 * per autoscaler, and the fake Spark drivers ({@link FakeDrivers}). In a cluster these are the
 * API server, Kafka and the drivers, on other machines.
 *
 * <p>Protocol on stdin/stdout, one line each (answers start with {@code bench-fakes }; anything
 * else on stdout is a library's and ignored):
 *
 * <ul>
 *   <li>at start: {@code bench-fakes ready <master-url>};
 *   <li>{@code create <from> <to>}: autoscalers from .. to-1 (group, driver and executor pod,
 *       autoscaler) → {@code bench-fakes created <to>};
 *   <li>{@code advance}: one tick of traffic for every autoscaler created: {@link #PER_TICK}
 *       records more on each partition, and each group's committed offsets moved along so that its
 *       lag alternates between 100 and 125 records a partition (lag and rates move as in a live
 *       cluster, so statuses are refreshed) → {@code bench-fakes advanced <round>};
 *   <li>{@code stats} → {@code bench-fakes stats <driver requests> <process CPU ns>};
 *   <li>end of input: everything is closed and the process exits.
 * </ul>
 *
 * <p>Argument: the number of driver addresses.
 */
public final class BenchFakes {
  static final String PREFIX = "bench-fakes ";
  private static final String TOPIC = "events";
  private static final int PARTITIONS = 8;
  private static final int START = 500;
  static final int PER_TICK = 50;

  private final KubernetesClient client;
  private final EmbeddedKafka kafka;
  private final FakeDrivers drivers;
  private int created;
  private int round;

  private BenchFakes(KubernetesClient client, EmbeddedKafka kafka, FakeDrivers drivers) {
    this.client = client;
    this.kafka = kafka;
    this.drivers = drivers;
  }

  // Serialization.jsonMapper(): the mapper KubernetesMockServerExtension gives the mock server.
  @SuppressWarnings("deprecation")
  public static void main(String[] args) throws Exception {
    int hosts = Integer.parseInt(args[0]);
    // Protocol lines go to the real stdout; libraries that print go to stderr.
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    System.setOut(System.err);
    Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    KubernetesMockServer server =
        new KubernetesMockServer(
            new Context(Serialization.jsonMapper()),
            new MockWebServer(),
            responses,
            new KubernetesMixedDispatcher(responses),
            false);
    server.init();
    try (KubernetesClient client = server.createClient();
        EmbeddedKafka kafka = new EmbeddedKafka();
        FakeDrivers drivers = new FakeDrivers(hosts)) {
      Fixtures.installCrd(client);
      kafka.createTopic(TOPIC, PARTITIONS);
      for (int part = 0; part < PARTITIONS; part++) {
        kafka.produce(TOPIC, part, START);
      }
      BenchFakes fakes = new BenchFakes(client, kafka, drivers);
      out.println(PREFIX + "ready " + client.getConfiguration().getMasterUrl());
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        String[] w = line.trim().split(" ");
        if (w[0].equals("create")) {
          int to = Integer.parseInt(w[2]);
          fakes.create(Integer.parseInt(w[1]), to);
          out.println(PREFIX + "created " + to);
        } else if (w[0].equals("advance")) {
          out.println(PREFIX + "advanced " + fakes.advance());
        } else if (w[0].equals("stats")) {
          out.println(PREFIX + "stats " + drivers.requests() + " " + processCpuNanos());
        }
      }
    } finally {
      server.destroy();
    }
  }

  static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** Autoscalers {@code from} .. {@code to - 1}: consumer group, driver, executor, autoscaler. */
  private void create(int from, int to) throws Exception {
    List<String> groups = new ArrayList<>();
    for (int i = from; i < to; i++) {
      groups.add(group(i));
    }
    // 100 records behind on each partition: a steady backlog, every group reads the same topic.
    commit(kafka.admin(), groups, START + (long) PER_TICK * round - 100);
    created = to;
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

  /** One tick of traffic: records arrive on every partition, every group consumes some. */
  private int advance() throws Exception {
    round++;
    for (int part = 0; part < PARTITIONS; part++) {
      kafka.produce(TOPIC, part, PER_TICK);
    }
    List<String> groups = new ArrayList<>();
    for (int i = 0; i < created; i++) {
      groups.add(group(i));
    }
    long end = START + (long) PER_TICK * round;
    commit(kafka.admin(), groups, end - (round % 2 == 0 ? 100 : 125));
    return round;
  }

  private static String group(int i) {
    return "bench-group-" + i;
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
