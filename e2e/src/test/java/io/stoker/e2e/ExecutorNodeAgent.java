package io.stoker.e2e;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIPBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A kubelet for Spark executor pods, as test code: it registers one {@link #nodeName() Node} with
 * real capacity, keeps it Ready (node status and a heartbeat Lease in {@code kube-node-lease}, as a
 * kubelet does), and for every pod labelled {@code spark-role=executor} that is bound to that Node
 * ({@code spec.nodeName}) runs the container's process: Spark's Kubernetes executor backend ({@code
 * org.apache.spark.scheduler.cluster.k8s.KubernetesExecutorBackend}) as a local JVM.
 *
 * <p><b>What is real.</b> The pods are the ones Spark's Kubernetes scheduler backend creates on the
 * API server; kube-scheduler binds them through the API; the command is the one the executor
 * image's {@code entrypoint.sh} builds from the pod's {@code executor} argument and its container
 * environment (Spark's {@code
 * resource-managers/kubernetes/docker/src/main/dockerfiles/spark/entrypoint.sh}): the {@code
 * SPARK_JAVA_OPT_<n>} variables in order of {@code n}, {@code -Xms}/{@code -Xmx} from {@code
 * SPARK_EXECUTOR_MEMORY}, a class path of {@code SPARK_CONF_DIR}, {@code SPARK_CLASSPATH}, the
 * image's jars and {@code SPARK_EXTRA_CLASSPATH}, and the arguments {@code --driver-url}, {@code
 * --executor-id}, {@code --cores}, {@code --app-id}, {@code --hostname}, {@code
 * --resourceProfileId}, {@code --podName} from {@code SPARK_DRIVER_URL}, {@code SPARK_EXECUTOR_ID},
 * {@code SPARK_EXECUTOR_CORES}, {@code SPARK_APPLICATION_ID}, {@code SPARK_EXECUTOR_POD_IP}, {@code
 * SPARK_RESOURCE_PROFILE_ID} and {@code SPARK_EXECUTOR_POD_NAME}. The process's environment is the
 * container's (values and downward-API {@code fieldRef}s resolved as a kubelet resolves them), not
 * the test JVM's. Status goes through the status subresource as a kubelet writes it: Running and
 * Ready with pod IP 127.0.0.1 and a running container status once the JVM is started (Spark's
 * executor containers have no readiness probe); Succeeded or Failed with the exit code when it
 * exits (Spark's executor pods have {@code restartPolicy: Never}). Deletion is graceful as on a
 * node: a pod the API server marks for deletion (bound pods get {@code deletionTimestamp} and
 * {@code deletionGracePeriodSeconds}) has its preStop hook run, then SIGTERM, then SIGKILL at the
 * end of the grace period (at least 2 s after the hook, as the kubelet allows), its final status
 * written, and is then removed with a delete of grace 0, as the kubelet does.
 *
 * <p><b>What it stands in for.</b> There is no container runtime: the "image" is the class path of
 * {@code e2e/spark-driver} (Spark's jars, the Stoker plugin and the application's classes, which an
 * application image would hold in {@code $SPARK_HOME/jars}), run by this JVM's {@code java}; the
 * image name is not looked at. There is no network namespace: every pod's IP is 127.0.0.1 and
 * executors listen on free ports. There is no mount namespace: an {@code emptyDir} volume is a
 * directory of the pod's sandbox and a {@code configMap} volume is written into one (a container
 * would see them at their {@code mountPath}), and environment values naming a mount path are
 * rewritten to that directory (Spark names its local dirs in {@code SPARK_LOCAL_DIRS} and its
 * configuration directory in {@code SPARK_CONF_DIR}); a pod whose configMap does not exist yet
 * waits, as the kubelet waits. The only preStop hook understood is Spark's decommission script
 * ({@code spark.kubernetes.decommission.script}, {@code /opt/decom.sh} in the image), done as that
 * script does it: SIGPWR to the executor JVM, which then decommissions itself. There are no
 * resource limits (cgroups), no image pulls, no probes, no restarts and no eviction. Only
 * containers whose arguments are Spark's {@code executor} are run; another pod on the Node is
 * failed with a message saying so.
 */
