package io.stoker.app.controller;

import static io.stoker.app.controller.Fixtures.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.stoker.app.k8s.ApiAccess;
import io.stoker.app.k8s.ApiAccess.Feature;
import io.stoker.app.k8s.model.ExecutorAutoscalerSpec;
import java.net.URI;
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
 * Every Kubernetes API call the controller makes is listed in {@link ApiAccess} (the source of the
 * Helm chart's RBAC), and every listed call of an implemented feature is made. The controller runs
 * on the mock API server with its own client (user agent {@value #AGENT}) and every feature on:
 * leader election, a driver-selector target (pod watch, annotation patch, status, events), a {@code
 * /scale} target, a SparkApplication target, a Kafka auth Secret and a status conflict (the re-read
 * after a 409). Each recorded request is turned into its RBAC (group, resource, verb).
 */
class ApiAccessTest extends MockServerControllerTest {
  static final String AGENT = "stoker-api-access-test";

  /** Features this test exercises; the capacity features (issue 6) have tests of their own. */
  static final Set<Feature> EXERCISED =
      EnumSet.of(
          Feature.CONTROLLER,
          Feature.LEADER_ELECTION,
          Feature.SCALE_TARGET,
          Feature.SPARK_APPLICATION,
          Feature.KAFKA_AUTH_SECRET);

  private KubernetesClient own;

  @AfterEach
  void closeOwnClient() {
    if (own != null) {
      own.close();
    }
  }

  /** An RBAC-shaped view of one HTTP request; {@code resource} is empty for discovery. */
  record Call(String method, String group, String resource, String verb, String path) {
    @Override
    public String toString() {
      return verb + " " + (group.isEmpty() ? "core" : group) + "/" + resource + "  (" + path + ")";
    }
  }

  static Call call(String method, String rawPath) {
    URI uri = URI.create(rawPath);
    String path = uri.getPath();
    boolean watch = uri.getQuery() != null && uri.getQuery().contains("watch=true");
    List<String> seg = new ArrayList<>(List.of(path.replaceFirst("^/", "").split("/")));
    String group;
    if (seg.get(0).equals("api")) {
      group = "";
      seg = seg.subList(Math.min(2, seg.size()), seg.size());
    } else if (seg.get(0).equals("apis")) {
      group = seg.size() > 1 ? seg.get(1) : "";
      seg = seg.subList(Math.min(3, seg.size()), seg.size());
    } else {
      return new Call(method, "", "", "nonResource", path);
    }
    if (seg.size() >= 2 && seg.get(0).equals("namespaces")) {
      seg = seg.subList(2, seg.size());
    }
    if (seg.isEmpty()) {
      return new Call(method, group, "", "discovery", path);
    }
    String resource = seg.get(0) + (seg.size() > 2 ? "/" + seg.get(2) : "");
    boolean named = seg.size() > 1;
    String verb =
        switch (method) {
          case "GET" -> named ? "get" : watch ? "watch" : "list";
          case "POST" -> "create";
          case "PUT" -> "update";
          case "PATCH" -> "patch";
          case "DELETE" -> named ? "delete" : "deletecollection";
          default -> method.toLowerCase(java.util.Locale.ROOT);
        };
    return new Call(method, group, resource, verb, path);
  }

  @Test
  void everyCallOfTheControllerIsListedAndEveryListedCallIsMade() throws Exception {
    setUpEveryFeature();
    own =
        new KubernetesClientBuilder()
            .withConfig(new ConfigBuilder(client.getConfiguration()).withUserAgent(AGENT).build())
            .build();
    Map<String, String> flags = Fixtures.fastConfig();
    flags.put("leader-election", "true");
    flags.put("lease-namespace", NS);
    flags.put("lease-duration", "2s");
    flags.put("lease-renew-deadline", "1500ms");
    flags.put("lease-retry-period", "200ms");
    operator = Fixtures.start(own, flags, "audit", clock, signals);

    await().atMost(Duration.ofSeconds(20)).until(operator::isLeader);
    await().atMost(Duration.ofSeconds(20)).until(() -> Fixtures.target(client, "d") > 2);
    await().atMost(Duration.ofSeconds(20)).until(() -> Fixtures.target(client, "etl") > 3);
    await().atMost(Duration.ofSeconds(20)).until(() -> Fixtures.replicas(client, "workers") > 2);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> operator.cachedSecrets().contains(NS + "/d-kafka"));
    await().atMost(Duration.ofSeconds(20)).until(() -> !Fixtures.events(client, "d").isEmpty());

    List<Call> calls = new ArrayList<>();
    Set<String> used = new TreeSet<>();
    // The controller keeps renewing its lease: wait until a renewal is recorded too.
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              drain(calls);
              return calls.stream()
                  .anyMatch(c -> c.resource().equals("leases") && !c.method().equals("GET"));
            });
    // Shutting down releases the lease: those calls count too.
    operator.close(Duration.ofSeconds(5));
    operator = null;
    drain(calls);
    List<ApiAccess.Rule> rules =
        ApiAccess.expand(List.of(new ApiAccess.GroupResource("apps", "statefulsets")));
    List<Call> unlisted = new ArrayList<>();
    for (Call c : calls) {
      if (c.resource().isEmpty()) {
        assertThat(c.verb()).as("only discovery outside resources: " + c).isEqualTo("discovery");
        assertThat(c.method()).isEqualTo("GET");
        continue;
      }
      Optional<ApiAccess.Rule> rule = ApiAccess.find(rules, c.group(), c.resource(), c.verb());
      if (rule.isEmpty()) {
        unlisted.add(c);
      } else {
        used.add(key(rule.get(), c.verb()));
      }
    }
    assertThat(unlisted).as("calls missing from ApiAccess.RULES").isEmpty();

    Set<String> listed = new TreeSet<>();
    for (ApiAccess.Rule r : rules) {
      if (EXERCISED.contains(r.feature())) {
        r.verbs().forEach(v -> listed.add(key(r, v)));
      }
    }
    assertThat(used).as("listed calls the controller never made").isEqualTo(listed);
  }

  private static String key(ApiAccess.Rule r, String verb) {
    return r.feature() + " " + r.apiGroup() + "/" + r.resource() + " " + verb;
  }

  /** Moves the requests recorded so far that the controller's client made into {@code out}. */
  private void drain(List<Call> out) throws InterruptedException {
    RecordedRequest r;
    while ((r = server.takeRequest(10, TimeUnit.MILLISECONDS)) != null) {
      String agent = r.getHeader("User-Agent");
      if (agent != null && agent.contains(AGENT)) {
        out.add(call(r.getMethod(), r.getPath()));
      }
    }
  }

  private void setUpEveryFeature() throws Exception {
    // Driver selector + DriverPlugin, with a Kafka auth Secret; its status PUT first meets a 409.
    client
        .secrets()
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withNamespace(NS)
                .withName("d-kafka")
                .endMetadata()
                .withStringData(Map.of("sasl.password", "pw"))
                .build())
        .create();
    Fixtures.driver(client, "d");
    Fixtures.executors(client, "d", 2);
    ExecutorAutoscalerSpec d = Fixtures.spec("d");
    d.signals.kafka.authSecretRef = new ExecutorAutoscalerSpec.SecretRef();
    d.signals.kafka.authSecretRef.name = "d-kafka";
    Fixtures.create(client, "d", d);
    signals.kafka(NS + "/d", 120_000, 5_000, 2_000, 64);
    server
        .expect()
        .put()
        .withPath("/apis/stoker.io/v1alpha1/namespaces/" + NS + "/executorautoscalers/d/status")
        .andReturn(
            409,
            new StatusBuilder()
                .withCode(409)
                .withReason("Conflict")
                .withMessage("the object has been modified")
                .build())
        .once();

    // A /scale target.
    Fixtures.statefulSet(client, "workers", 2);
    Fixtures.create(client, "workers", Fixtures.scaleSpec("workers"));
    signals.kafka(NS + "/workers", 120_000, 5_000, 2_000, 64);

    // A SparkApplication whose driver pod is found through its status.
    Fixtures.sparkApplicationCrd(client);
    Fixtures.driver(client, "etl");
    Fixtures.executors(client, "etl", 3);
    client
        .genericKubernetesResources("sparkoperator.k8s.io/v1beta2", "SparkApplication")
        .resource(
            new GenericKubernetesResourceBuilder()
                .withApiVersion("sparkoperator.k8s.io/v1beta2")
                .withKind("SparkApplication")
                .withNewMetadata()
                .withNamespace(NS)
                .withName("etl")
                .endMetadata()
                .withAdditionalProperties(
                    Map.of("status", Map.of("driverInfo", Map.of("podName", "etl-driver"))))
                .build())
        .create();
    ExecutorAutoscalerSpec etl = Fixtures.spec("etl");
    etl.target = new ExecutorAutoscalerSpec.Target();
    etl.target.sparkApplication = "etl";
    Fixtures.create(client, "etl", etl);
    signals.kafka(NS + "/etl", 120_000, 5_000, 3_000, 64);
  }
}
