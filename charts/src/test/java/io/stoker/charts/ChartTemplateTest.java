package io.stoker.charts;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import io.stoker.app.config.ConfigParameter;
import io.stoker.app.config.OperatorConfig;
import io.stoker.charts.Chart.Rendered;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code helm template} with value variants, parsed and asserted object by object. */
class ChartTemplateTest {
  static final Set<String> STANDARD_LABELS =
      Set.of(
          "app.kubernetes.io/name",
          "app.kubernetes.io/instance",
          "app.kubernetes.io/version",
          "app.kubernetes.io/managed-by",
          "helm.sh/chart");

  /** gRPC on, with the namespace KEDA calls from (the NetworkPolicy is on by default). */
  static final Map<String, Object> GRPC =
      Chart.sets("grpc.enabled", true, "networkPolicy.grpcFromNamespaces[0]", "keda");

  static List<Rendered> variants() {
    return List.of(
        Chart.defaults(),
        Chart.allFeatures(),
        Chart.render(Map.of("watchNamespace", "team-a"), Chart.ALL_FEATURES),
        Chart.render(
            Chart.sets("watchNamespaces[0]", "team-a", "watchNamespaces[1]", "team-b"),
            Chart.ALL_FEATURES),
        Chart.render(Map.of(), Chart.PRODUCTION_EXAMPLE));
  }

  @Test
  void everyObjectCarriesTheStandardLabels() {
    for (Rendered r : variants()) {
      assertThat(r.objects()).isNotEmpty();
      for (HasMetadata o : r.objects()) {
        Map<String, String> labels = o.getMetadata().getLabels();
        assertThat(labels).as("%s %s", o.getKind(), o.getMetadata().getName()).isNotNull();
        assertThat(labels.keySet())
            .as("%s %s", o.getKind(), o.getMetadata().getName())
            .containsAll(STANDARD_LABELS);
        assertThat(labels)
            .containsEntry("app.kubernetes.io/name", "stoker")
            .containsEntry("app.kubernetes.io/instance", Chart.RELEASE)
            .containsEntry("app.kubernetes.io/version", "0.1.0")
            .containsEntry("app.kubernetes.io/managed-by", "Helm")
            .containsEntry("helm.sh/chart", "stoker-0.1.0");
      }
      Map<String, String> podLabels =
          r.deployment().getSpec().getTemplate().getMetadata().getLabels();
      assertThat(podLabels.keySet()).containsAll(STANDARD_LABELS);
      assertThat(podLabels)
          .containsAllEntriesOf(r.deployment().getSpec().getSelector().getMatchLabels());
    }
  }

