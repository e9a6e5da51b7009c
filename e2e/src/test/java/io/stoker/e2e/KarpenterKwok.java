package io.stoker.e2e;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Karpenter with its kwok cloud provider (built by {@code e2e/tools/build-karpenter-kwok.sh}) as
 * the cluster's node autoscaler: the real provisioning and disruption (consolidation) controllers,
 * whose "instances" are Nodes annotated for kwok ({@link KwokNodes}), created after the
 * KWOKNodeClass's registration delay. {@link #start} applies the CRDs shipped in the same module
 * and runs it out of cluster (log {@code karpenter}; stopped with the control plane). It needs a
 * scheduler, kwok and a controller manager with {@code node-lifecycle-controller}: until that
 * controller clears a new Node's not-ready taint, Karpenter does not count the Node initialized.
 */
final class KarpenterKwok {
  private final KubernetesClient admin;

  private KarpenterKwok(KubernetesClient admin) {
    this.admin = admin;
  }

  static Path home() {
    String version = System.getProperty("stoker.karpenter.version", "v1.15.0");
    Path bin =
        ControlPlane.tool("karpenter-kwok-" + version, "build-karpenter-kwok.sh", "karpenter-kwok");
    if (!Files.exists(bin.resolve("crds/.complete"))) {
      throw new IllegalStateException(
          "Karpenter's CRDs are not in "
              + bin.resolve("crds")
              + ": run e2e/tools/build-karpenter-kwok.sh");
    }
    return bin;
  }

  static KarpenterKwok start(ControlPlane cp, KubernetesClient admin) throws IOException {
    Path home = home();
    List<Path> crds;
    try (Stream<Path> files = Files.list(home.resolve("crds"))) {
      crds = files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    }
    List<String> names = new ArrayList<>();
    for (Path f : crds) {
      try (InputStream in = Files.newInputStream(f)) {
        CustomResourceDefinition crd =
            admin.apiextensions().v1().customResourceDefinitions().load(in).item();
        admin.apiextensions().v1().customResourceDefinitions().resource(crd).serverSideApply();
        names.add(crd.getMetadata().getName());
      }
    }
    await("Karpenter's CRDs established")
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                names.stream()
                    .allMatch(
                        n -> {
                          CustomResourceDefinition d =
                              admin
                                  .apiextensions()
                                  .v1()
                                  .customResourceDefinitions()
                                  .withName(n)
                                  .get();
                          return d != null
                              && d.getStatus() != null
                              && d.getStatus().getConditions().stream()
                                  .anyMatch(
                                      c ->
                                          c.getType().equals("Established")
                                              && c.getStatus().equals("True"));
                        }));
    // Out of cluster: the kubeconfig comes from $KUBECONFIG (Karpenter's own flag set has no
    // --kubeconfig); no leader election (it would need a namespace it cannot infer); its metrics
    // and health ports listen on every interface, so free ones.
    cp.startProcess(
        "karpenter",
        List.of(home.resolve("karpenter-kwok").toString()),
        Map.of(
            "KUBECONFIG", cp.adminKubeconfig().toString(),
            "DISABLE_LEADER_ELECTION", "true",
            "METRICS_PORT", String.valueOf(Loopback.freePort()),
            "HEALTH_PROBE_PORT", String.valueOf(Loopback.freePort()),
            "LOG_LEVEL", "info"));
    return new KarpenterKwok(admin);
  }

  /** A KWOKNodeClass whose Nodes register {@code delay} after their NodeClaim is launched. */
  void nodeClass(String name, Duration delay) {
    apply(
        """
        apiVersion: karpenter.kwok.sh/v1alpha1
        kind: KWOKNodeClass
        metadata:
          name: %s
        spec:
          nodeRegistrationDelay: %ds
        """
            .formatted(name, delay.toSeconds()));
  }

  /**
   * A NodePool of on-demand {@code instanceType} Nodes of {@code nodeClass}, consolidated when
   * empty or underutilized {@code consolidateAfter} after their last pod change, all at once if
   * need be (budget 100%). Its Nodes carry the label {@code karpenter.sh/nodepool: <name>}.
   */
  void nodePool(String name, String nodeClass, String instanceType, Duration consolidateAfter) {
    apply(
        """
        apiVersion: karpenter.sh/v1
        kind: NodePool
        metadata:
          name: %s
        spec:
          disruption:
            consolidationPolicy: WhenEmptyOrUnderutilized
            consolidateAfter: %ds
            budgets:
            - nodes: "100%%"
          template:
            spec:
              expireAfter: Never
              requirements:
              - key: node.kubernetes.io/instance-type
                operator: In
                values: [%s]
              - key: karpenter.sh/capacity-type
                operator: In
                values: [on-demand]
              nodeClassRef:
                group: karpenter.kwok.sh
                kind: KWOKNodeClass
                name: %s
        """
            .formatted(name, consolidateAfter.toSeconds(), instanceType, nodeClass));
  }

  /** The NodeClaims of a NodePool. */
  List<GenericKubernetesResource> nodeClaims(String pool) {
    return admin
        .genericKubernetesResources("karpenter.sh/v1", "NodeClaim")
        .withLabel("karpenter.sh/nodepool", pool)
        .list()
        .getItems();
  }

  private void apply(String yaml) {
    HasMetadata o = admin.resource(yaml).item();
    admin.resource(o).serverSideApply();
  }
}
