package io.stoker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.APIService;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.FieldValidateable.Validation;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * KEDA (github.com/kedacore/keda/v2, built from its Go module by {@code e2e/tools/build-keda.sh})
 * run out of cluster against a {@link ControlPlane}, as KEDA's own install does in a cluster: its
 * CRDs, the operator (the ScaledObject controller, the scale loop and the gRPC metrics service) and
 * the metrics adapter (the {@code external.metrics.k8s.io} API server the HPA reads), registered
 * with the API server's aggregation layer.
 *
 * <p>Differences from an in-cluster install, each needed because nothing here runs in a pod:
 *
 * <ul>
 *   <li>Both processes use the admin kubeconfig (in a cluster: KEDA's ServiceAccounts and RBAC).
 *   <li>The APIService's Service {@code keda/keda-metrics-apiserver} is {@code type: ExternalName}
 *       with {@code externalName: localhost}: kube-apiserver then proxies to {@code
 *       localhost:<APIService port>}, the adapter on loopback. (EndpointSlices may not hold
 *       loopback addresses, and ClusterIP routing needs kube-proxy.)
 *   <li>Certificates are made at test time ({@link TestCertificates}); certificate rotation is off
 *       (it waits for a kubelet to mount the Secret it writes). The operator serves its gRPC
 *       metrics service with a server certificate for localhost, the adapter calls it with a client
 *       certificate of the same CA, as KEDA's mutual TLS between the two requires.
 *   <li>Every listener is on 127.0.0.1 and a free port, except the adapter's own {@code /metrics}
 *       ({@code --port}), which KEDA binds on all interfaces.
 * </ul>
 *
 * <p>Both run as processes of the {@link ControlPlane} (logs {@code keda-operator} and {@code
 * keda-adapter}, {@link ControlPlane#tail}); {@link #close()} stops them.
 */
final class Keda implements AutoCloseable {
  static final String NAMESPACE = "keda";

  private static final List<String> PROCESSES = List.of("keda-operator", "keda-adapter");

  private final ControlPlane cp;
  private final Path dir;
  private final int operatorHealthPort;

  private Keda(ControlPlane cp, Path dir, int operatorHealthPort) {
    this.cp = cp;
    this.dir = dir;
    this.operatorHealthPort = operatorHealthPort;
  }

  /** The folder of {@code e2e/tools/build-keda.sh}: both binaries, the CRDs, the APIService. */
  static Path binaries() {
    String version = System.getProperty("stoker.keda.version", "v2.21.1");
    Path bin =
        ControlPlane.tool("keda-" + version, "build-keda.sh", "keda-operator", "keda-adapter");
    if (!Files.isRegularFile(bin.resolve("api_service.yaml"))
        || !Files.isDirectory(bin.resolve("crds"))) {
      throw new IllegalStateException(
          "KEDA's CRDs or APIService are missing in " + bin + ": run e2e/tools/build-keda.sh");
    }
    return bin;
  }

  /**
   * Installs KEDA's CRDs, starts the operator and the metrics adapter with {@code kubeconfig} (the
   * admin's), registers the adapter as {@code v1beta1.external.metrics.k8s.io} and waits until the
   * operator is ready and the APIService is available.
   */
  static Keda start(ControlPlane cp, KubernetesClient admin, Path dir) throws IOException {
    Path bin = binaries();
    Files.createDirectories(dir);
    Keda keda = new Keda(cp, dir, Loopback.freePort());
    try {
      installCrds(admin, bin.resolve("crds"));
      SparkPods.namespace(admin, NAMESPACE);
      keda.startProcesses(bin, cp.adminKubeconfig(), admin);
      return keda;
    } catch (IOException | RuntimeException e) {
      keda.close();
      throw e;
    }
  }

  private void startProcesses(Path bin, Path kubeconfig, KubernetesClient admin)
      throws IOException {
    TestCertificates certs;
    try {
      certs = TestCertificates.generate(Files.createDirectories(dir.resolve("pki")));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while making KEDA's certificates", e);
    }
    // KEDA reads ca.crt, tls.crt and tls.key from each side's --cert-dir.
    Path operatorCerts = certDir("operator-certs", certs.ca, certs.serverCert, certs.serverKey);
    Path adapterCerts = certDir("adapter-certs", certs.ca, certs.clientCert, certs.clientKey);
    int grpc = Loopback.freePort();
    int adapterPort = Loopback.freePort();
    Map<String, String> env =
        Map.of(
            // all namespaces; KEDA's own objects (and its leader-election Lease) in "keda"
            "WATCH_NAMESPACE", "",
            "KEDA_CLUSTER_OBJECT_NAMESPACE", NAMESPACE,
            "POD_NAMESPACE", NAMESPACE);
    cp.startProcess(
        "keda-operator",
        List.of(
            bin.resolve("keda-operator").toString(),
            "--kubeconfig=" + kubeconfig,
            "--leader-elect=false",
            "--metrics-bind-address=127.0.0.1:" + Loopback.freePort(),
            "--health-probe-bind-address=127.0.0.1:" + operatorHealthPort,
            "--metrics-service-bind-address=127.0.0.1:" + grpc,
            "--cert-dir=" + operatorCerts,
            "--enable-cert-rotation=false",
            "--zap-log-level=info"),
        env);
    cp.startProcess(
        "keda-adapter",
        List.of(
            bin.resolve("keda-adapter").toString(),
            "--kubeconfig=" + kubeconfig,
            "--lister-kubeconfig=" + kubeconfig,
            "--authentication-kubeconfig=" + kubeconfig,
            "--authorization-kubeconfig=" + kubeconfig,
            "--bind-address=127.0.0.1",
            "--secure-port=" + adapterPort,
            // The serving certificate (the aggregator skips its verification, below) ...
            "--tls-cert-file=" + certs.serverCert,
            "--tls-private-key-file=" + certs.serverKey,
            // ... and, in --cert-dir, the client certificate for the operator's gRPC service.
            "--cert-dir=" + adapterCerts,
            "--metrics-service-address=localhost:" + grpc,
            "--port=" + Loopback.freePort()),
        env);
    register(admin, bin, adapterPort);
    awaitReady(admin);
  }

  private Path certDir(String name, Path ca, Path cert, Path key) throws IOException {
    Path d = Files.createDirectories(dir.resolve(name));
    Files.copy(ca, d.resolve("ca.crt"));
    Files.copy(cert, d.resolve("tls.crt"));
    Files.copy(key, d.resolve("tls.key"));
    return d;
  }

  /** The APIService of KEDA's manifests, pointed at the adapter on loopback. */
  private static void register(KubernetesClient admin, Path bin, int adapterPort)
      throws IOException {
    admin
        .services()
        .inNamespace(NAMESPACE)
        .resource(
            new ServiceBuilder()
                .withNewMetadata()
                .withName("keda-metrics-apiserver")
                .withNamespace(NAMESPACE)
                .endMetadata()
                .withNewSpec()
                .withType("ExternalName")
                .withExternalName("localhost")
                .endSpec()
                .build())
        .serverSideApply();
    APIService api;
    try (InputStream in = Files.newInputStream(bin.resolve("api_service.yaml"))) {
      api = (APIService) admin.load(in).items().get(0);
    }
    api.getSpec().getService().setPort(adapterPort);
    api.getSpec().setCaBundle(null);
    api.getSpec().setInsecureSkipTLSVerify(true);
    admin.resource(api).serverSideApply();
  }

  private void awaitReady(KubernetesClient admin) {
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest readyz =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + operatorHealthPort + "/readyz"))
            .timeout(Duration.ofSeconds(2))
            .build();
    try {
      await("KEDA's operator ready and v1beta1.external.metrics.k8s.io available")
          .atMost(Duration.ofSeconds(180))
          .pollInterval(Duration.ofMillis(500))
          .ignoreExceptions()
          .until(
              () -> {
                assertThat(exited()).as("KEDA processes that exited").isEmpty();
                return http.send(readyz, HttpResponse.BodyHandlers.ofString()).statusCode() == 200
                    && apiServiceAvailable(admin);
              });
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "KEDA did not become ready:\n"
              + cp.tail("keda-operator")
              + "\n"
              + cp.tail("keda-adapter"),
          e);
    }
  }

  static boolean apiServiceAvailable(KubernetesClient admin) {
    GenericKubernetesResource api =
        admin
            .genericKubernetesResources("apiregistration.k8s.io/v1", "APIService")
            .withName("v1beta1.external.metrics.k8s.io")
            .get();
    if (api == null || !(api.getAdditionalProperties().get("status") instanceof Map<?, ?> st)) {
      return false;
    }
    if (!(st.get("conditions") instanceof List<?> conditions)) {
      return false;
    }
    return conditions.stream()
        .anyMatch(
            c ->
                c instanceof Map<?, ?> m
                    && "Available".equals(m.get("type"))
                    && "True".equals(m.get("status")));
  }

  /** Applies KEDA's CRDs (from the module) and waits until each is established. */
  private static void installCrds(KubernetesClient admin, Path crds) throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(crds)) {
      files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertThat(files).as("KEDA's CRDs in %s", crds).isNotEmpty();
    for (Path f : files) {
      try (InputStream in = Files.newInputStream(f)) {
        CustomResourceDefinition def =
            admin.apiextensions().v1().customResourceDefinitions().load(in).item();
        admin.resource(def).fieldValidation(Validation.STRICT).serverSideApply();
        String name = def.getMetadata().getName();
        await("CRD " + name + " established")
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> {
                  CustomResourceDefinition d =
                      admin.apiextensions().v1().customResourceDefinitions().withName(name).get();
                  return d != null
                      && d.getStatus() != null
                      && d.getStatus().getConditions() != null
                      && d.getStatus().getConditions().stream()
                          .anyMatch(
                              c ->
                                  c.getType().equals("Established")
                                      && c.getStatus().equals("True"));
                });
      }
    }
  }

  /** KEDA's processes that exited although nobody stopped them (for fail-fast checks). */
  List<String> exited() {
    return cp.exited().stream().filter(PROCESSES::contains).toList();
  }

  /** The last lines of {@code keda-operator}'s and {@code keda-adapter}'s logs. */
  String tails() {
    return cp.tail("keda-operator") + "\n" + cp.tail("keda-adapter");
  }

  @Override
  public void close() {
    for (String p : List.of("keda-adapter", "keda-operator")) {
      cp.stopProcess(p);
    }
  }
}
