package io.stoker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.stoker.adapters.kafka.EmbeddedKafka;
import io.stoker.app.controller.Operator;
import io.stoker.app.k8s.model.ExecutorAutoscaler;
import io.stoker.app.k8s.model.ExecutorAutoscalerSpec;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stoker as KEDA's external scaler, with the real KEDA: its operator and metrics adapter (v2.21.1,
 * built from the Go module by {@code e2e/tools/build-keda.sh}, {@link Keda}) on a real
 * kube-apiserver whose aggregation layer serves KEDA's {@code external.metrics.k8s.io}, and a real
 * kube-controller-manager running the HPA controller. Stoker's controller runs in the test JVM with
 * the Helm chart's ServiceAccount token and its gRPC server as the chart configures it (mutual
 * TLS); every trigger authenticates with a TriggerAuthentication as docs/keda.md describes. The
 * Kafka broker is a real KRaft broker in the JVM. There is no kubelet: the StatefulSets' replica
 * counts are what KEDA and the HPA set.
 *
 * <p>What a user of docs/keda.md relies on: the HPA's replicas land on Stoker's decision as it
 * changes; a pushed activation ({@code external-push}) takes a StatefulSet out of zero without
 * polling; scale to zero and back through {@code IsActive} (in both modes); the Kafka mode answers
 * what KEDA's own {@code kafka} trigger answers on the same group; what KEDA does when Stoker is
 * unreachable and when Stoker is up but its source fails ({@code fallback}); and Stoker's request
 * metrics.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KedaOperatorE2E {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration LONG = Duration.ofSeconds(120);

  @TempDir static Path tmp;
  private static ControlPlane cp;
  private static KubernetesClient admin;
  private static EmbeddedKafka kafka;
  private static Keda keda;
  private static TestCertificates stokerCerts;
  private static ChartInstall chart;
  private static String token;
  private static KubernetesClient stokerClient;
  private static Map<String, String> stokerFlags;
  private static Operator stoker;
  private static int grpcPort;

  /** Measured figures, printed at the end (docs/keda.md quotes them). */
  private static final Map<String, String> figures = new LinkedHashMap<>();

  @BeforeAll
  static void start() throws Exception {
    long t0 = System.nanoTime();
    cp = ControlPlane.start();
    admin = cp.adminClient();
    // The HPA controller, every 2 s (15 s upstream), so that each step of a test is short.
    cp.startControllerManager(
        List.of("horizontal-pod-autoscaler-controller"), Duration.ofSeconds(2));
    kafka = new EmbeddedKafka();

    // Stoker as the chart installs it: gRPC on, server TLS and a client CA (mutual TLS), KEDA's
    // namespace allowed by the NetworkPolicy, statefulsets as scale targets.
    stokerCerts = TestCertificates.generate(Files.createDirectories(tmp.resolve("stoker-pki")));
    Map<String, Object> sets = new HashMap<>();
    sets.put("grpc.enabled", true);
    sets.put("grpc.tls.secretName", "stoker-grpc-tls");
    sets.put("grpc.tls.clientCa.secretName", "stoker-grpc-client-ca");
    sets.put("networkPolicy.grpcFromNamespaces[0]", Keda.NAMESPACE);
    sets.put("rbac.scaleTargets[0].apiGroup", "apps");
    sets.put("rbac.scaleTargets[0].resource", "statefulsets");
    chart = ChartInstall.install(admin, sets);
    token = chart.token();
    stokerFlags = new HashMap<>(chart.controllerFlags());
    // The chart's Deployment mounts the Secrets at these paths; the test's files stand in for them.
    assertThat(stokerFlags)
        .containsEntry("grpc-tls-cert", "/etc/stoker/grpc-tls/tls.crt")
        .containsEntry("grpc-tls-key", "/etc/stoker/grpc-tls/tls.key")
        .containsEntry("grpc-tls-client-ca", "/etc/stoker/grpc-client-ca/ca.crt");
    stokerFlags.put("grpc-tls-cert", stokerCerts.serverCert.toString());
    stokerFlags.put("grpc-tls-key", stokerCerts.serverKey.toString());
    stokerFlags.put("grpc-tls-client-ca", stokerCerts.ca.toString());
    grpcPort = Loopback.freePort(); // fixed: Stoker comes back on the same port after a restart
    stokerFlags.put("grpc-port", String.valueOf(grpcPort));
    // Kafka-mode readings every second (10 s default), so that each step of the burst settles fast.
    stokerFlags.put("grpc-kafka-refresh", "1s");
    stokerClient = cp.clientWithToken(token);
    stoker = InProcessController.start(stokerClient, "stoker-0", stokerFlags);

    long k0 = System.nanoTime();
    keda = Keda.start(cp, admin, tmp.resolve("keda"));
    figures.put("KEDA ready (operator /readyz, APIService Available)", seconds(k0));
    figures.put("set-up in all", seconds(t0));
  }

  @AfterAll
  static void stop() throws Exception {
    figures.forEach((k, v) -> System.out.println("KedaOperatorE2E figure: " + k + ": " + v));
    Closing.all(
        keda,
        () -> {
          if (stoker != null) {
            stoker.close(Duration.ofSeconds(10));
          }
        },
        stokerClient,
        kafka,
        admin,
        cp);
  }

  // --- objects, as a user writes them ----------------------------------------------------------

  /** A namespace with the mTLS client Secret and the TriggerAuthentication of docs/keda.md. */
  private static void namespace(String ns) throws IOException {
    SparkPods.namespace(admin, ns);
    admin
        .secrets()
        .inNamespace(ns)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("keda-stoker-client")
                .withNamespace(ns)
                .endMetadata()
                .addToStringData("ca.crt", Files.readString(stokerCerts.ca))
                .addToStringData("tls.crt", Files.readString(stokerCerts.clientCert))
                .addToStringData("tls.key", Files.readString(stokerCerts.clientKey))
                .build())
        .serverSideApply();
    apply(
        ns,
        """
        apiVersion: keda.sh/v1alpha1
        kind: TriggerAuthentication
        metadata:
          name: stoker-mtls
        spec:
          secretTargetRef:
            - parameter: caCert
              name: keda-stoker-client
              key: ca.crt
            - parameter: tlsClientCert
              name: keda-stoker-client
              key: tls.crt
            - parameter: tlsClientKey
              name: keda-stoker-client
              key: tls.key
        """);
  }

  /** A StatefulSet of executors (no kubelet: only its replica count matters here). */
  private static void statefulSet(String ns, String name, int replicas) {
    apply(
        ns,
        """
        apiVersion: apps/v1
        kind: StatefulSet
        metadata:
          name: %s
        spec:
          replicas: %d
          serviceName: %s
          podManagementPolicy: Parallel
          selector:
            matchLabels: {app: %s, spark-role: executor}
          template:
            metadata:
              labels: {app: %s, spark-role: executor}
            spec:
              containers:
                - name: executor
                  image: apache/spark:4.0.1
        """
            .formatted(name, replicas, name, name, name));
  }

  /** An ExecutorAutoscaler that recommends only (KEDA applies), on a Kafka group's lag. */
  private static void autoscaler(String ns, String name, String target, int min, String topic)
      throws Exception {
    kafka.createTopic(topic, 2);
    commitAll(topic, topic, new long[] {0, 0}); // the group exists, with no lag
    ExecutorAutoscalerSpec s =
        Autoscalers.scaleDownWindow(
            Autoscalers.onKafkaLag(name, kafka.bootstrap(), topic, topic, 10), "0s");
    s.target = ExecutorAutoscalerSpec.Target.scaled("apps/v1", "StatefulSet", target);
    s.actuation = ExecutorAutoscalerSpec.Actuation.None;
    s.minExecutors = min;
    s.executorCores = 1;
    Autoscalers.create(admin, ns, name, s);
  }

  private static void minExecutors(String ns, String name, int min) {
    bounds(ns, name, min, 10);
  }

  /** The autoscaler's bounds: its decision moves to stay within them. */
  private static void bounds(String ns, String name, int min, int max) {
    Autoscalers.editSpec(
        admin,
        ns,
        name,
        s -> {
          s.minExecutors = min;
          s.maxExecutors = max;
        });
  }

  private static Optional<Integer> desired(String ns, String name) {
    ExecutorAutoscaler e =
        admin.resources(ExecutorAutoscaler.class).inNamespace(ns).withName(name).get();
    return e == null || e.getStatus() == null
        ? Optional.empty()
        : Optional.ofNullable(e.getStatus().desiredExecutors);
  }

  /**
   * A ScaledObject on StatefulSet {@code target}: no scale-down stabilisation and no rate limits in
   * the HPA's behavior (KEDA's HPA has none of its own, so the HPA default, 300 s, would apply).
   */
  private static void scaledObject(String ns, String name, String target, String extra) {
    apply(
        ns,
        """
        apiVersion: keda.sh/v1alpha1
        kind: ScaledObject
        metadata:
          name: %s
        spec:
          scaleTargetRef:
            apiVersion: apps/v1
            kind: StatefulSet
            name: %s
          advanced:
            horizontalPodAutoscalerConfig:
              behavior:
                scaleDown:
                  stabilizationWindowSeconds: 0
                  policies: [{type: Pods, value: 100, periodSeconds: 1}]
                scaleUp:
                  stabilizationWindowSeconds: 0
                  policies: [{type: Pods, value: 100, periodSeconds: 1}]
        %s
        """
            .formatted(name, target, extra.indent(2)));
  }

  /** An {@code external} (or {@code external-push}) trigger on Stoker, mutual TLS. */
  private static String stokerTrigger(String type, String metadata) {
    return """
        - type: %s
          metadata:
            scalerAddress: "127.0.0.1:%d"
            enableTLS: "true"
        %s
          authenticationRef:
            name: stoker-mtls
        """
        .formatted(type, grpcPort, metadata.indent(4));
  }

  private static void apply(String ns, String yaml) {
    List<HasMetadata> objects =
        admin.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).items();
    for (HasMetadata o : objects) {
      o.getMetadata().setNamespace(ns);
      admin.resource(o).serverSideApply();
    }
  }

  private static int replicas(String ns, String name) {
    StatefulSet s = admin.apps().statefulSets().inNamespace(ns).withName(name).get();
    return s.getSpec().getReplicas();
  }

  private static GenericKubernetesResource so(String ns, String name) {
    return admin
        .genericKubernetesResources("keda.sh/v1alpha1", "ScaledObject")
        .inNamespace(ns)
        .withName(name)
        .get();
  }

  /** A ScaledObject condition's status ("True", "False", "Unknown"), or empty. */
  private static Optional<String> condition(String ns, String name, String type) {
    JsonNode so = JSON.valueToTree(so(ns, name));
    for (JsonNode c : so.path("status").path("conditions")) {
      if (type.equals(c.path("type").asText())) {
        return Optional.of(c.path("status").asText());
      }
    }
    return Optional.empty();
  }

  private static HorizontalPodAutoscaler hpa(String ns, String so) {
    return admin
        .autoscaling()
        .v2()
        .horizontalPodAutoscalers()
        .inNamespace(ns)
        .withName("keda-hpa-" + so)
        .get();
  }

  /**
   * The value of an external metric as the HPA reads it: a raw GET through the aggregation layer to
   * KEDA's adapter (which asks the operator, which asks the scaler); empty when that fails.
   */
  private static OptionalDouble externalMetric(String ns, String metric, String so) {
    String url =
        cp.server()
            + "/apis/external.metrics.k8s.io/v1beta1/namespaces/"
            + ns
            + "/"
            + metric
            + "?labelSelector="
            + URLEncoder.encode("scaledobject.keda.sh/name=" + so, StandardCharsets.UTF_8);
    try {
      String body = admin.raw(url);
      if (body == null) {
        return OptionalDouble.empty();
      }
      JsonNode items = JSON.readTree(body).path("items");
      if (items.isEmpty()) {
        return OptionalDouble.empty();
      }
      BigDecimal v = Quantity.getAmountInBytes(new Quantity(items.get(0).path("value").asText()));
      return OptionalDouble.of(v.doubleValue());
    } catch (Exception e) {
      return OptionalDouble.empty();
    }
  }

  /** Stoker's {@code stoker_keda_requests_total} for one method and code, from its /metrics. */
  private static double kedaRequests(String method, String code) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + stoker.metricsPort() + "/metrics"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    String prefix = "stoker_keda_requests_total{";
    double sum = 0;
    for (String line : r.body().split("\n")) {
      if (line.startsWith(prefix)
          && line.contains("method=\"" + method + "\"")
          && line.contains("code=\"" + code + "\"")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  private static String seconds(long sinceNanos) {
    return String.format("%.1f s", (System.nanoTime() - sinceNanos) / 1e9);
  }

  /**
   * Waits until StatefulSet {@code ns/name} runs {@code n} replicas, failing at once if a KEDA or
   * control-plane process exits meanwhile.
   */
  private static void awaitReplicas(String what, String ns, String name, int n) {
    await(what)
        .atMost(LONG)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              failFast();
              return replicas(ns, name) == n;
            });
  }

  private static void failFast() {
    assertThat(keda.exited()).as("KEDA processes that exited\n%s", keda.tails()).isEmpty();
    assertThat(cp.exited()).as("control-plane processes that exited").isEmpty();
  }

  // --- tests -------------------------------------------------------------------------------------

  @Test
  @Order(1)
  void autoscalerModeTheHpaLandsOnStokersDecision() throws Exception {
    String ns = "keda-autoscaler";
    namespace(ns);
    statefulSet(ns, "executors", 1);
    autoscaler(ns, "etl", "executors", 2, "etl");
    scaledObject(
        ns,
        "executors",
        "executors",
        """
        minReplicaCount: 0
        maxReplicaCount: 10
        pollingInterval: 1
        cooldownPeriod: 3
        triggers:
        %s
        """
            .formatted(stokerTrigger("external", "autoscaler: etl").indent(2)));

    long t0 = System.nanoTime();
    await("KEDA creates the HPA, and it lands on Stoker's first decision (2)")
        .atMost(LONG)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              failFast();
              return hpa(ns, "executors") != null && replicas(ns, "executors") == 2;
            });
    figures.put("ScaledObject created -> StatefulSet at Stoker's first decision", seconds(t0));
    HorizontalPodAutoscaler h = hpa(ns, "executors");
    assertThat(h.getSpec().getBehavior().getScaleDown().getStabilizationWindowSeconds())
        .as("the ScaledObject's behavior reaches KEDA's HPA")
        .isZero();
    assertThat(h.getSpec().getMetrics().get(0).getExternal().getMetric().getName())
        .isEqualTo("s0-executors");
    assertThat(condition(ns, "executors", "Ready")).contains("True");

    // Each new decision (the autoscaler's lower bound moves, no lag) reaches the HPA exactly.
    List<String> steps = new ArrayList<>();
    for (int n : new int[] {5, 3, 7}) {
      minExecutors(ns, "etl", n);
      long s = System.nanoTime();
      await("Stoker decides " + n)
          .atMost(LONG)
          .pollInterval(Duration.ofMillis(100))
          .until(() -> desired(ns, "etl").orElse(-1) == n);
      long decided = System.nanoTime();
      awaitReplicas("the StatefulSet at " + n, ns, "executors", n);
      assertThat(externalMetric(ns, "s0-executors", "executors"))
          .as("the external metric the HPA reads")
          .hasValue(n);
      steps.add(n + " (decided in " + seconds(s) + ", applied " + seconds(decided) + " later)");
    }
    // And stays there: the HPA's target is exactly the decision, no drift over several syncs.
    await()
        .during(Duration.ofSeconds(6))
        .atMost(Duration.ofSeconds(20))
        .until(() -> replicas(ns, "executors") == 7);
    figures.put("decision -> StatefulSet replicas, steps", String.join("; ", steps));

    // Nothing arrives and nothing waits: with minExecutors 0 Stoker decides 0, IsActive turns
    // false and KEDA scales the StatefulSet to zero (cooldownPeriod 3 s); a new lower bound makes
    // the autoscaler active again and KEDA brings the StatefulSet back from zero.
    minExecutors(ns, "etl", 0);
    long z = System.nanoTime();
    await("Stoker decides 0")
        .atMost(LONG)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> desired(ns, "etl").orElse(-1) == 0);
    awaitReplicas("KEDA scales the StatefulSet to zero", ns, "executors", 0);
    figures.put("minExecutors 0, nothing arriving -> StatefulSet at 0", seconds(z));
    minExecutors(ns, "etl", 2);
    long back = System.nanoTime();
    awaitReplicas("KEDA brings the StatefulSet back from zero to Stoker's 2", ns, "executors", 2);
    figures.put("minExecutors 2 -> StatefulSet from 0 back at 2", seconds(back));

    // What Stoker served, by method and code.
    assertThat(kedaRequests("GetMetricSpec", "OK")).isPositive();
    assertThat(kedaRequests("GetMetrics", "OK")).isPositive();
    assertThat(kedaRequests("IsActive", "OK")).isPositive();
    figures.put(
        "stoker_keda_requests_total after the autoscaler test (OK)",
        "GetMetricSpec "
            + kedaRequests("GetMetricSpec", "OK")
            + ", GetMetrics "
            + kedaRequests("GetMetrics", "OK")
            + ", IsActive "
            + kedaRequests("IsActive", "OK"));
  }

  @Test
  @Order(2)
  void externalPushActivationReachesKedaWithoutPolling() throws Exception {
    String ns = "keda-push";
    namespace(ns);
    statefulSet(ns, "workers", 0);
    autoscaler(ns, "push", "workers", 0, "push");
    await("Stoker decides 0").atMost(LONG).until(() -> desired(ns, "push").orElse(-1) == 0);
    // Polled every 30 s: the push has to be what wakes it within a second. (Not longer: in three
    // runs of five KEDA's first check of the new ScaledObject left no Active condition, cause not
    // found, and the test then waits for the next poll: this test takes 33 s instead of 3 s.)
    scaledObject(
        ns,
        "workers",
        "workers",
        """
        minReplicaCount: 0
        maxReplicaCount: 10
        pollingInterval: 30
        cooldownPeriod: 300
        triggers:
        %s
        """
            .formatted(stokerTrigger("external-push", "autoscaler: push").indent(2)));
    try {
      await("KEDA has polled: not active")
          .atMost(LONG)
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> {
                failFast();
                return condition(ns, "workers", "Active").orElse("").equals("False")
                    && hpa(ns, "workers") != null;
              });
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(state(ns, "push", "workers", "workers"), e);
    }

    minExecutors(ns, "push", 3);
    await("Stoker decides 3")
        .atMost(LONG)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> desired(ns, "push").orElse(-1) == 3);
    long decided = System.nanoTime();
    await("the pushed activation scales the StatefulSet out of zero")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> replicas(ns, "workers") >= 1);
    String fromZero = seconds(decided);
    await("then the HPA to Stoker's decision")
        .atMost(LONG)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> replicas(ns, "workers") == 3);
    figures.put(
        "external-push: decision 3 at zero -> StatefulSet out of zero (pollingInterval 30 s)",
        fromZero + " (at 3 after " + seconds(decided) + ")");

    // KEDA cancels the stream when the ScaledObject goes: Stoker counts the call then.
    double before = kedaRequests("StreamIsActive", "CANCELLED");
    admin
        .genericKubernetesResources("keda.sh/v1alpha1", "ScaledObject")
        .inNamespace(ns)
        .withName("workers")
        .delete();
    await("KEDA closes StreamIsActive")
        .atMost(LONG)
        .until(() -> kedaRequests("StreamIsActive", "CANCELLED") > before);
  }

  @Test
  @Order(3)
  void kafkaModeAgreesWithKedasKafkaTriggerOverABurst() throws Exception {
    String ns = "keda-kafka";
    String topic = "orders";
    String group = "orders-consumers";
    int partitions = 4;
    int threshold = 50;
    namespace(ns);
    kafka.createTopic(topic, partitions);
    long[] end = new long[partitions];
    long[] committed = new long[partitions];
    commitAll(topic, group, committed);
    statefulSet(ns, "consumers", 1);
    String kafkaMetadata =
        """
        bootstrapServers: "%s"
        consumerGroup: %s
        topic: %s
        lagThreshold: "%d"
        """
            .formatted(kafka.bootstrap(), group, topic, threshold);
    scaledObject(
        ns,
        "consumers",
        "consumers",
        """
        minReplicaCount: 1
        maxReplicaCount: 20
        pollingInterval: 1
        triggers:
          - type: kafka
            metadata:
        %s
        %s
        """
            .formatted(
                kafkaMetadata.indent(6), stokerTrigger("external", kafkaMetadata).indent(2)));
    await("KEDA's HPA on both triggers")
        .atMost(LONG)
        .until(
            () -> {
              failFast();
              HorizontalPodAutoscaler h = hpa(ns, "consumers");
              return h != null && h.getSpec().getMetrics().size() == 2;
            });
    assertThat(
            hpa(ns, "consumers").getSpec().getMetrics().stream()
                .map(m -> m.getExternal().getMetric().getName()))
        .containsExactlyInAnyOrder("s0-kafka-orders", "s1-kafka-orders");

    // The burst: records arrive, the consumers commit part, more arrive on one partition, they
    // catch up. At every step both metrics (KEDA's trigger: s0, Stoker's: s1) must read the same.
    List<String> agreed = new ArrayList<>();
    int[][] produce = {{60, 60, 60, 60}, {0, 0, 0, 0}, {400, 0, 0, 0}, {0, 0, 0, 0}};
    long[][] commitTo = {null, {30, 30, 30, 30}, null, {460, 60, 60, 60}};
    for (int step = 0; step < produce.length; step++) {
      for (int p = 0; p < partitions; p++) {
        if (produce[step][p] > 0) {
          kafka.produce(topic, p, produce[step][p]);
          end[p] += produce[step][p];
        }
      }
      if (commitTo[step] != null) {
        System.arraycopy(commitTo[step], 0, committed, 0, partitions);
        commitAll(topic, group, committed);
      }
      long expected = kedaKafkaValue(end, committed, threshold);
      long s = System.nanoTime();
      await("step " + step + ": both triggers read " + expected)
          .atMost(LONG)
          .pollInterval(Duration.ofMillis(200))
          .until(
              () ->
                  externalMetric(ns, "s0-kafka-orders", "consumers").orElse(-1) == expected
                      && externalMetric(ns, "s1-kafka-orders", "consumers").orElse(-1) == expected);
      agreed.add(expected + " in " + seconds(s));
    }
    figures.put("Kafka drop-in: both metrics agree at each burst step", String.join("; ", agreed));
  }

  /** KEDA's Kafka-scaler value: total lag, capped at partitions × lagThreshold. */
  private static long kedaKafkaValue(long[] end, long[] committed, int threshold) {
    long lag = 0;
    for (int p = 0; p < end.length; p++) {
      lag += end[p] - committed[p];
    }
    return lag / threshold > end.length ? (long) end.length * threshold : lag;
  }

  private static void commitAll(String topic, String group, long[] offsets) throws Exception {
    Map<TopicPartition, Long> m = new HashMap<>();
    for (int p = 0; p < offsets.length; p++) {
      m.put(new TopicPartition(topic, p), offsets[p]);
    }
    kafka.commit(group, m);
  }

  @Test
  @Order(4)
  void stokerStoppedAndRestarted() throws Exception {
    String ns = "keda-restart";
    namespace(ns);
    statefulSet(ns, "executors", 1);
    autoscaler(ns, "etl", "executors", 3, "restart");
    scaledObject(
        ns,
        "executors",
        "executors",
        """
        minReplicaCount: 0
        maxReplicaCount: 10
        pollingInterval: 1
        cooldownPeriod: 3
        fallback:
          failureThreshold: 3
          replicas: 6
        triggers:
        %s
        """
            .formatted(stokerTrigger("external", "autoscaler: etl").indent(2)));
    awaitReplicas("at Stoker's decision (3)", ns, "executors", 3);

    stoker.close(Duration.ofSeconds(10));
    long down = System.nanoTime();
    // KEDA v2.21.1 with an unreachable external scaler: GetMetricSpec fails before any metric is
    // fetched, so the fallback's failure count never rises (kedacore/keda#8056): no fallback. The
    // HPA cannot read the metric and keeps the replicas; KEDA does not scale to zero on errors.
    await("the HPA reports it cannot read the metric")
        .atMost(LONG)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> hpaCondition(ns, "executors", "ScalingActive").equals("False"));
    figures.put("Stoker stopped -> HPA ScalingActive=False", seconds(down));
    await("many polls and HPA syncs later: replicas held, no fallback")
        .during(Duration.ofSeconds(12))
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                replicas(ns, "executors") == 3
                    && !condition(ns, "executors", "Fallback").orElse("").equals("True"));
    JsonNode health = JSON.valueToTree(so(ns, "executors")).path("status").path("health");
    figures.put("ScaledObject status.health while Stoker is down", health.toString());

    stoker = InProcessController.start(stokerClient, "stoker-0", stokerFlags);
    long up = System.nanoTime();
    await("the HPA reads the metric again")
        .atMost(LONG)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> hpaCondition(ns, "executors", "ScalingActive").equals("True"));
    figures.put("Stoker restarted -> HPA ScalingActive=True", seconds(up));
    minExecutors(ns, "etl", 5);
    await("the StatefulSet follows Stoker's next decision (5)")
        .atMost(LONG)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> replicas(ns, "executors") == 5);
  }

  @Test
  @Order(5)
  void kafkaModeScalesToZeroAndBackAndFallsBackWhenTheBrokerFails() throws Exception {
    String ns = "keda-fallback";
    String topic = "fallback";
    String group = "fallback-consumers";
    namespace(ns);
    kafka.createTopic(topic, 2);
    kafka.produce(topic, 0, 10);
    kafka.produce(topic, 1, 10);
    commitAll(topic, group, new long[] {0, 0});
    statefulSet(ns, "consumers", 1);
    scaledObject(
        ns,
        "consumers",
        "consumers",
        """
        minReplicaCount: 0
        maxReplicaCount: 10
        pollingInterval: 1
        cooldownPeriod: 3
        fallback:
          failureThreshold: 3
          replicas: 4
        triggers:
        %s
        """
            .formatted(
                stokerTrigger(
                        "external",
                        """
                        bootstrapServers: "%s"
                        consumerGroup: %s
                        topic: %s
                        lagThreshold: "10"
                        """
                            .formatted(kafka.bootstrap(), group, topic))
                    .indent(2)));
    // Lag 20, threshold 10: 2 replicas.
    awaitReplicas("at 2 replicas from the lag", ns, "consumers", 2);

    // The consumers catch up: lag 0, IsActive false, KEDA scales to zero after cooldownPeriod.
    commitAll(topic, group, new long[] {10, 10});
    long z = System.nanoTime();
    await("no lag: scaled to zero")
        .atMost(LONG)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () ->
                replicas(ns, "consumers") == 0
                    && condition(ns, "consumers", "Active").orElse("").equals("False"));
    figures.put("Kafka mode: lag 0 -> StatefulSet at 0 (cooldownPeriod 3 s)", seconds(z));
    // New records: IsActive true, KEDA scales 0 -> 1, the HPA to the lag's 2.
    kafka.produce(topic, 0, 10);
    kafka.produce(topic, 1, 10);
    long b = System.nanoTime();
    await("lag 20 again: out of zero, at 2")
        .atMost(LONG)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> replicas(ns, "consumers") == 2);
    figures.put("Kafka mode: lag 20 at zero -> StatefulSet at 2", seconds(b));

    double unavailableBefore = kedaRequests("GetMetrics", "UNAVAILABLE");

    kafka.stopBroker();
    long down = System.nanoTime();
    try {
      // Stoker answers GetMetricSpec (no broker needed) and UNAVAILABLE to GetMetrics: KEDA counts
      // failures and, past failureThreshold, serves fallback.replicas × target as documented.
      await("KEDA falls back to 4 replicas")
          .atMost(LONG)
          .pollInterval(Duration.ofMillis(200))
          .until(
              () ->
                  replicas(ns, "consumers") == 4
                      && condition(ns, "consumers", "Fallback").orElse("").equals("True"));
      figures.put("broker stopped -> fallback replicas (failureThreshold 3)", seconds(down));
      assertThat(externalMetric(ns, "s0-kafka-fallback", "consumers")).hasValue(40);
      assertThat(kedaRequests("GetMetrics", "UNAVAILABLE")).isGreaterThan(unavailableBefore);
    } finally {
      kafka.restartBroker();
    }
    long up = System.nanoTime();
    await("back on the lag after the broker returns")
        .atMost(LONG)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () ->
                replicas(ns, "consumers") == 2
                    && condition(ns, "consumers", "Fallback").orElse("").equals("False"));
    figures.put("broker back -> replicas from the lag again", seconds(up));
  }

  /** What the autoscaler, the ScaledObject, its HPA and the StatefulSet look like now. */
  private static String state(String ns, String eas, String so, String sts) {
    return "ExecutorAutoscaler status: "
        + JSON.valueToTree(
                admin.resources(ExecutorAutoscaler.class).inNamespace(ns).withName(eas).get())
            .path("status")
        + "\nScaledObject status: "
        + JSON.valueToTree(so(ns, so)).path("status")
        + "\nHPA status: "
        + JSON.valueToTree(hpa(ns, so)).path("status")
        + "\nStatefulSet replicas: "
        + replicas(ns, sts)
        + "\n"
        + keda.tails();
  }

  private static String hpaCondition(String ns, String so, String type) {
    HorizontalPodAutoscaler h = hpa(ns, so);
    if (h == null || h.getStatus() == null || h.getStatus().getConditions() == null) {
      return "";
    }
    return h.getStatus().getConditions().stream()
        .filter(c -> type.equals(c.getType()))
        .map(c -> c.getStatus())
        .findFirst()
        .orElse("");
  }
}