final class ExecutorNodeAgent implements AutoCloseable {
  static final String EXECUTOR_BACKEND =
      "org.apache.spark.scheduler.cluster.k8s.KubernetesExecutorBackend";
  static final String POD_IP = "127.0.0.1";
  private static final String DECOMMISSION_SCRIPT = "/opt/decom.sh";
  private static final Duration HEARTBEAT = Duration.ofSeconds(10);

  /** What the kubelet allows for SIGTERM when a preStop hook used up the grace period. */
  private static final Duration MIN_GRACE_AFTER_HOOK = Duration.ofSeconds(2);

  /** How a pod's process ended. */
  record Termination(
      String pod, String executorId, int exitCode, boolean exitedBeforeDeletion, String how) {}

  private final KubernetesClient client;
  private final String namespace;
  private final String node;
  private final Path sandbox;
  private final List<String> imageClasspath;
  private final Map<String, RunningPod> running = new ConcurrentHashMap<>();
  private final List<Termination> terminations = new CopyOnWriteArrayList<>();
  private final List<String> started = new CopyOnWriteArrayList<>();
  private final AtomicReference<Exception> lastError = new AtomicReference<>();
  private final ScheduledExecutorService loop =
      Executors.newSingleThreadScheduledExecutor(daemon("executor-node-agent"));
  private final ScheduledExecutorService stopping =
      Executors.newScheduledThreadPool(4, daemon("executor-node-agent-stop"));
  private final SharedIndexInformer<Pod> informer;
  private volatile boolean closed;

  private static final class RunningPod {
    final String name;
    final String uid;
    final String executorId;
    final Process process;
    final Path log;
    final Instant startedAt;

    /** Completed once the exit is recorded and the terminated status written. */
    final java.util.concurrent.CompletableFuture<Void> reported =
        new java.util.concurrent.CompletableFuture<>();

    volatile boolean deleting;
    volatile String how = "exited";

    RunningPod(String name, String uid, String executorId, Process process, Path log, Instant at) {
      this.name = name;
      this.uid = uid;
      this.executorId = executorId;
      this.process = process;
      this.log = log;
      this.startedAt = at;
    }
  }

  /**
   * Registers Node {@code node} (cpu {@code cpu}, memory {@code memory}, at most {@code maxPods}
   * pods) and starts running the executor pods of {@code namespace} bound to it.
   *
   * @param imageClasspath what the executor image holds in {@code $SPARK_HOME/jars}
   */
  static ExecutorNodeAgent start(
      KubernetesClient admin,
      String namespace,
      String node,
      String cpu,
      String memory,
      int maxPods,
      List<String> imageClasspath)
      throws IOException {
    Path sandbox = Files.createTempDirectory("stoker-node-" + node);
    return new ExecutorNodeAgent(
        admin, namespace, node, cpu, memory, maxPods, imageClasspath, sandbox);
  }

