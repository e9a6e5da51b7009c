package io.stoker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.stoker.adapters.kafka.EmbeddedKafka;
import io.stoker.app.controller.Operator;
import io.stoker.app.k8s.model.ExecutorAutoscalerSpec;
import io.stoker.app.k8s.model.ExecutorAutoscalerStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Spark's own Kubernetes scheduler backend on a real API server: a real Spark 4.1 driver (its own
 * JVM, client mode, master {@code k8s://https://127.0.0.1:<port>}) with its driver Pod object
 * ({@code spark.kubernetes.driver.pod.name}, so its executor pods are owned by it) runs a
 * Structured Streaming query from a real Kafka broker to a second topic, with the Stoker plugin.
 * Spark creates, watches and deletes its executor pods through the API server as on a cluster; the
 * real kube-scheduler binds them to a Node, and {@link ExecutorNodeAgent} plays the kubelet of that
 * Node: it runs each bound executor pod's container command (Spark's {@code
 * KubernetesExecutorBackend}) as a local JVM and reports its status. The controller (this JVM, only
 * the Helm chart's ServiceAccount token, audited) counts those pods and writes the target on the
 * driver pod.
 *
 * <p>A burst scales out through the plugin (Spark creates executor pods, they are bound, started
 * and register), the backlog drains, and after the scale-down window the plugin decommissions the
 * surplus executors, except the one holding a cached RDD block: they finish their work and exit,
 * and Spark deletes exactly their pods and creates none in their place. Every input record reaches
 * the output topic.
 */
class NativeSparkOnKubernetesE2E {
  private static final String NS = "streaming";
  private static final String APP = "clicks";
  private static final String TOPIC = "clicks";
  private static final String OUT = "clicks-out";
  private static final String GROUP = "clicks-stoker";
  private static final String NODE = "executor-node-0";
  private static final int PARTITIONS = 3;
  private static final Duration TICK = Duration.ofSeconds(2);
  private static final Duration SCALE_DOWN_WINDOW = Duration.ofSeconds(15);
  private static final ObjectMapper JSON = new ObjectMapper();

  private static ControlPlane cp;
  private static KubernetesClient admin;
  private static EmbeddedKafka kafka;
  private static Path work;
  private static ExecutorNodeAgent agent;
  private static Watch podWatch;
  private static SparkDriverProcess driver;
  private static KubernetesClient controllerClient;
  private static Operator controller;
  private static final ApiAudit AUDIT = new ApiAudit();
  private static SparkPods pods;
  private static StreamingAppProbe probe;
  private static int uiPort;

  /** Executor pods as the test saw them: name -> when created / when removed. */
  private static final Map<String, Instant> CREATED = new ConcurrentHashMap<>();

  private static final Map<String, Instant> REMOVED = new ConcurrentHashMap<>();

  @BeforeAll
  static void start() throws Exception {
    // JUnit runs @AfterAll also when this fails: stop() closes whatever was started.
    cp = ControlPlane.start();
    admin = cp.adminClient();
    ChartInstall chart = ChartInstall.install(admin, Map.of());
    kafka = new EmbeddedKafka();
    kafka.createTopic(TOPIC, PARTITIONS);
    kafka.createTopic(OUT, PARTITIONS);
    SparkPods.namespace(admin, NS);
    pods = new SparkPods(admin, NS, APP);
    work = Files.createTempDirectory("stoker-e2e-native-spark");
    // One Node with room for the driver's three executors at most (1 CPU, 896Mi each).
    agent =
        ExecutorNodeAgent.start(
            admin, NS, NODE, "4", "4Gi", 20, SparkDriverProcess.imageClasspath());
    // The real kube-scheduler binds Spark's executor pods to a Node with room for them; the
    // node-lifecycle controller watches the Node's heartbeats (and taints it if they stop).
    cp.startScheduler();
    cp.startControllerManager(List.of("node-lifecycle-controller"), Duration.ofSeconds(15));
    podWatch = watchExecutorPods();
    // The driver's Pod object, labelled with the application id the driver is given.
    // The driver runs on the agent's machine: its pod is bound there, so kube-scheduler leaves
    // it alone (the agent runs only executor pods).
    pods.driverOn(NODE, "127.0.0.1", Map.of("stoker.io/target-executors", "1"));
    uiPort = Loopback.freePort();
    driver =
        SparkDriverProcess.start(
            sparkSettings(uiPort, driverCredentials()),
            Map.of("KUBECONFIG", work.resolve("kubeconfig").toString()));
    probe = new StreamingAppProbe(admin, pods, NS, APP, driver.ui, kafka, TOPIC, GROUP, PARTITIONS);
    controllerClient = cp.clientWithToken(chart.token(), AUDIT);
    controller =
        InProcessController.start(
            controllerClient,
            "stoker-0",
            InProcessController.flags(
                Map.of("namespace", NS, "tick-interval", TICK.toMillis() + "ms")));
  }

  @AfterAll
  static void stop() throws Exception {
    Closing.all(
        controller == null ? null : () -> controller.close(Duration.ofSeconds(10)),
        controllerClient,
        driver,
        podWatch == null ? null : podWatch::close,
        agent,
        kafka,
        admin,
        cp,
        work == null ? null : () -> deleteTree(work));
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }

  private static Watch watchExecutorPods() {
    return admin
        .pods()
        .inNamespace(NS)
        .withLabel("spark-role", "executor")
        .watch(
            new Watcher<>() {
              @Override
              public void eventReceived(Action action, Pod pod) {
                String name = pod.getMetadata().getName();
                if (action == Action.ADDED) {
                  CREATED.putIfAbsent(name, Instant.now());
                } else if (action == Action.DELETED) {
                  REMOVED.putIfAbsent(name, Instant.now());
                }
              }

              @Override
              public void onClose(WatcherException cause) {}
            });
  }

  private static Map<String, String> sparkSettings(int port, Map<String, String> credentials) {
    Map<String, String> s = new HashMap<>();
    s.put("spark.master", "k8s://" + cp.server());
    s.put("spark.submit.deployMode", "client");
    s.put("spark.app.name", APP);
    // The id the driver pod's spark-app-selector label carries (spark-submit sets both in cluster
    // mode); Spark labels its executor pods with it, and the controller finds them by it.
    s.put("spark.app.id", pods.appId());
    s.put("spark.kubernetes.namespace", NS);
    s.put("spark.kubernetes.driver.pod.name", pods.driverName());
    s.put("spark.kubernetes.executor.podNamePrefix", APP);
    // Never pulled: the node agent runs the class path an image would hold.
    s.put("spark.kubernetes.container.image", "apache/spark:4.1.1");
    s.putAll(credentials);
    s.put("spark.executor.instances", "1");
    s.put("spark.kubernetes.allocation.batch.delay", "500ms");
    s.put("spark.local.dir", work.resolve("spark-local").toString());
    s.put("spark.plugins", "io.stoker.spark.StokerPlugin");
    s.put("spark.dynamicAllocation.enabled", "false");
    s.put("spark.decommission.enabled", "true");
    s.put("spark.metrics.namespace", APP);
    s.put(
        "spark.metrics.conf.*.sink.prometheusServlet.class",
        "org.apache.spark.metrics.sink.PrometheusServlet");
    s.put("spark.metrics.conf.*.sink.prometheusServlet.path", "/metrics/prometheus");
    s.put("spark.sql.streaming.metricsEnabled", "true");
    s.put("spark.driver.host", "127.0.0.1");
    s.put("spark.driver.bindAddress", "127.0.0.1");
    s.put("spark.ui.port", String.valueOf(port));
    s.put("spark.ui.showConsoleProgress", "false");
    s.put("spark.sql.shuffle.partitions", "2");
    s.put("spark.executor.cores", "1");
    s.put("spark.executor.memory", "512m");
    s.put("spark.executor.extraJavaOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC");
    s.put("spark.stoker.kubernetes.backoff.initial", "200ms");
    s.put("spark.stoker.kubernetes.backoff.max", "2s");
    s.put("spark.stoker.kubernetes.resyncInterval", "5s");
    s.put("spark.stoker.reconcileInterval", "250ms");
    s.put("spark.stoker.kafka.commitGroup", GROUP);
    s.put("spark.stoker.kafka.bootstrapServers", kafka.bootstrap());
    // 2 ms of work per record, 500 records per partition and batch: one executor drains ~500
    // records/s, three ~1500/s.
    s.put("stoker.e2e.bootstrap", kafka.bootstrap());
    s.put("stoker.e2e.topic", TOPIC);
    s.put("stoker.e2e.outputTopic", OUT);
    s.put("stoker.e2e.checkpoint", work.resolve("checkpoint").toString());
    s.put("stoker.e2e.recordCostMicros", "2000");
    s.put("stoker.e2e.maxOffsetsPerTrigger", String.valueOf(500 * PARTITIONS));
    return s;
  }

  /**
   * The driver's ServiceAccount with what Spark's Kubernetes backend and the plugin need in the
   * namespace (executor pods: create, watch, list, delete, label; the executor ConfigMap; the
   * clean-up of services and claims at stop), as the token file and CA Spark's client mode reads
   * ({@code spark.kubernetes.authenticate.*}) and as a kubeconfig for the plugin (KUBECONFIG). Both
   * trust the API server's own certificate, no "insecure" TLS.
   */
  private static Map<String, String> driverCredentials() throws IOException {
    WorkloadIdentity driver =
        WorkloadIdentity.grant(
            admin,
            NS,
            "spark-driver",
            "spark-driver",
            new PolicyRuleBuilder()
                .withApiGroups("")
                .withResources("pods")
                .withVerbs("get", "list", "watch", "create", "patch", "delete", "deletecollection")
                .build(),
            new PolicyRuleBuilder()
                .withApiGroups("")
                .withResources("configmaps")
                .withVerbs("get", "list", "create", "delete", "deletecollection")
                .build(),
            new PolicyRuleBuilder()
                .withApiGroups("")
                .withResources("services", "persistentvolumeclaims")
                .withVerbs("get", "list", "delete", "deletecollection")
                .build());
    Path tokenFile = WorkloadIdentity.privateFile(work, "token", driver.token());
    WorkloadIdentity.privateFile(work, "kubeconfig", driver.kubeconfig(cp));
    return Map.of(
        "spark.kubernetes.authenticate.oauthTokenFile", tokenFile.toString(),
        "spark.kubernetes.authenticate.caCertFile", cp.caCertificate().toString());
  }

  private static ExecutorAutoscalerSpec spec(int port) {
    return Autoscalers.onSparkDriver(
        APP, kafka.bootstrap(), GROUP, TOPIC, PARTITIONS, port, SCALE_DOWN_WINDOW);
  }

  private static Optional<ExecutorAutoscalerStatus> status() {
    return probe.status();
  }

  private static boolean metricsAvailable() {
    return probe.metricsAvailable();
  }

  private static int desired() {
    return probe.desired();
  }

  private static int annotation() {
    return probe.annotation();
  }

  private static String get(String path) throws IOException, InterruptedException {
    return probe.get(path);
  }

  private static double pluginGauge(String gauge) throws IOException, InterruptedException {
    return probe.pluginGauge(gauge);
  }

  /** Every executor the driver has had (REST API {@code allexecutors}), by id. */
  private static Map<String, JsonNode> allExecutors() throws IOException, InterruptedException {
    Map<String, JsonNode> m = new HashMap<>();
    for (JsonNode e :
        JSON.readTree(get("/api/v1/applications/" + driver.appId + "/allexecutors"))) {
      String id = e.path("id").asText();
      if (!id.equals("driver")) {
        m.put(id, e);
      }
    }
    return m;
  }

  private static Set<String> liveExecutors() throws IOException, InterruptedException {
    return allExecutors().entrySet().stream()
        .filter(e -> e.getValue().path("isActive").asBoolean())
        .map(Map.Entry::getKey)
        .collect(Collectors.toSet());
  }

  /** Executor pods on the API server that are Running and Ready (what the controller counts). */
  private static List<Pod> readyExecutorPods() {
    return admin
        .pods()
        .inNamespace(NS)
        .withLabel("spark-role", "executor")
        .list()
        .getItems()
        .stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .filter(p -> "Running".equals(p.getStatus().getPhase()))
        .filter(
            p ->
                p.getStatus().getConditions().stream()
                    .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())))
        .toList();
  }

  private static long[] endOffsets(String topic) throws Exception {
    return probe.endOffsets(topic);
  }

  private static long lag() throws Exception {
    return probe.lag();
  }

  private static void awaitExecutors(int n, Duration atMost) {
    await("executors = " + n + " (registered with the driver, pods Running and Ready, JVMs)")
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .until(
            () ->
                liveExecutors().size() == n
                    && readyExecutorPods().size() == n
                    && agent.runningCount() == n
                    && pluginGauge("appliedTargetExecutors") == n
                    && pluginGauge("decommissioningExecutors") == 0);
  }

  @Test
  void burstScalesOutWithExecutorPodsAndScaleInDeletesExactlyTheDecommissionedPods()
      throws Exception {
    try {
      scenario();
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError(
          e.getMessage()
              + "\n--- driver log:\n"
              + driver.log()
              + "\n--- executors:\n"
              + agent.logs()
              + "\nagent error: "
              + agent.lastError(),
          e);
    }
  }

  private void scenario() throws Exception {
    steadyAtOneExecutorWithAMeasuredRate();

    // Burst: 24000 records, ~48 s of work for one executor.
    for (int p = 0; p < PARTITIONS; p++) {
      kafka.produce(TOPIC, p, 8000);
    }
    Instant burst = Instant.now();
    // What happened before the burst (an executor may have come and gone while the controller
    // settled after the warm-up) is left out of the scale-in's accounting.
    Baseline before =
        new Baseline(
            Set.copyOf(REMOVED.keySet()),
            decommissionedExecutors(),
            pluginGauge("scaleDownExecutorsTotal"));
    // How fast the controller answers is SparkScalingE2E's and the latency benchmark's concern;
    // here a busy machine may take a few ticks (a run with a load average of 10 took 6 s).
    await("desired executors rise")
        .atMost(TICK.multipliedBy(10))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> desired() > 1);
    Duration toDecision = Duration.between(burst, Instant.now());
    await("the annotation is written on the driver pod")
        .atMost(TICK.multipliedBy(5))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> annotation() > 1);

    // Spark creates executor pods, they are bound and started, and register with the driver.
    await("new executor pods run and register")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .until(() -> liveExecutors().size() > 1 && readyExecutorPods().size() > 1);
    Duration toExecutors = Duration.between(burst, Instant.now());
    int peak = annotation();
    awaitExecutors(peak, Duration.ofSeconds(90));
    Set<String> podsAtPeak =
        readyExecutorPods().stream().map(p -> p.getMetadata().getName()).collect(toSet());
    Instant lastScaleUp = Instant.parse(status().orElseThrow().lastScaleTime);
    // The fleet is held at its peak (spec.minExecutors) until an RDD block is cached on the newest
    // executor: only once the backlog is gone is that executor idle, so that the block's task
    // runs there rather than on whichever executor is free when the locality wait ends (a run
    // put it on the oldest), and the scale-in must not start before the block is there.
    setMinExecutors(peak);
    await("the lag drains")
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .until(() -> lag() == 0);
    String cachedOn = cacheOnTheNewestExecutor();
    setMinExecutors(1);
    await("scale-in to minExecutors")
        .atMost(SCALE_DOWN_WINDOW.plusSeconds(60))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> annotation() == 1);
    Instant scaleIn = Instant.now();
    theControllerNamedTheExecutorsToRemove(podsAtPeak);
    assertThat(Duration.between(lastScaleUp, scaleIn))
        .as("scale-in waits for the stabilisation window after the last scale-up")
        .isGreaterThanOrEqualTo(SCALE_DOWN_WINDOW);
    awaitExecutors(1, Duration.ofSeconds(90));
    Duration toScaleIn = Duration.between(scaleIn, Instant.now());

    onlyTheDecommissionedPodsAreDeleted(before, peak, podsAtPeak, scaleIn, cachedOn);
    Duration evicted = aDeletedExecutorPodDecommissionsWithinItsGracePeriodAndIsReplaced(cachedOn);
    int[] records = everyRecordReachesTheOutput();
    assertThat(AUDIT.unexpected()).as("calls refused (RBAC) or malformed").isEmpty();
    assertThat(admin.nodes().withName(NODE).get().getSpec().getTaints())
        .as(
            "the node lifecycle controller found the agent's heartbeats: the Node was never tainted")
        .isNullOrEmpty();
    System.out.printf(
        "NativeSparkOnKubernetesE2E: burst -> desired %d in %d ms, more executors registered after"
            + " %d ms; peak %d executor pods; scale-in %d s after the last scale-up, down to 1"
            + " executor %d ms after the annotation; pods started %d, deleted %s; a pod deleted with"
            + " grace 30 s gone after %d ms; records in %d, out %d (%d duplicates)%n",
        peak,
        toDecision.toMillis(),
        toExecutors.toMillis(),
        peak,
        Duration.between(lastScaleUp, scaleIn).toSeconds(),
        toScaleIn.toMillis(),
        agent.startedPods().size(),
        removedSince(before),
        evicted.toMillis(),
        records[0],
        records[1],
        records[1] - records[2]);
  }

  private void steadyAtOneExecutorWithAMeasuredRate() throws Exception {
    // Spark's first executor: a pod Spark creates, bound to the Node, started by the agent.
    awaitExecutors(1, Duration.ofSeconds(120));
    Pod first = readyExecutorPods().get(0);
    assertThat(first.getSpec().getNodeName()).isEqualTo(NODE);
    assertThat(first.getMetadata().getOwnerReferences())
        .as("executor pods are owned by the driver pod")
        .anyMatch(o -> o.getName().equals(pods.driverName()) && o.getKind().equals("Pod"));

    // Warm-up capped at one executor: the controller measures what one executor processes.
    ExecutorAutoscalerSpec warmUp = spec(uiPort);
    warmUp.maxExecutors = 1;
    Autoscalers.create(admin, NS, APP, warmUp);
    for (int p = 0; p < PARTITIONS; p++) {
      kafka.produce(TOPIC, p, 1500);
    }
    await("the executor rate is measured and the warm-up backlog drained")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .until(
            () ->
                lag() == 0
                    && status()
                        .map(st -> st.executorRate != null && st.executorRate > 0)
                        .orElse(false));
    // a merge patch without a resourceVersion: the controller's status writes would make an
    // edit of the version read conflict (409)
    Autoscalers.editSpec(admin, NS, APP, spec -> spec.maxExecutors = PARTITIONS);
    await("the controller sees the app, steady at one executor")
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () ->
                metricsAvailable()
                    && desired() == 1
                    && annotation() == 1
                    && status()
                        .map(
                            st ->
                                st.arrivalRate != null
                                    && st.executorRate != null
                                    && st.arrivalRate < 0.5 * st.executorRate)
                        .orElse(false));
    // ... and the fleet is at one: executors the controller added and removed while it settled
    // (it may forecast from the warm-up's arrivals) have left and their pods are gone.
    awaitExecutors(1, Duration.ofSeconds(90));
    await("executor pods of earlier scale-ins are removed")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> CREATED.size() - REMOVED.size() == 1);
  }

  private static void setMinExecutors(int n) {
    // a merge patch without a resourceVersion: the controller's status writes would make an
    // edit of the version read conflict (409)
    Autoscalers.editSpec(admin, NS, APP, spec -> spec.minExecutors = n);
  }

  /**
   * Caches an RDD block on the newest executor, the one the plugin removes first when all are idle
   * and hold nothing (newest first), and returns its id.
   */
  private static String cacheOnTheNewestExecutor() throws Exception {
    String newest =
        liveExecutors().stream().max(java.util.Comparator.comparingInt(Integer::parseInt)).get();
    driver.send("cache " + ExecutorNodeAgent.POD_IP + " " + newest);
    await("an RDD block is cached on executor " + newest)
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .until(() -> !blockHolders().isEmpty());
    assertThat(blockHolders()).as("executors holding cached RDD blocks").containsExactly(newest);
    return newest;
  }

  private static Set<String> blockHolders() throws Exception {
    return allExecutors().entrySet().stream()
        .filter(e -> e.getValue().path("isActive").asBoolean())
        .filter(e -> e.getValue().path("rddBlocks").asInt() > 0)
        .map(Map.Entry::getKey)
        .collect(toSet());
  }

  /**
   * With the lower target the controller wrote {@code stoker.io/preferred-executors}: ids of the
   * executor pods Spark created, read from their {@code spark-exec-id} labels and the node
   * kube-scheduler bound them to. One node here, so the order is newest first.
   */
  private static void theControllerNamedTheExecutorsToRemove(Set<String> podsAtPeak) {
    Map<String, String> a =
        admin
            .pods()
            .inNamespace(NS)
            .withName(pods.driverName())
            .get()
            .getMetadata()
            .getAnnotations();
    String preferred = a == null ? null : a.get("stoker.io/preferred-executors");
    assertThat(preferred).as("stoker.io/preferred-executors after the scale-in").isNotBlank();
    List<Long> ids = java.util.Arrays.stream(preferred.split(",")).map(Long::valueOf).toList();
    assertThat(ids.stream().map(id -> APP + "-exec-" + id).toList())
        .as("preferred executors %s, pods at the peak %s", preferred, podsAtPeak)
        .isSubsetOf(podsAtPeak);
    assertThat(ids)
        .as("newest first on the one node")
        .isSortedAccordingTo(Comparator.reverseOrder());
  }

  /** Executor pods removed, executors decommissioned and the plugin's count at the burst. */
  private record Baseline(Set<String> removedPods, Set<String> decommissioned, double scaleDowns) {}

  /** The executors the plugin decommissioned, as the driver recorded their removal. */
  private static Set<String> decommissionedExecutors() throws Exception {
    return allExecutors().entrySet().stream()
        .filter(e -> !e.getValue().path("isActive").asBoolean())
        .filter(e -> e.getValue().path("removeReason").asText().contains("stoker scale down"))
        .map(Map.Entry::getKey)
        .collect(toSet());
  }

  /** Executor pods removed since the burst. */
  private static Set<String> removedSince(Baseline before) {
    Set<String> removed = new TreeSet<>(REMOVED.keySet());
    removed.removeAll(before.removedPods());
    return removed;
  }

  private void onlyTheDecommissionedPodsAreDeleted(
      Baseline before, int peak, Set<String> podsAtPeak, Instant scaleIn, String cachedOn)
      throws Exception {
    Set<String> decommissioned = decommissionedExecutors();
    decommissioned.removeAll(before.decommissioned());
    assertThat(decommissioned).hasSize(peak - 1).doesNotContain(cachedOn);
    assertThat(pluginGauge("scaleDownExecutorsTotal") - before.scaleDowns()).isEqualTo(peak - 1.0);
    Set<String> decommissionedPods =
        decommissioned.stream().map(id -> APP + "-exec-" + id).collect(toSet());
    // Spark deletes exactly their pods, and creates none in their place.
    await("Spark removes the decommissioned executors' pods and no other")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> removedSince(before).containsAll(decommissionedPods));
    await("no executor pod is created in their place")
        .during(Duration.ofSeconds(10))
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(250))
        .until(
            () ->
                CREATED.values().stream().noneMatch(t -> t.isAfter(scaleIn))
                    && readyExecutorPods().size() == 1);
    assertThat(removedSince(before)).isEqualTo(decommissionedPods);
    assertThat(podsAtPeak).containsAll(decommissionedPods);
    Set<String> remaining = new TreeSet<>(podsAtPeak);
    remaining.removeAll(decommissionedPods);
    assertThat(readyExecutorPods())
        .extracting(p -> p.getMetadata().getName())
        .as("the executor holding cached data stays")
        .containsExactlyElementsOf(remaining)
        .containsExactly(APP + "-exec-" + cachedOn);
    // Gracefully: each decommissioned executor finished and exited by itself (0) before Spark
    // deleted its pod; none was signalled or killed.
    assertThat(agent.terminations())
        .filteredOn(t -> decommissionedPods.contains(t.pod()))
        .hasSize(decommissionedPods.size())
        .allSatisfy(
            t -> {
              assertThat(t.exitCode()).as(t.toString()).isZero();
              assertThat(t.exitedBeforeDeletion()).as(t.toString()).isTrue();
            });
  }

  /**
   * The cluster deletes an executor pod (as a drain or a preemption does, grace 30 s): the node
   * agent runs its preStop hook, Spark's decommission script, so the executor decommissions itself
   * and exits before the grace period ends; Spark, still wanting one executor, creates another pod.
   * Returns how long the pod took to go.
   */
  private static Duration aDeletedExecutorPodDecommissionsWithinItsGracePeriodAndIsReplaced(
      String execId) throws Exception {
    String pod = APP + "-exec-" + execId;
    Instant deleted = Instant.now();
    admin.pods().inNamespace(NS).withName(pod).withGracePeriod(30).delete();
    await("the deleted pod goes and Spark replaces its executor")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(250))
        .ignoreExceptions()
        .until(
            () ->
                REMOVED.containsKey(pod)
                    && !liveExecutors().contains(execId)
                    && liveExecutors().size() == 1
                    && readyExecutorPods().size() == 1);
    Duration gone = Duration.between(deleted, REMOVED.get(pod));
    assertThat(allExecutors().get(execId).path("removeReason").asText())
        .as("why the driver says executor %s left", execId)
        .containsIgnoringCase("decommission");
    assertThat(agent.terminations())
        .filteredOn(t -> t.pod().equals(pod))
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.exitCode()).as(t.toString()).isZero();
              assertThat(t.how()).as(t.toString()).isEqualTo("SIGPWR (preStop)");
            });
    assertThat(gone).isLessThan(Duration.ofSeconds(30));
    return gone;
  }

  /** Input records, output records, distinct output records. */
  private int[] everyRecordReachesTheOutput() throws Exception {
    // No record lost: every input record (partition:offset) is in the output topic.
    long[] in = endOffsets(TOPIC);
    Set<String> expected = new HashSet<>();
    for (int p = 0; p < PARTITIONS; p++) {
      for (long o = 0; o < in[p]; o++) {
        expected.add(p + ":" + o);
      }
    }
    List<String> out = readAll(OUT);
    Set<String> distinct = new HashSet<>(out);
    Set<String> missing = new TreeSet<>(expected);
    missing.removeAll(distinct);
    assertThat(missing).as("input records missing from the output").isEmpty();
    assertThat(distinct).isEqualTo(expected);
    return new int[] {expected.size(), out.size(), distinct.size()};
  }

  private static <T> java.util.stream.Collector<T, ?, Set<T>> toSet() {
    return Collectors.toCollection(TreeSet::new);
  }

  /** Every record value of {@code topic}, from the beginning to the end offsets of now. */
  private static List<String> readAll(String topic) throws Exception {
    long[] end = endOffsets(topic);
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap());
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> c = new KafkaConsumer<>(props)) {
      List<TopicPartition> tps = new ArrayList<>();
      for (int p = 0; p < PARTITIONS; p++) {
        tps.add(new TopicPartition(topic, p));
      }
      c.assign(tps);
      c.seekToBeginning(tps);
      await("the output topic is read to its end")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(1))
          .until(
              () -> {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                  values.add(r.value());
                }
                for (TopicPartition tp : tps) {
                  if (c.position(tp) < end[tp.partition()]) {
                    return false;
                  }
                }
                return true;
              });
    }
    return values;
  }
}
