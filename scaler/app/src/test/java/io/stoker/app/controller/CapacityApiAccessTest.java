package io.stoker.app.controller;

import static io.stoker.app.controller.Fixtures.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.stoker.app.k8s.ApiAccess;
import io.stoker.app.k8s.ApiAccess.Feature;
import io.stoker.app.k8s.SparkLabels;
import io.stoker.app.k8s.capacity.CapacityLabels;
import io.stoker.app.k8s.model.ExecutorAutoscalerSpec;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The capacity features' Kubernetes calls are the ones {@link ApiAccess} lists (the chart's RBAC):
 * every feature on (placeholders, ProvisioningRequest through its whole life, shuffle protection
 * against a fake driver, node hints), each recorded request matched to a rule, and every listed
 * capacity rule used.
 */
class CapacityApiAccessTest extends MockServerControllerTest {
  static final String AGENT = "stoker-capacity-access-test";
  static final Set<Feature> CAPACITY =
      EnumSet.of(
          Feature.PLACEHOLDERS,
          Feature.PROVISIONING_REQUEST,
          Feature.SHUFFLE_PROTECTION,
          Feature.NODE_HINTS);
  static final ResourceDefinitionContext PR =
      new ResourceDefinitionContext.Builder()
          .withGroup("autoscaling.x-k8s.io")
          .withVersion("v1")
          .withKind("ProvisioningRequest")
          .withPlural("provisioningrequests")
          .withNamespaced(true)
          .build();

  private KubernetesClient own;
  private HttpServer driver;

  @AfterEach
  void closeOwnClientAndDriver() {
    if (own != null) {
      own.close();
    }
    if (driver != null) {
      driver.stop(0);
    }
  }

  /** A fake Spark driver serving /metrics/executors/prometheus: executor 1 runs two tasks. */
  private int fakeDriver() throws Exception {
    driver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    byte[] body =
        ("metrics_executor_activeTasks{application_id=\"a\", application_name=\"a\","
                + " executor_id=\"1\"} 2\n")
            .getBytes(StandardCharsets.UTF_8);
    driver.createContext(
        "/metrics/executors/prometheus",
        ex -> {
          ex.sendResponseHeaders(200, body.length);
          ex.getResponseBody().write(body);
          ex.close();
        });
    driver.start();
    return driver.getAddress().getPort();
  }