  @Test
  void commonLabelsCannotReplaceTheStandardOnes() {
    Rendered r =
        Chart.render(
            Chart.sets(
                "commonLabels.team", "data",
                "commonLabels.app\\.kubernetes\\.io/name", "other",
                "podLabels.app\\.kubernetes\\.io/instance", "other"));
    for (HasMetadata o : r.objects()) {
      assertThat(o.getMetadata().getLabels())
          .containsEntry("team", "data")
          .containsEntry("app.kubernetes.io/name", "stoker");
    }
    assertThat(r.deployment().getSpec().getTemplate().getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/instance", Chart.RELEASE);
  }

  @Test
  void theControllerRunsWithTheRestrictedSecurityContext() {
    for (Rendered r : variants()) {
      PodSpec pod = r.deployment().getSpec().getTemplate().getSpec();
      assertThat(pod.getSecurityContext())
          .isEqualTo(
              Chart.SERIALIZATION.unmarshal(
                  String.join(
                      "\n",
                      "runAsNonRoot: true",
                      "runAsUser: 10001",
                      "runAsGroup: 10001",
                      "fsGroup: 10001",
                      "seccompProfile: {type: RuntimeDefault}"),
                  PodSecurityContext.class));
      assertThat(r.container().getSecurityContext())
          .isEqualTo(
              Chart.SERIALIZATION.unmarshal(
                  String.join(
                      "\n",
                      "allowPrivilegeEscalation: false",
                      "readOnlyRootFilesystem: true",
                      "runAsNonRoot: true",
                      "capabilities: {drop: [ALL]}",
                      "seccompProfile: {type: RuntimeDefault}"),
                  SecurityContext.class));
      assertThat(r.container().getSecurityContext().getPrivileged()).isNull();
      assertThat(r.container().getSecurityContext().getCapabilities().getAdd()).isNullOrEmpty();
      assertThat(pod.getHostNetwork()).isNull();
      assertThat(pod.getHostPID()).isNull();
      // The root filesystem is read-only: /tmp is an emptyDir.
      assertThat(r.container().getVolumeMounts())
          .extracting(VolumeMount::getMountPath)
          .contains("/tmp");
      assertThat(pod.getVolumes())
          .filteredOn(v -> v.getName().equals("tmp"))
          .singleElement()
          .satisfies(v -> assertThat(v.getEmptyDir()).isNotNull());
    }
  }

  @Test
  void theControllerRequestsResources() {
    Container c = Chart.defaults().container();
    assertThat(c.getResources().getRequests())
        .containsKeys("cpu", "memory")
        .containsEntry("cpu", new Quantity("200m"))
        .containsEntry("memory", new Quantity("384Mi"));
    assertThat(c.getResources().getLimits()).containsEntry("memory", new Quantity("768Mi"));
  }

  @Test
  void deploymentTakesReplicasAndImageFromValues() {
    Rendered d = Chart.defaults();
    assertThat(d.deployment().getSpec().getReplicas()).isEqualTo(1);
    assertThat(d.container().getImage()).isEqualTo("ghcr.io/stoker-io/stoker:0.1.0");
    Rendered r =
        Chart.render(
            Chart.sets(
                "replicas",
                3,
                "image.repository",
                "registry.example.com/stoker",
                "image.tag",
                "x"));
    assertThat(r.deployment().getSpec().getReplicas()).isEqualTo(3);
    assertThat(r.container().getImage()).isEqualTo("registry.example.com/stoker:x");
  }

  @Test
  void chartAppVersionIsTheProjectVersion() throws Exception {
    String project = System.getProperty("stoker.project.version", "").replace("-SNAPSHOT", "");
    assertThat(project).isNotBlank();
    assertThat(Files.readString(Chart.DIR.resolve("Chart.yaml")))
        .contains("appVersion: \"" + project + "\"");
  }

  @Test
  void everyEnvVarIsAKnownConfigKey() {
    Set<String> known =
        OperatorConfig.PARAMETERS.stream().map(ConfigParameter::env).collect(Collectors.toSet());
    for (Rendered r : variants()) {
      Set<String> stoker =
          r.env().keySet().stream().filter(n -> n.startsWith("STOKER_")).collect(toTreeSet());
      assertThat(stoker).isNotEmpty();
      assertThat(known).as("declared in OperatorConfig.PARAMETERS").containsAll(stoker);
      assertThat(r.env().keySet())
          .as("only STOKER_* settings and the JVM's options")
          .allMatch(n -> n.startsWith("STOKER_") || n.equals("JDK_JAVA_OPTIONS"));
      assertThat(r.container().getArgs()).as("configured by env only").isNullOrEmpty();
    }
  }

  @Test
  void theDeploymentConfiguresTheControllerForTheRelease() {
    Rendered r = Chart.defaults();
    Map<String, String> env = r.env();
    assertThat(env)
        .containsEntry(OperatorConfig.NAMESPACE.env(), "")
        .containsEntry(OperatorConfig.METRICS_PORT.env(), "8080")
        .containsEntry(OperatorConfig.LEADER_ELECTION.env(), "true")
        .containsEntry(OperatorConfig.LEASE_NAMESPACE.env(), Chart.NAMESPACE)
        .containsEntry(OperatorConfig.LEASE_NAME.env(), "stoker")
        .doesNotContainKey(OperatorConfig.GRPC_PORT.env());
    EnvVar identity =
        r.container().getEnv().stream()
            .filter(e -> e.getName().equals(OperatorConfig.IDENTITY.env()))
            .findFirst()
            .orElseThrow();
    assertThat(identity.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name");
    assertThat(r.container().getPorts())
        .singleElement()
        .satisfies(p -> assertThat(p.getContainerPort()).isEqualTo(8080));
    assertThat(r.container().getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(r.container().getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(r.deployment().getSpec().getTemplate().getSpec().getServiceAccountName())
        .isEqualTo("stoker");

    Map<String, String> watched =
        Chart.render(Chart.sets("watchNamespace", "team-a", "leaderElection.enabled", false)).env();
    assertThat(watched)
        .containsEntry(OperatorConfig.NAMESPACE.env(), "team-a")
        .containsEntry(OperatorConfig.LEADER_ELECTION.env(), "false")
        .doesNotContainKey(OperatorConfig.LEASE_NAMESPACE.env());
    // A list, with the single value too: the union, once each.
    assertThat(
            Chart.render(
                    Chart.sets(
                        "watchNamespace", "team-b",
                        "watchNamespaces[0]", "team-a",
                        "watchNamespaces[1]", "team-b"))
                .env())
        .containsEntry(OperatorConfig.NAMESPACE.env(), "team-b,team-a");
    assertThat(
            OperatorConfig.defaults(Map.of("namespace", "team-b,team-a"))
                .get(OperatorConfig.NAMESPACE))
        .containsExactly("team-b", "team-a");
  }

  @Test
  void chartDefaultsAreTheControllersDefaults() {
    Map<String, String> env = Chart.allFeatures().env();
    Map<String, String> defaults =
        Chart.render(
                Chart.sets(
                    "placeholders.enabled", true,
                    "shuffleProtection.enabled", true,
                    "nodeHints.enabled", true))
            .env();
    for (ConfigParameter<?> p :
        List.of(
            OperatorConfig.PLACEHOLDER_IMAGE,
            OperatorConfig.NODE_GROUP_LABEL,
            OperatorConfig.EVICTION_HOLD,
            OperatorConfig.KARPENTER_DO_NOT_DISRUPT,
            OperatorConfig.METRICS_PORT,
            OperatorConfig.LEADER_ELECTION)) {
      assertThat(defaults).as(p.env()).containsEntry(p.env(), p.defaultValue());
    }
    assertThat(env).containsEntry(OperatorConfig.NODE_GROUP_LABEL.env(), "karpenter.sh/nodepool");
  }

  @Test
  void configSettingsBecomeEnvVarsAndNumbersStayIntegers() {
    Map<String, String> env = Chart.allFeatures().env();
    assertThat(env)
        .containsEntry("STOKER_TICK_INTERVAL", "5s")
        .containsEntry("STOKER_KUBE_WRITES_PER_SECOND", "40")
        .containsEntry("STOKER_KUBE_WRITES_BURST", "1000000")
        .containsEntry("STOKER_JVM_METRICS", "false");
    assertThat(Chart.render(Map.of("config.kube-writes-burst", 1000000)).env())
        .containsEntry("STOKER_KUBE_WRITES_BURST", "1000000");
  }

  /**
   * {@code config} takes exactly the settings the chart does not set itself: together with the
   * variables the chart renders (every feature on) they are all of {@link OperatorConfig}'s
   * parameters, with no overlap (no setting given twice).
   */
  @Test
  void configAcceptsExactlyTheSettingsTheChartDoesNotSet() {
    // What the all-features file gives under config is not what the chart sets itself.
    Set<String> fromConfig =
        allFeaturesConfigKeys().stream().map(k -> envOf(k)).collect(toTreeSet());
    Set<String> chartSet =
        Chart.allFeatures().env().keySet().stream()
            .filter(n -> n.startsWith("STOKER_") && !fromConfig.contains(n))
            .collect(toTreeSet());
    assertThat(fromConfig).isNotEmpty();
    List<String> allowed = ValuesSchemaTest.configKeys();
    Set<String> allowedEnv = allowed.stream().map(k -> envOf(k)).collect(toTreeSet());
    Set<String> all =
        OperatorConfig.PARAMETERS.stream().map(ConfigParameter::env).collect(toTreeSet());
    Set<String> union = new TreeSet<>(chartSet);
    union.addAll(allowedEnv);
    Set<String> overlap = new TreeSet<>(chartSet);
    overlap.retainAll(allowedEnv);
    assertThat(overlap).as("set by the chart and also allowed under config").isEmpty();
    assertThat(union).as("every setting reachable through the values").isEqualTo(all);
  }

  @Test
  void twoReplicasWithLeaderElectionGetADisruptionBudgetOfOne() {
    PodDisruptionBudget pdb = Chart.render(Map.of("replicas", 2)).one(PodDisruptionBudget.class);
    assertThat(pdb.getSpec().getMinAvailable()).isEqualTo(new IntOrString(1));
    assertThat(pdb.getSpec().getMaxUnavailable()).isNull();
    assertThat(pdb.getSpec().getSelector().getMatchLabels())
        .isEqualTo(Chart.defaults().deployment().getSpec().getSelector().getMatchLabels());
    assertThat(Chart.defaults().all(PodDisruptionBudget.class))
        .as("one replica: a budget would block node drains")
        .isEmpty();
    assertThat(
            Chart.render(Chart.sets("replicas", 2, "podDisruptionBudget.enabled", false))
                .all(PodDisruptionBudget.class))
        .isEmpty();
  }

  @Test
  void networkPolicyAdmitsOnlyTheConfiguredNamespacesToMetricsAndGrpc() {
    assertThat(Chart.render(Chart.sets("networkPolicy.enabled", false)).all(NetworkPolicy.class))
        .isEmpty();
    NetworkPolicy np = Chart.allFeatures().one(NetworkPolicy.class);
    assertThat(np.getSpec().getPolicyTypes()).containsExactly("Ingress", "Egress");
    assertThat(np.getSpec().getPodSelector().getMatchLabels())
        .isEqualTo(Chart.defaults().deployment().getSpec().getSelector().getMatchLabels());
    assertThat(np.getSpec().getIngress()).hasSize(2);
    for (NetworkPolicyIngressRule rule : np.getSpec().getIngress()) {
      assertThat(rule.getFrom()).as("no rule without a source").isNotEmpty();
      assertThat(rule.getPorts()).as("no rule without a port").hasSize(1);
      for (NetworkPolicyPeer peer : rule.getFrom()) {
        assertThat(peer.getPodSelector()).isNull();
        assertThat(peer.getIpBlock()).isNull();
      }
    }
    assertThat(admitted(np, "http-metrics")).containsExactly("monitoring");
    assertThat(admitted(np, "grpc")).containsExactly("keda");
    // By default (no namespaces): nothing is admitted; gRPC off: no gRPC rule.
    NetworkPolicy closed = Chart.defaults().one(NetworkPolicy.class);
    assertThat(closed.getSpec().getIngress()).isEmpty();
    NetworkPolicy noGrpc =
        Chart.render(Map.of("grpc.enabled", false), Chart.ALL_FEATURES).one(NetworkPolicy.class);
    assertThat(noGrpc.getSpec().getIngress()).hasSize(1);
    assertThat(admitted(noGrpc, "http-metrics")).containsExactly("monitoring");
  }

  @Test
  void networkPolicyIsOnByDefaultAndLetsOutOnlyDnsTheApiServerAndTheSignalSources(@TempDir Path tmp)
      throws Exception {
    NetworkPolicy np = Chart.defaults().one(NetworkPolicy.class);
    assertThat(np.getSpec().getPolicyTypes()).containsExactly("Ingress", "Egress");
    List<NetworkPolicyEgressRule> egress = np.getSpec().getEgress();
    assertThat(egress)
        .extracting(ChartTemplateTest::ports)
        .containsExactly(
            List.of("UDP/53", "TCP/53"),
            List.of("TCP/443", "TCP/6443"),
            List.of("TCP/9092", "TCP/9093"),
            List.of("TCP/4040"),
            List.of("TCP/9090"));
    // Every destination is bound to its ports; the Spark drivers also to the driver pods.
    assertThat(egress).allSatisfy(r -> assertThat(r.getPorts()).isNotEmpty());
    assertThat(egress.get(0).getTo()).isNullOrEmpty();
    NetworkPolicyPeer drivers = egress.get(3).getTo().get(0);
    assertThat(drivers.getPodSelector().getMatchLabels()).isEqualTo(Map.of("spark-role", "driver"));
    assertThat(drivers.getNamespaceSelector().getMatchLabels()).isNullOrEmpty();
    assertThat(drivers.getNamespaceSelector().getMatchExpressions()).isNullOrEmpty();

    // Namespace-scoped: the drivers of the watched namespaces only.
    NetworkPolicyPeer scoped =
        Chart.render(Chart.sets("watchNamespaces[0]", "team-a", "watchNamespaces[1]", "team-b"))
            .one(NetworkPolicy.class)
            .getSpec()
            .getEgress()
            .get(3)
            .getTo()
            .get(0);
    assertThat(scoped.getNamespaceSelector().getMatchExpressions())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getKey()).isEqualTo("kubernetes.io/metadata.name");
              assertThat(e.getValues()).containsExactly("team-a", "team-b");
            });

    // Users narrow, drop and add destinations.
    Path values = tmp.resolve("egress.yaml");
    Files.writeString(
        values,
        """
        networkPolicy:
          egress:
            kafka: {ports: [9094], to: [{ipBlock: {cidr: 10.20.0.0/16}}]}
            prometheus: {ports: []}
            extra: [{ports: [{port: 8443}], to: [{ipBlock: {cidr: 10.0.5.0/24}}]}]
        """);
    List<NetworkPolicyEgressRule> custom =
        Chart.render(Map.of(), values).one(NetworkPolicy.class).getSpec().getEgress();
    assertThat(custom).hasSize(5);
    assertThat(ports(custom.get(2))).containsExactly("TCP/9094");
    assertThat(custom.get(2).getTo().get(0).getIpBlock().getCidr()).isEqualTo("10.20.0.0/16");
    assertThat(custom).noneMatch(r -> ports(r).contains("TCP/9090"));
    assertThat(custom.get(4).getTo().get(0).getIpBlock().getCidr()).isEqualTo("10.0.5.0/24");

    // Egress unrestricted on request; no destination at all: nothing goes out.
    NetworkPolicy open =
        Chart.render(Chart.sets("networkPolicy.egress.enabled", false)).one(NetworkPolicy.class);
    assertThat(open.getSpec().getPolicyTypes()).containsExactly("Ingress");
    assertThat(open.getSpec().getEgress()).isNullOrEmpty();
    Path none = tmp.resolve("none.yaml");
    Files.writeString(
        none,
        """
        networkPolicy:
          egress:
            dns: {ports: []}
            apiServer: {ports: []}
            kafka: {ports: []}
            sparkDrivers: {ports: []}
            prometheus: {ports: []}
        """);
    NetworkPolicy closed = Chart.render(Map.of(), none).one(NetworkPolicy.class);
    assertThat(closed.getSpec().getPolicyTypes()).contains("Egress");
    assertThat(closed.getSpec().getEgress()).isEmpty();
  }

  private static List<String> ports(NetworkPolicyEgressRule rule) {
    return rule.getPorts().stream()
        .map(p -> p.getProtocol() + "/" + p.getPort().getIntVal())
        .toList();
  }

  @Test
  void serviceMonitorOnlyWhenEnabled() {
    assertThat(Chart.defaults().ofKind("ServiceMonitor")).isEmpty();
    HasMetadata sm = Chart.allFeatures().ofKind("ServiceMonitor").get(0);
    assertThat(sm.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
    assertThat(sm.getMetadata().getLabels()).containsEntry("release", "prometheus");
    @SuppressWarnings("unchecked")
    Map<String, Object> spec =
        (Map<String, Object>)
            ((io.fabric8.kubernetes.api.model.GenericKubernetesResource) sm)
                .getAdditionalProperties()
                .get("spec");
    assertThat(spec.toString()).contains("port=http-metrics").contains("path=/metrics");
    // It selects the metrics Service.
    Service metrics = Chart.allFeatures().find(Service.class, "stoker-metrics").orElseThrow();
    @SuppressWarnings("unchecked")
    Map<String, String> selector =
        (Map<String, String>) ((Map<String, Object>) spec.get("selector")).get("matchLabels");
    assertThat(metrics.getMetadata().getLabels()).containsAllEntriesOf(selector);
  }

  @Test
  void grpcServiceOnlyWhenGrpcIsEnabled() {
    Rendered d = Chart.defaults();
    assertThat(d.all(Service.class))
        .extracting(s -> s.getMetadata().getName())
        .containsExactly("stoker-metrics");
    Rendered g = Chart.render(GRPC);
    // The name KEDA triggers use: stoker.stoker-system.svc:9090 (docs/keda.md).
    Service grpc = g.find(Service.class, "stoker").orElseThrow();
    ServicePort port = grpc.getSpec().getPorts().get(0);
    assertThat(port.getPort()).isEqualTo(9090);
    assertThat(port.getTargetPort()).isEqualTo(new IntOrString("grpc"));
    assertThat(port.getAppProtocol()).isEqualTo("grpc");
    assertThat(grpc.getSpec().getSelector())
        .isEqualTo(g.deployment().getSpec().getSelector().getMatchLabels());
    assertThat(g.env()).containsEntry(OperatorConfig.GRPC_PORT.env(), "9090");
    assertThat(g.container().getPorts())
        .anySatisfy(
            p -> {
              assertThat(p.getName()).isEqualTo("grpc");
              assertThat(p.getContainerPort()).isEqualTo(9090);
            });
    assertThat(g.env()).doesNotContainKey(OperatorConfig.GRPC_TLS_CERT.env());
  }

  @Test
  void grpcTlsMountsTheSecretsAndPointsTheFlagsAtThem() {
    Rendered r = Chart.allFeatures();
    Map<String, String> env = r.env();
    assertThat(env)
        .containsEntry(OperatorConfig.GRPC_TLS_CERT.env(), "/etc/stoker/grpc-tls/tls.crt")
        .containsEntry(OperatorConfig.GRPC_TLS_KEY.env(), "/etc/stoker/grpc-tls/tls.key")
        .containsEntry(
            OperatorConfig.GRPC_TLS_CLIENT_CA.env(), "/etc/stoker/grpc-client-ca/ca.crt");
    List<Volume> volumes = r.deployment().getSpec().getTemplate().getSpec().getVolumes();
    assertThat(volumes)
        .filteredOn(v -> v.getSecret() != null)
        .extracting(v -> v.getSecret().getSecretName())
        .containsExactlyInAnyOrder("stoker-grpc-tls", "keda-client-ca");
    assertThat(r.container().getVolumeMounts())
        .filteredOn(m -> m.getMountPath().startsWith("/etc/stoker/"))
        .allSatisfy(m -> assertThat(m.getReadOnly()).isTrue())
        .extracting(VolumeMount::getMountPath)
        .containsExactlyInAnyOrder("/etc/stoker/grpc-tls", "/etc/stoker/grpc-client-ca");
    // TLS without client certificates.
    Rendered tls =
        Chart.render(
            Chart.sets(
                "grpc.enabled", true,
                "networkPolicy.grpcFromNamespaces[0]", "keda",
                "grpc.tls.secretName", "stoker-tls"));
    assertThat(tls.env())
        .containsKeys(OperatorConfig.GRPC_TLS_CERT.env(), OperatorConfig.GRPC_TLS_KEY.env())
        .doesNotContainKey(OperatorConfig.GRPC_TLS_CLIENT_CA.env());
    // No gRPC: no TLS either, even if a Secret is named.
    Rendered off = Chart.render(Chart.sets("grpc.tls.secretName", "stoker-tls"));
    assertThat(off.env()).doesNotContainKey(OperatorConfig.GRPC_TLS_CERT.env());
    assertThat(off.deployment().getSpec().getTemplate().getSpec().getVolumes())
        .allSatisfy(v -> assertThat(v.getSecret()).isNull());
  }

  @Test
  void placeholdersComeWithTheirPriorityClass() {
    assertThat(Chart.defaults().all(PriorityClass.class)).isEmpty();
    PriorityClass pc = Chart.allFeatures().one(PriorityClass.class);
    assertThat(pc.getMetadata().getName()).isEqualTo("stoker-placeholder");
    assertThat(pc.getValue()).isEqualTo(-10);
    assertThat(pc.getGlobalDefault()).isFalse();
    assertThat(
            Chart.render(Map.of("placeholders.priorityClass.create", false), Chart.ALL_FEATURES)
                .all(PriorityClass.class))
        .isEmpty();
  }

  @Test
  void serviceAccountCanBeBroughtByTheUser() {
    Rendered r =
        Chart.render(Chart.sets("serviceAccount.create", false, "serviceAccount.name", "mine"));
    assertThat(r.ofKind("ServiceAccount")).isEmpty();
    assertThat(r.deployment().getSpec().getTemplate().getSpec().getServiceAccountName())
        .isEqualTo("mine");
    assertThat(r.all(io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding.class))
        .allSatisfy(b -> assertThat(b.getSubjects().get(0).getName()).isEqualTo("mine"));
  }

  private static List<String> admitted(NetworkPolicy np, String port) {
    return np.getSpec().getIngress().stream()
        .filter(r -> r.getPorts().stream().anyMatch(p -> p.getPort().equals(new IntOrString(port))))
        .flatMap(r -> r.getFrom().stream())
        .flatMap(p -> p.getNamespaceSelector().getMatchExpressions().stream())
        .peek(
            e -> {
              assertThat(e.getKey()).isEqualTo("kubernetes.io/metadata.name");
              assertThat(e.getOperator()).isEqualTo("In");
            })
        .flatMap(e -> e.getValues().stream())
        .toList();
  }

  private static String envOf(String key) {
    return OperatorConfig.PARAMETERS.stream()
        .filter(p -> p.key().equals(key))
        .findFirst()
        .orElseThrow(() -> new AssertionError("config." + key + " is no setting"))
        .env();
  }

  @SuppressWarnings("unchecked")
  private static Set<String> allFeaturesConfigKeys() {
    try {
      Map<String, Object> values =
          Chart.SERIALIZATION.unmarshal(Files.readString(Chart.ALL_FEATURES), Map.class);
      return ((Map<String, Object>) values.get("config")).keySet();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static java.util.stream.Collector<String, ?, TreeSet<String>> toTreeSet() {
    return Collectors.toCollection(TreeSet::new);
  }
}
