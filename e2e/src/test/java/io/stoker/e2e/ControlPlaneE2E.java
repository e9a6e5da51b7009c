package io.stoker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.BufferedReader;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real control plane: RBAC is enforced, and the ExecutorAutoscaler CRD is accepted by a real
 * kube-apiserver, whose schema validation (structural schema, CEL rules) rejects what the mock
 * server would let through.
 */
class ControlPlaneE2E {
  private static ControlPlane cp;
  private static KubernetesClient admin;

  @BeforeAll
  static void start() throws IOException {
    cp = ControlPlane.start();
    admin = cp.adminClient();
    Crd.install(admin);
  }

  @AfterAll
  static void stop() {
    if (admin != null) {
      admin.close();
    }
    if (cp != null) {
      cp.close();
    }
  }

  @Test
  void anApiServerPortTakenBeforeItIsBoundIsRetriedOnAFreshOne() throws IOException {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), Loopback.freePort()));
      Iterator<Integer> ports = List.of(taken.getLocalPort(), Loopback.freePort()).iterator();
      try (ControlPlane second = ControlPlane.start(ports::next)) {
        assertThat(second.apiPort()).isNotEqualTo(taken.getLocalPort());
        try (KubernetesClient client = second.adminClient()) {
          assertThat(client.namespaces().withName("default").get()).isNotNull();
        }
      }
    }
  }

  @Test
  void freePortsAreBelowTheKernelsEphemeralRangeAndNeverHandedOutTwice() throws IOException {
    int ephemeralLow;
    try (BufferedReader range =
        Files.newBufferedReader(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))) {
      ephemeralLow = Integer.parseInt(range.readLine().split("\\s+")[0]);
    }
    Set<Integer> ports = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      ports.add(Loopback.freePort());
    }
    assertThat(ports).hasSize(200).allSatisfy(p -> assertThat(p).isLessThan(ephemeralLow));
  }

  @Test
  void enforcesRbacOnServiceAccountTokens() {
    admin
        .serviceAccounts()
        .inNamespace("default")
        .resource(
            new ServiceAccountBuilder().withNewMetadata().withName("nobody").endMetadata().build())
        .create();
    TokenRequest token =
        admin
            .serviceAccounts()
            .inNamespace("default")
            .withName("nobody")
            .tokenRequest(
                new TokenRequestBuilder()
                    .withNewSpec()
                    .withExpirationSeconds(600L)
                    .endSpec()
                    .build());
    try (KubernetesClient nobody = cp.clientWithToken(token.getStatus().getToken())) {
      assertThatThrownBy(() -> nobody.pods().inAnyNamespace().list())
          .isInstanceOf(KubernetesClientException.class)
          .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(403));
    }
  }

  @Test
  void acceptsAValidExecutorAutoscaler() {
    GenericKubernetesResource eas =
        autoscaler(
            "valid",
            Map.of(
                "driverSelector", Map.of("matchLabels", Map.of("spark-app-name", "clickstream"))),
            1,
            40);
    GenericKubernetesResource created = easClient().resource(eas).create();
    assertThat(created.getMetadata().getUid()).isNotBlank();
    assertThat(easClient().withName("valid").get()).isNotNull();
  }

  @Test
  void rejectsTwoTargetsNamingTheRule() {
    GenericKubernetesResource eas =
        autoscaler(
            "two-targets",
            Map.of(
                "sparkApplication",
                "clickstream",
                "scaleTargetRef",
                Map.of("apiVersion", "apps/v1", "kind", "StatefulSet", "name", "w")),
            1,
            40);
    assertThatThrownBy(() -> easClient().resource(eas).create())
        .isInstanceOf(KubernetesClientException.class)
        .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(422))
        .hasMessageContaining("exactly one of");
  }

  @Test
  void rejectsMinAboveMax() {
    GenericKubernetesResource eas =
        autoscaler("min-above-max", Map.of("sparkApplication", "clickstream"), 9, 3);
    assertThatThrownBy(() -> easClient().resource(eas).create())
        .isInstanceOf(KubernetesClientException.class)
        .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(422))
        .hasMessageContaining("minExecutors");
  }

  private static io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<
          GenericKubernetesResource,
          io.fabric8.kubernetes.api.model.GenericKubernetesResourceList,
          io.fabric8.kubernetes.client.dsl.Resource<GenericKubernetesResource>>
      easClient() {
    return admin
        .genericKubernetesResources("stoker.io/v1alpha1", "ExecutorAutoscaler")
        .inNamespace("default");
  }

  private static GenericKubernetesResource autoscaler(
      String name, Map<String, Object> target, int min, int max) {
    return new GenericKubernetesResourceBuilder()
        .withApiVersion("stoker.io/v1alpha1")
        .withKind("ExecutorAutoscaler")
        .withNewMetadata()
        .withName(name)
        .withNamespace("default")
        .endMetadata()
        .addToAdditionalProperties(
            "spec", Map.of("target", target, "minExecutors", min, "maxExecutors", max))
        .build();
  }
}