  private void setUp(int driverPort) throws Exception {
    Fixtures.provisioningRequestCrd(client);
    Fixtures.priorityClass(client, "stoker-placeholder");
    client
        .nodes()
        .resource(
            new NodeBuilder()
                .withNewMetadata()
                .withName("n1")
                .addToLabels("node.kubernetes.io/instance-type", "m5.2xlarge")
                .endMetadata()
                .withNewStatus()
                .addToAllocatable("cpu", new Quantity("8"))
                .addToAllocatable("memory", new Quantity("32Gi"))
                .endStatus()
                .build())
        .create();
    Pod d = Fixtures.driver(client, "c");
    d.getStatus().setPodIP("127.0.0.1");
    client.pods().resource(d).updateStatus();
    Fixtures.executors(client, "c", 1);
    client
        .pods()
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withNamespace(NS)
                .withName("c-exec-9")
                .addToLabels(SparkLabels.ROLE, SparkLabels.EXECUTOR)
                .addToLabels(SparkLabels.APP_SELECTOR, "spark-c")
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("spark-kubernetes-executor")
                .withNewResources()
                .addToRequests("cpu", new Quantity("4"))
                .endResources()
                .endContainer()
                .endSpec()
                .withNewStatus()
                .withPhase("Pending")
                .endStatus()
                .build())
        .create();
    ExecutorAutoscalerSpec s = Fixtures.spec("c");
    s.signals.spark = new ExecutorAutoscalerSpec.SparkSignal();
    s.signals.spark.port = driverPort;
    s.capacity = new ExecutorAutoscalerSpec.Capacity();
    s.capacity.placeholders = new ExecutorAutoscalerSpec.Placeholders();
    s.capacity.placeholders.enabled = true;
    s.capacity.placeholders.headroomExecutors = 2;
    s.capacity.provisioningRequest = new ExecutorAutoscalerSpec.ProvisioningRequest();
    s.capacity.provisioningRequest.enabled = true;
    s.capacity.protectShuffle = true;
    Fixtures.create(client, "c", s);
    signals.kafka(NS + "/c", 120_000, 5_000, 1_000, 64);
  }

  @Test
  void everyCapacityCallIsListedAndEveryListedCapacityCallIsMade() throws Exception {
    setUp(fakeDriver());
    own =
        new KubernetesClientBuilder()
            .withConfig(new ConfigBuilder(client.getConfiguration()).withUserAgent(AGENT).build())
            .build();
    operator = Fixtures.start(own, Fixtures.fastConfig(), "audit", clock, signals);

    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                client.genericKubernetesResources(PR).inNamespace(NS).list().getItems().size()
                    == 1);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                "false"
                    .equals(
                        client
                                    .pods()
                                    .inNamespace(NS)
                                    .withName("c-exec-1")
                                    .get()
                                    .getMetadata()
                                    .getAnnotations()
                                == null
                            ? null
                            : client
                                .pods()
                                .inNamespace(NS)
                                .withName("c-exec-1")
                                .get()
                                .getMetadata()
                                .getAnnotations()
                                .get("cluster-autoscaler.kubernetes.io/safe-to-evict")));
    // Cluster Autoscaler fails the request (it is deleted), and the headroom goes (placeholders
    // are deleted).
    GenericKubernetesResource r =
        client.genericKubernetesResources(PR).inNamespace(NS).list().getItems().get(0);
    r.getAdditionalProperties()
        .put(
            "status",
            Map.of(
                "conditions",
                List.of(Map.of("type", "Failed", "status", "True", "message", "no quota"))));
    client.genericKubernetesResources(PR).inNamespace(NS).resource(r).update();
    // A merge patch without a version: the controller writes the status meanwhile.
    Fixtures.editSpec(
        client,
        "c",
        s -> {
          s.capacity.placeholders.headroomExecutors = 0;
          s.capacity.placeholders.priorityClassName = "stoker-placeholder";
        });
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                client.genericKubernetesResources(PR).inNamespace(NS).list().getItems().isEmpty());
    // The placeholders go on a tick of their own, not necessarily the one that deleted the request.
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                client
                    .pods()
                    .inNamespace(NS)
                    .withLabel(CapacityLabels.ROLE, CapacityLabels.PLACEHOLDER)
                    .list()
                    .getItems()
                    .isEmpty());

    operator.close(Duration.ofSeconds(5));
    operator = null;
    List<ApiAccessTest.Call> calls = new ArrayList<>();
    RecordedRequest req;
    while ((req = server.takeRequest(10, TimeUnit.MILLISECONDS)) != null) {
      String agent = req.getHeader("User-Agent");
      if (agent != null && agent.contains(AGENT)) {
        calls.add(ApiAccessTest.call(req.getMethod(), req.getPath()));
      }
    }
    List<ApiAccess.Rule> rules = ApiAccess.RULES;
    List<ApiAccessTest.Call> unlisted = new ArrayList<>();
    Set<String> used = new TreeSet<>();
    for (ApiAccessTest.Call c : calls) {
      if (c.resource().isEmpty()) {
        continue; // discovery
      }
      Optional<ApiAccess.Rule> rule = ApiAccess.find(rules, c.group(), c.resource(), c.verb());
      if (rule.isEmpty()) {
        unlisted.add(c);
      }
      for (ApiAccess.Rule x : rules) {
        if (CAPACITY.contains(x.feature())
            && x.apiGroup().equals(c.group())
            && x.resource().equals(c.resource())
            && x.verbs().contains(c.verb())) {
          used.add(x.feature() + " " + x.apiGroup() + "/" + x.resource() + " " + c.verb());
        }
      }
    }
    assertThat(unlisted).as("calls missing from ApiAccess.RULES").isEmpty();
    Set<String> listed = new TreeSet<>();
    for (ApiAccess.Rule x : rules) {
      if (CAPACITY.contains(x.feature())) {
        x.verbs()
            .forEach(
                v -> listed.add(x.feature() + " " + x.apiGroup() + "/" + x.resource() + " " + v));
      }
    }
    assertThat(used).as("listed capacity calls never made").isEqualTo(listed);
  }
}
