package io.stoker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.FieldValidateable.Validation;
import io.stoker.app.config.ConfigParameter;
import io.stoker.app.config.OperatorConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The Helm chart {@code charts/stoker} installed on the real API server as {@code helm install}
 * would: the chart's {@code crds/} first (established), then every object of {@code helm template}
 * (rendered by helm-java) applied server-side with strict field validation. It gives the
 * controller's identity as the chart makes it: a token of the chart's ServiceAccount (TokenRequest
 * API), bound only by the chart's rendered RBAC, and the {@code stoker run} settings of the chart's
 * Deployment.
 */
final class ChartInstall {
  /** The release namespace every test installs into, as the chart's README does. */
  static final String NAMESPACE = "stoker-system";

  static final String RELEASE = "stoker";
  static final Path CHART = Crd.repoRoot().resolve("charts/stoker");

  private static final Set<String> CLUSTER_SCOPED =
      Set.of("ClusterRole", "ClusterRoleBinding", "PriorityClass", "Namespace");

  private final KubernetesClient admin;
  private final String namespace;
  private final List<HasMetadata> applied;
  private final Deployment deployment;
  private final String serviceAccount;

  private ChartInstall(KubernetesClient admin, String namespace, List<HasMetadata> applied) {
    this.admin = admin;
    this.namespace = namespace;
    this.applied = List.copyOf(applied);
    this.deployment =
        applied.stream()
            .filter(Deployment.class::isInstance)
            .map(Deployment.class::cast)
            .findFirst()
            .orElseThrow(() -> new AssertionError("the chart rendered no Deployment"));
    this.serviceAccount =
        applied.stream()
            .filter(o -> o.getKind().equals("ServiceAccount"))
            .map(o -> o.getMetadata().getName())
            .findFirst()
            .orElseThrow(() -> new AssertionError("the chart rendered no ServiceAccount"));
  }

  /**
   * {@code helm install stoker charts/stoker -n stoker-system} with {@code --set} values {@code
   * sets}: the CRDs, the namespace, and every object of the release.
   */
  static ChartInstall install(KubernetesClient admin, Map<String, ?> sets) {
    List<HasMetadata> out = new ArrayList<>(installCrds(admin));
    SparkPods.namespace(admin, NAMESPACE);
    out.addAll(apply(admin, render(RELEASE, NAMESPACE, sets), NAMESPACE));
    return new ChartInstall(admin, NAMESPACE, out);
  }

  /** {@code helm template} of the chart (CRDs are applied from crds/, as helm install does). */
  static String render(String release, String namespace, Map<String, ?> sets, Path... values) {
    TemplateCommand t =
        new Helm(CHART)
            .template()
            .withName(release)
            .withNamespace(namespace)
            .withKubeVersion(System.getProperty("stoker.kube.version", "v1.34.4"));
    for (Path v : values) {
      t = t.withValuesFile(v.toAbsolutePath());
    }
    for (Map.Entry<String, ?> e : sets.entrySet()) {
      t = t.set(e.getKey(), e.getValue());
    }
    return t.call();
  }

  /** Applies every object of a manifest server-side, strictly; returns what the server stored. */
  static List<HasMetadata> apply(KubernetesClient admin, String manifest, String namespace) {
    List<HasMetadata> objects =
        admin.load(new ByteArrayInputStream(manifest.getBytes(StandardCharsets.UTF_8))).items();
    assertThat(objects).isNotEmpty();
    List<HasMetadata> out = new ArrayList<>();
    for (HasMetadata o : objects) {
      if (o.getMetadata().getNamespace() == null && !CLUSTER_SCOPED.contains(o.getKind())) {
        o.getMetadata().setNamespace(namespace);
      }
      out.add(admin.resource(o).fieldValidation(Validation.STRICT).serverSideApply());
    }
    return out;
  }

  /** The chart's crds/ (byte-identical to the controller's CRD), applied and established. */
  static List<CustomResourceDefinition> installCrds(KubernetesClient admin) {
    List<Path> files;
    try (Stream<Path> s = Files.list(CHART.resolve("crds"))) {
      files = s.sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    assertThat(files).isNotEmpty();
    List<CustomResourceDefinition> out = new ArrayList<>();
    for (Path f : files) {
      try (InputStream in = Files.newInputStream(f)) {
        CustomResourceDefinition def =
            admin.apiextensions().v1().customResourceDefinitions().load(in).item();
        out.add(admin.resource(def).fieldValidation(Validation.STRICT).serverSideApply());
        await("CRD " + def.getMetadata().getName() + " established")
            .atMost(Duration.ofSeconds(30))
            .until(() -> established(admin, def.getMetadata().getName()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out;
  }

  private static boolean established(KubernetesClient admin, String name) {
    CustomResourceDefinition d =
        admin.apiextensions().v1().customResourceDefinitions().withName(name).get();
    return d != null
        && d.getStatus() != null
        && d.getStatus().getConditions().stream()
            .anyMatch(c -> c.getType().equals("Established") && c.getStatus().equals("True"));
  }

  /** Every object the install applied (CRDs first), as the API server stored it. */
  List<HasMetadata> applied() {
    return applied;
  }

  String serviceAccount() {
    return serviceAccount;
  }

  String namespace() {
    return namespace;
  }

  /** A fresh token of the chart's ServiceAccount (TokenRequest API), valid for an hour. */
  String token() {
    return admin
        .serviceAccounts()
        .inNamespace(namespace)
        .withName(serviceAccount)
        .tokenRequest(
            new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3600L).endSpec().build())
        .getStatus()
        .getToken();
  }

  /**
   * The {@code stoker run} flags the chart's Deployment sets, read from its STOKER_* variables as
   * the API server stored them (the identity comes from the downward API and is given by the test).
   */
  Map<String, String> flags() {
    Map<String, String> flags = new HashMap<>();
    for (EnvVar e : deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()) {
      if (e.getValueFrom() != null) {
        continue;
      }
      for (ConfigParameter<?> p : OperatorConfig.PARAMETERS) {
        if (p.env().equals(e.getName())) {
          // The API server stores an empty value as no value: the container sees "".
          flags.put(p.key(), e.getValue() == null ? "" : e.getValue());
        }
      }
    }
    return flags;
  }

  /**
   * The settings of {@link InProcessController#flags} (short ticks and leases), then the chart's
   * Deployment's, with the ports the chart gives replaced by free ones ({@code 0}): the controller
   * runs in the test JVM, next to other tests' controllers.
   */
  Map<String, String> controllerFlags() {
    Map<String, String> flags = new HashMap<>(flags());
    flags.put("metrics-port", "0");
    if (flags.containsKey("grpc-port")) {
      flags.put("grpc-port", "0");
      flags.put("grpc-address", "127.0.0.1");
    }
    return InProcessController.flags(flags);
  }
}
