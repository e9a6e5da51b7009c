package io.stoker.e2e;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A real Kubernetes control plane for tests: etcd and kube-apiserver (built from Go modules by
 * {@code e2e/tools/build-control-plane.sh}) on loopback, with RBAC authorisation, an admin token
 * and service-account tokens, and the aggregation layer on (front-proxy certificates made at
 * start), so that extension API servers such as KEDA's metrics adapter can be registered with an
 * APIService. There is no kubelet: pods are objects. A test that needs pods placed or created from
 * their owners starts a real kube-scheduler ({@link #startScheduler()}) and kube-controller-manager
 * ({@link #startControllerManager}), built by {@code e2e/tools/build-kube-controllers.sh}; other
 * fixtures run their processes here too ({@link #startProcess}). {@link #close()} stops every
 * process and removes their files, also after a failed test.
 */
public final class ControlPlane implements AutoCloseable {
  private final Path dir;
  private final Map<String, Process> processes = new LinkedHashMap<>();
  private final Map<String, List<String>> commands = new LinkedHashMap<>();
  private final String adminToken = UUID.randomUUID().toString();
  private final int apiPort;

  private ControlPlane(Path dir, int apiPort) {
    this.dir = dir;
    this.apiPort = apiPort;
  }

  /** The folder holding kube-apiserver and etcd, as the build script names it. */
  public static Path binaries() {
    String kube = System.getProperty("stoker.kube.version", "v1.34.4");
    String etcd = System.getProperty("stoker.etcd.version", "v3.6.16");
    String cache = System.getenv("STOKER_TOOLS_CACHE");
    if (cache == null || cache.isBlank()) {
      String xdg = System.getenv("XDG_CACHE_HOME");
      cache =
          (xdg == null || xdg.isBlank() ? System.getProperty("user.home") + "/.cache" : xdg)
              + "/stoker-tools";
    }
    Path bin = Path.of(cache, "control-plane-" + kube + "-etcd-" + etcd);
    if (!Files.isExecutable(bin.resolve("kube-apiserver"))
        || !Files.isExecutable(bin.resolve("etcd"))) {
      throw new IllegalStateException(
          "kube-apiserver and etcd are not built in "
              + bin
              + ": run e2e/tools/build-control-plane.sh (./mvnw verify runs it before the e2e tests)");
    }
    return bin;
  }

  /**
   * The folder holding kube-scheduler and kube-controller-manager of the control plane's Kubernetes
   * release, as {@code e2e/tools/build-kube-controllers.sh} names it.
   */
  public static Path controllerBinaries() {
    String kube = System.getProperty("stoker.kube.version", "v1.34.4");
    return tool(
        "kube-controllers-" + kube,
        "build-kube-controllers.sh",
        "kube-scheduler",
        "kube-controller-manager");
  }

  /**
   * A folder of the tools cache ({@code $STOKER_TOOLS_CACHE}, else {@code ~/.cache/stoker-tools})
   * holding the given executables; fails naming the script that builds them.
   */
  static Path tool(String folder, String script, String... executables) {
    String cache = System.getenv("STOKER_TOOLS_CACHE");
    if (cache == null || cache.isBlank()) {
      String xdg = System.getenv("XDG_CACHE_HOME");
      cache =
          (xdg == null || xdg.isBlank() ? System.getProperty("user.home") + "/.cache" : xdg)
              + "/stoker-tools";
    }
    Path bin = Path.of(cache, folder);
    for (String e : executables) {
      if (!Files.isExecutable(bin.resolve(e))) {
        throw new IllegalStateException(
            e
                + " is not built in "
                + bin
                + ": run e2e/tools/"
                + script
                + " (./mvnw verify runs it before the e2e tests)");
      }
    }
    return bin;
  }

  /** How often {@link #start()} tries fresh ports when one it chose was taken before binding. */
  private static final int ATTEMPTS = 3;

  /**
   * Starts etcd and kube-apiserver and waits until the API server is ready. A port taken between
   * choosing and binding it (another process was faster) is retried on fresh ports.
   */
  public static ControlPlane start() throws IOException {
    return start(Loopback::freePort);
  }

  /** A source of ports, each free when it is chosen. */
  interface Ports {
    int next() throws IOException;
  }

  /** {@link #start()} with the API server's port from {@code apiPorts}, one per attempt. */
  static ControlPlane start(Ports apiPorts) throws IOException {
    Path bin = binaries();
    for (int attempt = 1; ; attempt++) {
      Path dir = Files.createTempDirectory("stoker-control-plane");
      ControlPlane cp = new ControlPlane(dir, apiPorts.next());
      try {
        cp.startEtcd(bin);
        cp.startApiServer(bin);
        cp.awaitReady();
        return cp;
      } catch (IOException | RuntimeException e) {
        boolean retry = attempt < ATTEMPTS && cp.aPortWasTaken();
        cp.close();
        if (!retry) {
          throw e;
        }
      }
    }
  }

  /** Whether etcd or kube-apiserver logged that a port it was given was already in use. */
  private boolean aPortWasTaken() {
    return tail("etcd").contains("address already in use")
        || tail("kube-apiserver").contains("address already in use");
  }

  private int etcdPort;

  private void startEtcd(Path bin) throws IOException {
    etcdPort = Loopback.freePort();
    int peer = Loopback.freePort();
    launch(
        "etcd",
        List.of(
            bin.resolve("etcd").toString(),
            "--data-dir=" + dir.resolve("etcd"),
            "--listen-client-urls=http://127.0.0.1:" + etcdPort,
            "--advertise-client-urls=http://127.0.0.1:" + etcdPort,
            "--listen-peer-urls=http://127.0.0.1:" + peer,
            "--initial-advertise-peer-urls=http://127.0.0.1:" + peer,
            "--initial-cluster=default=http://127.0.0.1:" + peer,
            "--log-level=warn"));
  }

  private void startApiServer(Path bin) throws IOException {
    KeyPair sa;
    try {
      sa = KeyPairGenerator.getInstance("RSA").generateKeyPair();
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    Path key = dir.resolve("sa.key");
    Path pub = dir.resolve("sa.pub");
    Files.writeString(key, pem("PRIVATE KEY", sa.getPrivate().getEncoded()));
    Files.writeString(pub, pem("PUBLIC KEY", sa.getPublic().getEncoded()));
    Path tokens = dir.resolve("tokens.csv");
    Files.writeString(tokens, adminToken + ",admin,admin,\"system:masters\"\n");
    TestCertificates frontProxy = frontProxyCertificates();
    launch(
        "kube-apiserver",
        List.of(
            bin.resolve("kube-apiserver").toString(),
            "--etcd-servers=http://127.0.0.1:" + etcdPort,
            "--bind-address=127.0.0.1",
            "--advertise-address=127.0.0.1",
            "--secure-port=" + apiPort,
            "--cert-dir=" + dir.resolve("certs"),
            "--authorization-mode=RBAC",
            "--token-auth-file=" + tokens,
            "--service-account-issuer=https://kubernetes.default.svc",
            "--service-account-key-file=" + pub,
            "--service-account-signing-key-file=" + key,
            "--service-cluster-ip-range=10.96.0.0/24",
            // no controller-manager creates default service accounts: pods are plain objects here
            "--disable-admission-plugins=ServiceAccount",
            "--enable-priority-and-fairness=false",
            // The aggregation layer, for extension API servers such as KEDA's metrics adapter:
            // kube-apiserver proxies their groups' requests with this client certificate and the
            // user in the headers below; the extension server trusts the headers when the
            // certificate is signed by the requestheader CA (published in ConfigMap
            // kube-system/extension-apiserver-authentication). kube-apiserver has no default for
            // the header names.
            "--requestheader-client-ca-file=" + frontProxy.ca,
            "--requestheader-allowed-names=" + FRONT_PROXY_CLIENT,
            "--requestheader-username-headers=X-Remote-User",
            "--requestheader-group-headers=X-Remote-Group",
            "--requestheader-extra-headers-prefix=X-Remote-Extra-",
            "--proxy-client-cert-file=" + frontProxy.clientCert,
            "--proxy-client-key-file=" + frontProxy.clientKey,
            "--v=0"));
  }

  /** The common name of the front proxy's client certificate ({@link TestCertificates}). */
  private static final String FRONT_PROXY_CLIENT = "stoker e2e client";

  /** A CA and the client certificate kube-apiserver proxies aggregated API requests with. */
  private TestCertificates frontProxyCertificates() throws IOException {
    try {
      return TestCertificates.generate(Files.createDirectories(dir.resolve("front-proxy")));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while making the front proxy's certificates", e);
    }
  }

  private static String pem(String type, byte[] der) {
    String b64 =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + b64 + "\n-----END " + type + "-----\n";
  }

  private void launch(String name, List<String> command) throws IOException {
    launch(name, command, Map.of());
  }

  private synchronized void launch(String name, List<String> command, Map<String, String> env)
      throws IOException {
    Path log = dir.resolve(name + ".log");
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().putAll(env);
    Process p = pb.start();
    processes.put(name, p);
    commands.put(name, command);
  }

  /**
   * A kubeconfig file for the admin (group system:masters) in this control plane's folder, for the
   * processes that run against the API server. It skips TLS verification: the API server's
   * certificate is self-signed for this run.
   */
  public synchronized Path adminKubeconfig() throws IOException {
    Path file = dir.resolve("admin.kubeconfig");
    if (!Files.exists(file)) {
      Files.writeString(
          file,
          String.join(
              "\n",
              "apiVersion: v1",
              "kind: Config",
              "clusters:",
              "- name: e2e",
              "  cluster:",
              "    server: " + server(),
              "    insecure-skip-tls-verify: true",
              "users:",
              "- name: admin",
              "  user:",
              "    token: " + adminToken,
              "contexts:",
              "- name: e2e",
              "  context:",
              "    cluster: e2e",
              "    user: admin",
              "    namespace: default",
              "current-context: e2e",
              ""));
    }
    return file;
  }

  /**
   * Starts a real kube-scheduler (log {@code kube-scheduler}) as the admin, without leader election
   * and without its HTTPS endpoint. Pending pods are bound to Nodes from then on.
   */
  public void startScheduler() throws IOException {
    Path bin = controllerBinaries();
    launch(
        "kube-scheduler",
        List.of(
            bin.resolve("kube-scheduler").toString(),
            "--kubeconfig=" + adminKubeconfig(),
            "--leader-elect=false",
            "--secure-port=0",
            "--v=1"));
  }

  /**
   * Starts a real kube-controller-manager (log {@code kube-controller-manager}) as the admin,
   * without leader election and without its HTTPS endpoint, running only the given controllers.
   *
   * @param controllers controller names as {@code --controllers} takes them, e.g. {@code
   *     statefulset-controller}, {@code horizontal-pod-autoscaler-controller}, {@code
   *     node-lifecycle-controller} (which clears the not-ready taint of new Nodes once they are
   *     Ready), {@code pod-garbage-collector-controller}, {@code garbage-collector-controller}
   * @param hpaSyncPeriod how often the HPA controller evaluates its autoscalers (15 s upstream)
   */
  public void startControllerManager(List<String> controllers, Duration hpaSyncPeriod)
      throws IOException {
    if (controllers.isEmpty()) {
      throw new IllegalArgumentException("controllers: name at least one controller");
    }
    Path bin = controllerBinaries();
    launch(
        "kube-controller-manager",
        List.of(
            bin.resolve("kube-controller-manager").toString(),
            "--kubeconfig=" + adminKubeconfig(),
            "--leader-elect=false",
            "--secure-port=0",
            "--controllers=" + String.join(",", controllers),
            "--horizontal-pod-autoscaler-sync-period=" + hpaSyncPeriod.toMillis() + "ms",
            "--v=1"));
  }

  /**
   * Runs another process against this control plane (e.g. kwok or a node autoscaler): its output
   * goes to the log {@code name} ({@link #tail}); {@link #close()} stops it before the control
   * plane.
   */
  public void startProcess(String name, List<String> command, Map<String, String> env)
      throws IOException {
    if (running(name)) {
      throw new IllegalStateException(name + " is running already");
    }
    launch(name, command, env);
  }

  /** Whether the named process was started and has not exited. */
  public synchronized boolean running(String name) {
    Process p = processes.get(name);
    return p != null && p.isAlive();
  }

  /**
   * The names of the processes started here that have exited (none were stopped by the test), for a
   * test's fail-fast condition.
   */
  public synchronized List<String> exited() {
    List<String> out = new ArrayList<>();
    processes.forEach(
        (name, p) -> {
          if (!p.isAlive()) {
            out.add(name);
          }
        });
    return out;
  }

  /**
   * Throws an AssertionError with the last lines of its log if one of the named processes has
   * exited: a fail-fast condition for a test waiting on what they do ({@code await().failFast(() ->
   * cp.assertRunning("kwok"))}).
   */
  public void assertRunning(String... names) {
    for (String name : names) {
      if (!running(name)) {
        throw new AssertionError(name + " is not running:\n" + tail(name));
      }
    }
  }

  /** Stops a process started by {@link #startProcess} (SIGTERM, then SIGKILL after 10 s). */
  public void stopProcess(String name) {
    Process p;
    synchronized (this) {
      p = processes.remove(name);
    }
    if (p != null) {
      stop(p);
    }
  }

  /**
   * Kills kube-apiserver (SIGKILL: an outage, not a graceful shutdown); {@link #startApiServer()}
   * brings it back on the same port with the same certificates and tokens.
   */
  public void stopApiServer() {
    kill("kube-apiserver");
  }

  /** Starts kube-apiserver again after {@link #stopApiServer()} and waits until it is ready. */
  public void startApiServer() throws IOException {
    launch("kube-apiserver", commands.get("kube-apiserver"));
    awaitReady();
  }

  /** Kills etcd (SIGKILL); its data stays for {@link #startEtcd()}. */
  public void stopEtcd() {
    kill("etcd");
  }

  /** Starts etcd again on the same ports and data and waits until the API server is ready. */
  public void startEtcd() throws IOException {
    launch("etcd", commands.get("etcd"));
    awaitReady();
  }

  private synchronized void kill(String name) {
    Process p = processes.remove(name);
    if (p == null) {
      return;
    }
    p.destroyForcibly();
    try {
      p.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void awaitReady() {
    HttpClient http = HttpClient.newBuilder().sslContext(trustAll()).build();
    HttpRequest readyz =
        HttpRequest.newBuilder(URI.create(server() + "/readyz"))
            .header("Authorization", "Bearer " + adminToken)
            .timeout(Duration.ofSeconds(2))
            .build();
    try {
      await("kube-apiserver /readyz")
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(250))
          .failFast(
              "etcd or kube-apiserver exited", () -> !running("etcd") || !running("kube-apiserver"))
          .ignoreExceptions()
          .until(() -> http.send(readyz, HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "control plane did not become ready:\n" + tail("etcd") + "\n" + tail("kube-apiserver"),
          e);
    }
  }

  /** The last lines of a process's log, for failure messages. */
  public String tail(String name) {
    try {
      List<String> lines = Files.readAllLines(dir.resolve(name + ".log"));
      return name
          + ": "
          + String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return name + ": no log (" + e.getMessage() + ")";
    }
  }

  public int apiPort() {
    return apiPort;
  }

  public String server() {
    return "https://127.0.0.1:" + apiPort;
  }

  /**
   * The API server's serving certificate, which kube-apiserver generates in its {@code --cert-dir}
   * on first start (the certificate for 127.0.0.1 followed by the self-signed CA that signed it): a
   * client that trusts this file verifies the server instead of trusting any certificate.
   */
  public Path caCertificate() {
    Path crt = dir.resolve("certs").resolve("apiserver.crt");
    if (!Files.isRegularFile(crt)) {
      throw new IllegalStateException("kube-apiserver wrote no serving certificate at " + crt);
    }
    return crt;
  }

  /** A client with cluster-admin rights (group system:masters). */
  public KubernetesClient adminClient() {
    return clientWithToken(adminToken);
  }

  /** A client that authenticates with a bearer token, e.g. a service account's. */
  public KubernetesClient clientWithToken(String token) {
    return clientWithToken(token, null);
  }

  /** A client with a bearer token whose every request is seen by {@code audit} (if not null). */
  public KubernetesClient clientWithToken(
      String token, io.fabric8.kubernetes.client.http.Interceptor audit) {
    return clientWithToken(token, audit, apiPort);
  }

  /**
   * The same through another port of this host, e.g. a {@code TcpProxy} in front of the API server
   * (TLS stays end to end; the certificate is trusted as for every client here).
   */
  public KubernetesClient clientWithToken(
      String token, io.fabric8.kubernetes.client.http.Interceptor audit, int port) {
    Config config =
        new ConfigBuilder()
            .withMasterUrl("https://127.0.0.1:" + port)
            .withOauthToken(token)
            .withTrustCerts(true)
            .withNamespace("default")
            .withRequestTimeout(10_000)
            .build();
    KubernetesClientBuilder b = new KubernetesClientBuilder().withConfig(config);
    if (audit != null) {
      b.withHttpClientBuilderConsumer(h -> h.addOrReplaceInterceptor("e2e-audit", audit));
    }
    return b.build();
  }

  private synchronized List<Process> running() {
    return new ArrayList<>(processes.values());
  }

  @Override
  public void close() {
    List<Process> all = running();
    for (int i = all.size() - 1; i >= 0; i--) {
      stop(all.get(i));
    }
    deleteTree(dir);
  }

  private static void stop(Process p) {
    p.destroy();
    try {
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
    }
  }

  private static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return; // closed before
    }
    try (var paths = Files.walk(root)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The API server's certificate is self-signed for this run; trust it for the probe only. */
  private static SSLContext trustAll() {
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      TrustManager tm =
          new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public X509Certificate[] getAcceptedIssuers() {
              return new X509Certificate[0];
            }
          };
      ctx.init(null, new TrustManager[] {tm}, new SecureRandom());
      return ctx;
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