  private ExecutorNodeAgent(
      KubernetesClient client,
      String namespace,
      String node,
      String cpu,
      String memory,
      int maxPods,
      List<String> imageClasspath,
      Path sandbox) {
    this.client = client;
    this.namespace = namespace;
    this.node = node;
    this.sandbox = sandbox;
    this.imageClasspath = List.copyOf(imageClasspath);
    registerNode(cpu, memory, maxPods);
    loop.scheduleWithFixedDelay(
        this::heartbeat, HEARTBEAT.toMillis(), HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
    informer =
        client
            .pods()
            .inNamespace(namespace)
            .withLabel("spark-role", "executor")
            .withField("spec.nodeName", node)
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(Pod pod) {
                    loop.execute(() -> sync(pod));
                  }

                  @Override
                  public void onUpdate(Pod old, Pod pod) {
                    loop.execute(() -> sync(pod));
                  }

                  @Override
                  public void onDelete(Pod pod, boolean unknownFinalState) {
                    loop.execute(() -> gone(pod));
                  }
                },
                5_000L);
  }

  String nodeName() {
    return node;
  }

  /** Pods whose executor JVM was started, in order. */
  List<String> startedPods() {
    return List.copyOf(started);
  }

  /** Pods whose executor JVM ended, in order. */
  List<Termination> terminations() {
    return List.copyOf(terminations);
  }

  /** Executor JVMs alive now. */
  int runningCount() {
    return (int) running.values().stream().filter(r -> r.process.isAlive()).count();
  }

  /** The last error of the agent's loop (null if none), for failure messages. */
  Exception lastError() {
    return lastError.get();
  }

  /** The last lines of every executor's log, for failure messages. */
  String logs() {
    StringBuilder b = new StringBuilder();
    try (var files = Files.list(sandbox)) {
      for (Path d : files.sorted().toList()) {
        Path log = d.resolve("executor.log");
        if (Files.isRegularFile(log)) {
          List<String> lines = Files.readAllLines(log);
          b.append("--- ").append(d.getFileName()).append('\n');
          b.append(String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size())));
          b.append('\n');
        }
      }
    } catch (IOException e) {
      b.append("(no logs: ").append(e.getMessage()).append(")");
    }
    return b.toString();
  }

  // --- the Node ---------------------------------------------------------------------------------

  private void registerNode(String cpu, String memory, int maxPods) {
    Map<String, Quantity> capacity = new LinkedHashMap<>();
    capacity.put("cpu", new Quantity(cpu));
    capacity.put("memory", new Quantity(memory));
    capacity.put("pods", new Quantity(String.valueOf(maxPods)));
    client
        .nodes()
        .resource(
            new NodeBuilder()
                .withNewMetadata()
                .withName(node)
                .addToLabels("kubernetes.io/hostname", node)
                .addToLabels("kubernetes.io/os", "linux")
                .addToLabels("stoker.io/e2e-node-agent", "true")
                .endMetadata()
                .build())
        .create();
    client
        .nodes()
        .withName(node)
        .editStatus(
            n -> {
              n.setStatus(
                  new io.fabric8.kubernetes.api.model.NodeStatusBuilder()
                      .withCapacity(capacity)
                      .withAllocatable(capacity)
                      .addNewAddress()
                      .withType("InternalIP")
                      .withAddress(POD_IP)
                      .endAddress()
                      .addNewAddress()
                      .withType("Hostname")
                      .withAddress(node)
                      .endAddress()
                      .withConditions(readyCondition())
                      .withNewNodeInfo()
                      .withArchitecture("amd64")
                      .withOperatingSystem("linux")
                      .withKubeletVersion(System.getProperty("stoker.kube.version", "v1.34.4"))
                      .withContainerRuntimeVersion("stoker-e2e://executor-node-agent")
                      .withBootID("")
                      .withMachineID("")
                      .withSystemUUID("")
                      .withKernelVersion("")
                      .withOsImage("")
                      .withKubeProxyVersion("")
                      .endNodeInfo()
                      .build());
              return n;
            });
    heartbeat();
  }

  private static io.fabric8.kubernetes.api.model.NodeCondition readyCondition() {
    String now = now();
    return new io.fabric8.kubernetes.api.model.NodeConditionBuilder()
        .withType("Ready")
        .withStatus("True")
        .withReason("KubeletReady")
        .withMessage("executor node agent is posting ready status")
        .withLastHeartbeatTime(now)
        .withLastTransitionTime(now)
        .build();
  }

  /** Renews the Node's Lease and Ready condition, as the kubelet's heartbeats do. */
  private void heartbeat() {
    if (closed) {
      return;
    }
    try {
      ZonedDateTime renew =
          ZonedDateTime.now(java.time.ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
      client
          .leases()
          .inNamespace("kube-node-lease")
          .resource(
              new LeaseBuilder()
                  .withNewMetadata()
                  .withName(node)
                  .withNamespace("kube-node-lease")
                  .endMetadata()
                  .withNewSpec()
                  .withHolderIdentity(node)
                  .withLeaseDurationSeconds(40)
                  .withRenewTime(renew)
                  .endSpec()
                  .build())
          .serverSideApply();
      client
          .nodes()
          .withName(node)
          .editStatus(
              n -> {
                n.getStatus().getConditions().removeIf(c -> "Ready".equals(c.getType()));
                n.getStatus().getConditions().add(readyCondition());
                return n;
              });
    } catch (RuntimeException e) {
      lastError.set(e);
    }
  }

  // --- pods -------------------------------------------------------------------------------------

  private void sync(Pod pod) {
    if (closed || !node.equals(pod.getSpec().getNodeName())) {
      return;
    }
    try {
      String name = pod.getMetadata().getName();
      RunningPod r = running.get(name);
      if (r != null && !r.uid.equals(pod.getMetadata().getUid())) {
        return; // an older pod of that name is still being stopped
      }
      if (pod.getMetadata().getDeletionTimestamp() != null) {
        if (r != null && !r.deleting) {
          r.deleting = true;
          stopping.execute(() -> stop(r, pod));
        } else if (r == null) {
          // Never started (or already ended and forgotten): nothing runs, remove it.
          finalDelete(pod);
        }
        return;
      }
      String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
      if (r == null && !"Succeeded".equals(phase) && !"Failed".equals(phase)) {
        startContainer(pod);
      }
    } catch (RuntimeException | IOException e) {
      lastError.set(e);
    }
  }

  private void gone(Pod pod) {
    RunningPod r = running.get(pod.getMetadata().getName());
    if (r == null || !r.uid.equals(pod.getMetadata().getUid())) {
      return;
    }
    if (r.process.isAlive()) {
      // Deleted without a grace period (grace 0 or force): the kubelet kills the container.
      r.deleting = true;
      r.how = "SIGKILL (pod removed)";
      r.process.destroyForcibly();
    } else {
      running.remove(r.name); // a finished pod deleted at once (terminal pods have no grace)
    }
  }

  private void startContainer(Pod pod) throws IOException {
    String name = pod.getMetadata().getName();
    List<Container> containers = pod.getSpec().getContainers();
    Container c = containers.get(0);
    if (containers.size() != 1 || !List.of("executor").equals(c.getArgs())) {
      fail(pod, "the executor node agent runs only Spark's executor container (args [executor])");
      return;
    }
    Path dir = Files.createDirectories(sandbox.resolve(name));
    Map<String, String> mounts = new LinkedHashMap<>();
    for (VolumeMount m :
        c.getVolumeMounts() == null ? List.<VolumeMount>of() : c.getVolumeMounts()) {
      Volume v = volume(pod, m.getName());
      Path host = Files.createDirectories(dir.resolve("volumes").resolve(m.getName()));
      if (v != null && v.getConfigMap() != null) {
        ConfigMap cm =
            client.configMaps().inNamespace(namespace).withName(v.getConfigMap().getName()).get();
        if (cm == null) {
          if (Boolean.TRUE.equals(v.getConfigMap().getOptional())) {
            continue;
          }
          // As the kubelet: the container waits for its ConfigMap; try again shortly.
          loop.schedule(() -> resync(name), 500, TimeUnit.MILLISECONDS);
          return;
        }
        writeConfigMap(cm, v.getConfigMap().getItems(), host);
      } else if (v == null || v.getEmptyDir() == null) {
        fail(pod, "volume " + m.getName() + ": only emptyDir and configMap volumes are supported");
        return;
      }
      mounts.put(m.getMountPath(), host.toString());
    }
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvVar e : c.getEnv() == null ? List.<EnvVar>of() : c.getEnv()) {
      String value = resolve(pod, e);
      if (value == null) {
        fail(pod, "env " + e.getName() + ": only values and fieldRefs are supported");
        return;
      }
      for (var m : mounts.entrySet()) {
        value = value.replace(m.getKey(), m.getValue());
      }
      env.put(e.getName(), value);
    }
    List<String> cmd = command(env);
    Path work = Files.createDirectories(dir.resolve("work-dir"));
    Path log = dir.resolve("executor.log");
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .directory(work.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().clear();
    pb.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    pb.environment().put("SPARK_HOME", dir.toString());
    pb.environment().putAll(env);
    Process p = pb.start();
    Instant at = Instant.now();
    RunningPod r =
        new RunningPod(name, pod.getMetadata().getUid(), env.get("SPARK_EXECUTOR_ID"), p, log, at);
    running.put(name, r);
    started.add(name);
    p.onExit().thenRun(() -> loop.execute(() -> exited(r)));
    writeStatus(name, running(pod, c, at));
  }

  private void resync(String name) {
    Pod pod = client.pods().inNamespace(namespace).withName(name).get();
    if (pod != null) {
      sync(pod);
    }
  }

  private static Volume volume(Pod pod, String name) {
    return pod.getSpec().getVolumes().stream()
        .filter(v -> v.getName().equals(name))
        .findFirst()
        .orElse(null);
  }

  private static void writeConfigMap(ConfigMap cm, List<KeyToPath> items, Path dir)
      throws IOException {
    Map<String, String> data = cm.getData() == null ? Map.of() : cm.getData();
    if (items == null || items.isEmpty()) {
      for (var e : data.entrySet()) {
        Files.writeString(dir.resolve(e.getKey()), e.getValue());
      }
      return;
    }
    for (KeyToPath item : items) {
      String value = data.get(item.getKey());
      if (value != null) {
        Path f = dir.resolve(item.getPath()).normalize();
        if (!f.startsWith(dir)) {
          throw new IOException("configMap item path escapes its volume: " + item.getPath());
        }
        Files.createDirectories(f.getParent());
        Files.writeString(f, value);
      }
    }
  }

  /** A container variable as the kubelet resolves it, or null when this agent cannot. */
  private String resolve(Pod pod, EnvVar e) {
    if (e.getValueFrom() == null) {
      return Objects.requireNonNullElse(e.getValue(), "");
    }
    if (e.getValueFrom().getFieldRef() == null) {
      return null;
    }
    return switch (e.getValueFrom().getFieldRef().getFieldPath()) {
      case "status.podIP", "status.hostIP" -> POD_IP;
      case "metadata.name" -> pod.getMetadata().getName();
      case "metadata.namespace" -> pod.getMetadata().getNamespace();
      case "metadata.uid" -> pod.getMetadata().getUid();
      case "spec.nodeName" -> node;
      case "spec.serviceAccountName" -> pod.getSpec().getServiceAccountName();
      default -> null;
    };
  }

  /** The command Spark's entrypoint.sh runs for {@code executor}, from the container's env. */
  private List<String> command(Map<String, String> env) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    env.entrySet().stream()
        .filter(e -> e.getKey().matches("SPARK_JAVA_OPT_\\d+"))
        .sorted(Comparator.comparingInt(e -> Integer.parseInt(e.getKey().substring(15))))
        .forEach(e -> cmd.add(e.getValue()));
    String memory = env.get("SPARK_EXECUTOR_MEMORY");
    cmd.add("-Xms" + memory);
    cmd.add("-Xmx" + memory);
    List<String> cp = new ArrayList<>();
    if (env.containsKey("SPARK_CONF_DIR")) {
      cp.add(env.get("SPARK_CONF_DIR"));
    }
    if (env.get("SPARK_CLASSPATH") != null && !env.get("SPARK_CLASSPATH").isEmpty()) {
      cp.add(env.get("SPARK_CLASSPATH"));
    }
    cp.addAll(imageClasspath);
    if (env.get("SPARK_EXTRA_CLASSPATH") != null && !env.get("SPARK_EXTRA_CLASSPATH").isEmpty()) {
      cp.add(env.get("SPARK_EXTRA_CLASSPATH"));
    }
    cmd.add("-cp");
    cmd.add(String.join(File.pathSeparator, cp));
    cmd.add(EXECUTOR_BACKEND);
    cmd.addAll(
        List.of(
            "--driver-url", env.get("SPARK_DRIVER_URL"),
            "--executor-id", env.get("SPARK_EXECUTOR_ID"),
            "--cores", env.get("SPARK_EXECUTOR_CORES"),
            "--app-id", env.get("SPARK_APPLICATION_ID"),
            "--hostname", env.get("SPARK_EXECUTOR_POD_IP"),
            "--resourceProfileId", env.get("SPARK_RESOURCE_PROFILE_ID"),
            "--podName", env.get("SPARK_EXECUTOR_POD_NAME")));
    return cmd;
  }

  /**
   * Stops a deleted pod's process as the kubelet does: the preStop hook, SIGTERM, and SIGKILL when
   * the grace period is over; then the final status and the delete with grace 0.
   */
  private void stop(RunningPod r, Pod pod) {
    try {
      long grace =
          Objects.requireNonNullElse(pod.getMetadata().getDeletionGracePeriodSeconds(), 30L);
      Instant deadline = Instant.now().plusSeconds(grace);
      Process p = r.process;
      if (p.isAlive()) {
        if (hasDecommissionHook(pod)) {
          // What Spark's decom.sh does: SIGPWR to the executor, which decommissions itself.
          r.how = "SIGPWR (preStop)";
          signal(p, "PWR");
          waitFor(p, Duration.between(Instant.now(), deadline));
          deadline = later(deadline, Instant.now().plus(MIN_GRACE_AFTER_HOOK));
        }
        if (p.isAlive()) {
          r.how = "SIGTERM";
          p.destroy();
          waitFor(p, Duration.between(Instant.now(), deadline));
        }
        if (p.isAlive()) {
          r.how = "SIGKILL (grace period over)";
          p.destroyForcibly();
          p.waitFor(30, TimeUnit.SECONDS);
        }
      }
      // exited(r) writes the terminated status; the kubelet removes the pod only after that.
      r.reported.get(30, TimeUnit.SECONDS);
      finalDelete(pod);
    } catch (Exception e) {
      lastError.set(e);
    }
  }

  private static Instant later(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  private static boolean hasDecommissionHook(Pod pod) {
    Container c = pod.getSpec().getContainers().get(0);
    return c.getLifecycle() != null
        && c.getLifecycle().getPreStop() != null
        && c.getLifecycle().getPreStop().getExec() != null
        && List.of(DECOMMISSION_SCRIPT)
            .equals(c.getLifecycle().getPreStop().getExec().getCommand());
  }

  private static void signal(Process p, String signal) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-s", signal, String.valueOf(p.pid())).start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IOException(
          "kill -s "
              + signal
              + " "
              + p.pid()
              + " failed: "
              + new String(kill.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  private static void waitFor(Process p, Duration d) throws InterruptedException {
    if (!d.isNegative()) {
      p.waitFor(d.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void exited(RunningPod r) {
    int code = r.process.exitValue();
    terminations.add(new Termination(r.name, r.executorId, code, !r.deleting, r.how));
    try {
      Pod pod = client.pods().inNamespace(namespace).withName(r.name).get();
      if (pod != null && pod.getMetadata().getUid().equals(r.uid)) {
        writeStatus(r.name, terminated(pod, code, r.startedAt));
      }
    } catch (RuntimeException e) {
      lastError.set(e);
    } finally {
      // The pod stays (Succeeded/Failed, never restarted) in `running` until it is deleted.
      r.reported.complete(null);
    }
  }

  private void finalDelete(Pod pod) {
    running.remove(pod.getMetadata().getName());
    try {
      client
          .pods()
          .inNamespace(namespace)
          .withName(pod.getMetadata().getName())
          .withGracePeriod(0)
          .delete();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        throw e;
      }
    }
  }

  private void fail(Pod pod, String message) {
    writeStatus(
        pod.getMetadata().getName(),
        new PodStatusBuilder()
            .withPhase("Failed")
            .withReason("UnsupportedByNodeAgent")
            .withMessage(message)
            .build());
  }

  /**
   * Writes a pod's status, again on a conflict: Spark labels its executor pods (executor id,
   * decommissioning) while the agent reports on them, as it does while a kubelet does.
   */
  private void writeStatus(String name, PodStatus status) {
    for (int attempt = 1; ; attempt++) {
      try {
        client
            .pods()
            .inNamespace(namespace)
            .withName(name)
            .editStatus(
                p -> {
                  p.setStatus(status);
                  return p;
                });
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == 10) {
          throw e;
        }
      }
    }
  }

  private PodStatus running(Pod pod, Container c, Instant at) {
    String t = format(at);
    String start =
        pod.getStatus() != null && pod.getStatus().getStartTime() != null
            ? pod.getStatus().getStartTime()
            : t;
    ContainerStatus cs =
        new ContainerStatusBuilder()
            .withName(c.getName())
            .withImage(c.getImage())
            .withImageID("")
            .withContainerID("stoker-e2e://" + pod.getMetadata().getUid())
            .withReady(true)
            .withStarted(true)
            .withRestartCount(0)
            .withNewState()
            .withNewRunning()
            .withStartedAt(t)
            .endRunning()
            .endState()
            .build();
    return new PodStatusBuilder()
        .withPhase("Running")
        .withHostIP(POD_IP)
        .withPodIP(POD_IP)
        .withPodIPs(new PodIPBuilder().withIp(POD_IP).build())
        .withStartTime(start)
        .withConditions(
            condition("PodScheduled", "True", t),
            condition("Initialized", "True", t),
            condition("ContainersReady", "True", t),
            condition("Ready", "True", t))
        .withContainerStatuses(cs)
        .withQosClass("Burstable")
        .build();
  }

  private PodStatus terminated(Pod pod, int code, Instant startedAt) {
    String t = now();
    Container c = pod.getSpec().getContainers().get(0);
    ContainerStatus cs =
        new ContainerStatusBuilder()
            .withName(c.getName())
            .withImage(c.getImage())
            .withImageID("")
            .withContainerID("stoker-e2e://" + pod.getMetadata().getUid())
            .withReady(false)
            .withStarted(false)
            .withRestartCount(0)
            .withNewState()
            .withNewTerminated()
            .withExitCode(code)
            .withReason(code == 0 ? "Completed" : "Error")
            .withStartedAt(format(startedAt))
            .withFinishedAt(t)
            .endTerminated()
            .endState()
            .build();
    PodStatus old = pod.getStatus();
    return new PodStatusBuilder()
        .withPhase(code == 0 ? "Succeeded" : "Failed")
        .withHostIP(POD_IP)
        .withPodIP(POD_IP)
        .withPodIPs(new PodIPBuilder().withIp(POD_IP).build())
        .withStartTime(old == null ? null : old.getStartTime())
        .withConditions(
            condition("PodScheduled", "True", t),
            condition("Initialized", "True", t),
            condition("ContainersReady", "False", t),
            condition("Ready", "False", t))
        .withContainerStatuses(cs)
        .withQosClass("Burstable")
        .build();
  }

  private static PodCondition condition(String type, String status, String at) {
    return new PodConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withLastTransitionTime(at)
        .build();
  }

  private static String now() {
    return format(Instant.now());
  }

  private static String format(Instant t) {
    return DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.SECONDS));
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * Stops watching, kills every executor JVM still running (SIGTERM, then SIGKILL after 10 s) and
   * deletes the sandbox. The Node object stays with the API server, which the test closes after.
   */
  @Override
  public void close() {
    closed = true;
    informer.close();
    loop.shutdownNow();
    stopping.shutdownNow();
    List<Process> alive = new ArrayList<>();
    for (RunningPod r : running.values()) {
      if (r.process.isAlive()) {
        r.process.destroy();
        alive.add(r.process);
      }
    }
    for (Process p : alive) {
      try {
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
    }
    try (var files = Files.walk(sandbox)) {
      files.sorted(Collections.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
