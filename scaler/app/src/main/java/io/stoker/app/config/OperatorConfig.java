package io.stoker.app.config;

import io.stoker.app.spec.DurationText;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The settings of {@code stoker run}. Values come from flags, then environment variables, then
 * defaults. Built from maps, so that tests never touch the real environment.
 */
public final class OperatorConfig {
  public static final ConfigParameter<List<String>> NAMESPACE =
      new ConfigParameter<>(
          "namespace",
          "list",
          "",
          "Watch ExecutorAutoscalers and Spark pods of these namespaces only (comma-separated, e.g."
              + " team-a,team-b; each needs a Role); empty watches all.",
          OperatorConfig::namespaces);
  public static final ConfigParameter<Duration> TICK =
      new ConfigParameter<>(
          "tick-interval",
          "duration",
          "10s",
          "Time between two reconciles of one autoscaler.",
          OperatorConfig::positiveDuration);
  public static final ConfigParameter<Integer> MAX_CONCURRENT_RECONCILES =
      new ConfigParameter<>(
          "max-concurrent-reconciles",
          "integer",
          "64",
          "Most reconciles in flight at once; the others of a tick wait their turn, each started"
              + " when one ends. Bounds the signal requests open at once, so that none waits in a"
              + " connection queue while its deadline runs.",
          OperatorConfig::positiveInt);
  public static final ConfigParameter<Duration> SIGNAL_TIMEOUT =
      new ConfigParameter<>(
          "signal-timeout",
          "duration",
          "5s",
          "Deadline of one signal collection (Kafka, Spark driver, PromQL); a late signal is"
              + " missing.",
          OperatorConfig::positiveDuration);
  public static final ConfigParameter<Long> SIGNAL_MAX_BODY =
      new ConfigParameter<>(
          "signal-max-body",
          "bytes",
          "8Mi",
          "Largest HTTP response body read from a Spark driver or a Prometheus server (bytes, or"
              + " with Ki, Mi, Gi); a larger one is an error naming the URL, and its connection is"
              + " closed.",
          OperatorConfig::bytes);
  public static final ConfigParameter<Duration> STATUS_REFRESH =
      new ConfigParameter<>(
          "status-refresh-interval",
          "duration",
          "60s",
          "Shortest time between two status writes of one autoscaler when only its observed lag"
              + " and rates moved (by more than 10%); each autoscaler waits between one and two"
              + " intervals (fixed per autoscaler), so that the refreshes of many spread over the"
              + " ticks. Decisions, conditions and executor counts are written at once.",
          OperatorConfig::duration);
  public static final ConfigParameter<String> METRICS_ADDRESS =
      new ConfigParameter<>(
          "metrics-address",
          "host",
          "0.0.0.0",
          "Address of the /metrics, /healthz and /readyz endpoint.",
          s -> s);
  public static final ConfigParameter<Integer> METRICS_PORT =
      new ConfigParameter<>(
          "metrics-port",
          "port",
          "8080",
          "Port of the /metrics, /healthz and /readyz endpoint (0 picks a free port).",
          OperatorConfig::port);
  public static final ConfigParameter<Boolean> JVM_METRICS =
      new ConfigParameter<>(
          "jvm-metrics",
          "boolean",
          "true",
          "Export JVM metrics (memory, GC, threads) on /metrics.",
          OperatorConfig::bool);
  public static final ConfigParameter<String> GRPC_ADDRESS =
      new ConfigParameter<>(
          "grpc-address", "host", "0.0.0.0", "Address of the KEDA external scaler (gRPC).", s -> s);
  public static final ConfigParameter<Optional<Integer>> GRPC_PORT =
      new ConfigParameter<>(
          "grpc-port",
          "port",
          "",
          "Port of the KEDA external scaler (gRPC, plaintext, with grpc.health.v1); empty"
              + " disables it, 0 picks a free port.",
          s -> s.isBlank() ? Optional.empty() : Optional.of(port(s)));
  public static final ConfigParameter<Duration> GRPC_HEARTBEAT =
      new ConfigParameter<>(
          "grpc-stream-heartbeat",
          "duration",
          "10s",
          "Longest time between two messages of an open StreamIsActive (a change of activity is"
              + " pushed within 0.5 s).",
          OperatorConfig::positiveDuration);
  public static final ConfigParameter<Duration> GRPC_KAFKA_REFRESH =
      new ConfigParameter<>(
          "grpc-kafka-refresh",
          "duration",
          "10s",
          "KEDA Kafka-scaler mode: how often a trigger in use is read again in the background"
              + " (answers come from that reading).",
          OperatorConfig::positiveDuration);
  public static final ConfigParameter<Duration> GRPC_KAFKA_DEADLINE =
      new ConfigParameter<>(
          "grpc-kafka-deadline",
          "duration",
          "2s",
          "KEDA Kafka-scaler mode: the longest a request waits for a reading of the cluster, then"
              + " UNAVAILABLE.",
          OperatorConfig::positiveDuration);
  public static final ConfigParameter<Integer> GRPC_KAFKA_MAX_TRIGGERS =
      new ConfigParameter<>(
          "grpc-kafka-max-triggers",
          "integer",
          "1000",
          "KEDA Kafka-scaler mode: most distinct triggers held at once; a request for a new one past"
              + " it is RESOURCE_EXHAUSTED until unused ones expire (10 min).",
          OperatorConfig::positiveInt);
  public static final ConfigParameter<Integer> GRPC_KAFKA_MAX_CLUSTERS =
      new ConfigParameter<>(
          "grpc-kafka-max-clusters",
          "integer",
          "20",
          "KEDA Kafka-scaler mode: most distinct Kafka clusters (bootstrap lists) read at once,"
              + " each one Kafka Admin client and thread; a trigger of a new one past it is"
              + " RESOURCE_EXHAUSTED until unused ones expire.",
          OperatorConfig::positiveInt);
  public static final ConfigParameter<Optional<String>> GRPC_TLS_CERT =
      new ConfigParameter<>(
          "grpc-tls-cert",
          "path",
          "",
          "PEM certificate chain of the gRPC server; with --grpc-tls-key it serves TLS (KEDA's"
              + " enableTLS and caCert).",
          OperatorConfig::optional);
  public static final ConfigParameter<Optional<String>> GRPC_TLS_KEY =
      new ConfigParameter<>(
          "grpc-tls-key",
          "path",
          "",
          "PEM (PKCS#8) private key of the gRPC server's certificate.",
          OperatorConfig::optional);
  public static final ConfigParameter<Optional<String>> GRPC_TLS_CLIENT_CA =
      new ConfigParameter<>(
          "grpc-tls-client-ca",
          "path",
          "",
          "PEM CA certificates of client certificates; set, the gRPC server requires one (mutual"
              + " TLS, KEDA's tlsClientCert and tlsClientKey).",
          OperatorConfig::optional);
  public static final ConfigParameter<Boolean> LEADER_ELECTION =
      new ConfigParameter<>(
          "leader-election",
          "boolean",
          "true",
          "Elect a leader through a coordination.k8s.io Lease; only the leader writes.",
          OperatorConfig::bool);
  public static final ConfigParameter<String> LEASE_NAMESPACE =
      new ConfigParameter<>(
          "lease-namespace",
          "string",
          "default",
          "Namespace of the leader-election Lease (the chart sets the release namespace).",
          s -> s);
  public static final ConfigParameter<String> LEASE_NAME =
      new ConfigParameter<>(
          "lease-name", "string", "stoker-controller", "Name of the Lease.", s -> s);
  public static final ConfigParameter<Duration> LEASE_DURATION =
      new ConfigParameter<>(
          "lease-duration",
          "duration",
          "15s",
          "How long a standby waits after the last renewal before taking over.",
          OperatorConfig::positiveDuration);
  public static final ConfigParameter<Duration> LEASE_RENEW_DEADLINE =
      new ConfigParameter<>(
          "lease-renew-deadline",
          "duration",
          "10s",
          "The leader stops writing when it has not renewed the Lease within this time, then"
              + " competes again; lease-duration minus this is the margin that bounds a write"
              + " sent just before (its request timeout).",
          OperatorConfig::positiveDuration);
  public static final ConfigParameter<Duration> LEASE_RETRY_PERIOD =
      new ConfigParameter<>(
          "lease-retry-period",
          "duration",
          "2s",
          "Time between two attempts to acquire or renew the Lease.",
          OperatorConfig::positiveDuration);
  public static final ConfigParameter<String> IDENTITY =
      new ConfigParameter<>(
          "identity",
          "string",
          "",
          "This replica's name in the Lease and in Events; empty uses POD_NAME, then the host"
              + " name.",
          s -> s);
  public static final ConfigParameter<Integer> WRITES_PER_SECOND =
      new ConfigParameter<>(
          "kube-writes-per-second",
          "integer",
          "20",
          "Kubernetes writes (patches, status, events) per second over all autoscalers.",
          OperatorConfig::positiveInt);
  public static final ConfigParameter<Integer> WRITES_BURST =
      new ConfigParameter<>(
          "kube-writes-burst",
          "integer",
          "",
          "Kubernetes writes the global limit lets through at once after a quiet spell (over time"
              + " the rate stays --kube-writes-per-second); empty: the same as"
              + " --kube-writes-per-second.",
          OperatorConfig::optionalPositiveInt);
  public static final ConfigParameter<Integer> WRITES_PER_AUTOSCALER =
      new ConfigParameter<>(
          "kube-writes-per-autoscaler-per-minute",
          "integer",
          "30",
          "Kubernetes writes per minute of one autoscaler.",
          OperatorConfig::positiveInt);
  public static final ConfigParameter<Duration> WRITE_MAX_WAIT =
      new ConfigParameter<>(
          "kube-write-max-wait",
          "duration",
          "1s",
          "Longest wait for a write permit; a write still refused is retried next tick.",
          OperatorConfig::duration);
  public static final ConfigParameter<Integer> WRITE_ATTEMPTS =
      new ConfigParameter<>(
          "kube-write-attempts",
          "integer",
          "4",
          "Attempts of one write answered with 409, 429 or 5xx (first try included).",
          OperatorConfig::positiveInt);
  public static final ConfigParameter<Duration> WRITE_BACKOFF =
      new ConfigParameter<>(
          "kube-write-backoff",
          "duration",
          "200ms",
          "Wait before the first retry of a write; doubles each retry.",
          OperatorConfig::positiveDuration);
  public static final ConfigParameter<Integer> WORKER_POOL =
      new ConfigParameter<>(
          "kube-worker-pool-size",
          "integer",
          "8",
          "Threads of the pool that runs blocking Kubernetes calls (kubernetes-ops-pool).",
          OperatorConfig::positiveInt);
  public static final ConfigParameter<Duration> SECRET_TTL =
      new ConfigParameter<>(
          "secret-cache-ttl",
          "duration",
          "60s",
          "How long a Secret referenced by signals.kafka.authSecretRef is reused before it is"
              + " read again.",
          OperatorConfig::duration);

  public static final ConfigParameter<String> PLACEHOLDER_IMAGE =
      new ConfigParameter<>(
          "placeholder-image",
          "image",
          "registry.k8s.io/pause:3.10",
          "Image of the capacity placeholder pods (spec.capacity.placeholders); it only has to"
              + " start and sleep.",
          OperatorConfig::nonBlank);
  public static final ConfigParameter<String> NODE_GROUP_LABEL =
      new ConfigParameter<>(
          "node-group-label",
          "label",
          "node.kubernetes.io/instance-type",
          "Node label whose values are the node groups of status.capacity.nodeHints and"
              + " stoker_node_hint_nodes (e.g. eks.amazonaws.com/nodegroup,"
              + " cloud.google.com/gke-nodepool, karpenter.sh/nodepool).",
          OperatorConfig::nonBlank);

  public static final ConfigParameter<Duration> EVICTION_HOLD =
      new ConfigParameter<>(
          "eviction-hold",
          "duration",
          "2m",
          "spec.capacity.protectShuffle: how long an executor must be idle (no running task, no"
              + " cached block, no new shuffle data) before it is annotated safe-to-evict \"true\";"
              + " busy executors are protected at once.",
          OperatorConfig::positiveDuration);
  public static final ConfigParameter<Boolean> KARPENTER_DO_NOT_DISRUPT =
      new ConfigParameter<>(
          "karpenter-do-not-disrupt",
          "boolean",
          "false",
          "spec.capacity.protectShuffle: also annotate protected executors"
              + " karpenter.sh/do-not-disrupt \"true\" (for clusters scaled by Karpenter).",
          OperatorConfig::bool);

  /** Every parameter, in documentation order. */
  public static final List<ConfigParameter<?>> PARAMETERS =
      List.of(
          NAMESPACE,
          TICK,
          MAX_CONCURRENT_RECONCILES,
          SIGNAL_TIMEOUT,
          SIGNAL_MAX_BODY,
          STATUS_REFRESH,
          METRICS_ADDRESS,
          METRICS_PORT,
          JVM_METRICS,
          GRPC_ADDRESS,
          GRPC_PORT,
          GRPC_HEARTBEAT,
          GRPC_KAFKA_REFRESH,
          GRPC_KAFKA_DEADLINE,
          GRPC_KAFKA_MAX_TRIGGERS,
          GRPC_KAFKA_MAX_CLUSTERS,
          GRPC_TLS_CERT,
          GRPC_TLS_KEY,
          GRPC_TLS_CLIENT_CA,
          LEADER_ELECTION,
          LEASE_NAMESPACE,
          LEASE_NAME,
          LEASE_DURATION,
          LEASE_RENEW_DEADLINE,
          LEASE_RETRY_PERIOD,
          IDENTITY,
          WRITES_PER_SECOND,
          WRITES_BURST,
          WRITES_PER_AUTOSCALER,
          WRITE_MAX_WAIT,
          WRITE_ATTEMPTS,
          WRITE_BACKOFF,
          WORKER_POOL,
          SECRET_TTL,
          PLACEHOLDER_IMAGE,
          NODE_GROUP_LABEL,
          EVICTION_HOLD,
          KARPENTER_DO_NOT_DISRUPT);

  private final Map<ConfigParameter<?>, Object> values;

  private OperatorConfig(Map<ConfigParameter<?>, Object> values) {
    this.values = values;
  }

  /**
   * Builds the configuration.
   *
   * @param flags values given as flags, by {@link ConfigParameter#key()}
   * @param env the environment ({@code System.getenv()} in production)
   * @throws IllegalArgumentException naming every bad flag or variable
   */
  public static OperatorConfig from(Map<String, String> flags, Map<String, String> env) {
    Map<ConfigParameter<?>, Object> values = new HashMap<>();
    List<String> errors = new ArrayList<>();
    for (ConfigParameter<?> p : PARAMETERS) {
      String text = flags.get(p.key());
      if (text == null) {
        text = env.get(p.env());
      }
      if (text == null) {
        text = p.defaultValue();
      }
      try {
        values.put(p, p.parse(text));
      } catch (IllegalArgumentException e) {
        errors.add(e.getMessage());
      }
    }
    if (errors.isEmpty()) {
      OperatorConfig c = new OperatorConfig(values);
      if (c.get(LEASE_RENEW_DEADLINE).compareTo(c.get(LEASE_DURATION)) >= 0) {
        errors.add("--lease-renew-deadline must be shorter than --lease-duration");
      }
      if (c.get(GRPC_TLS_CERT).isPresent() != c.get(GRPC_TLS_KEY).isPresent()) {
        errors.add("--grpc-tls-cert and --grpc-tls-key go together");
      }
      if (c.get(GRPC_TLS_CLIENT_CA).isPresent() && c.get(GRPC_TLS_CERT).isEmpty()) {
        errors.add("--grpc-tls-client-ca needs --grpc-tls-cert and --grpc-tls-key");
      }
      if (errors.isEmpty()) {
        return c;
      }
    }
    throw new IllegalArgumentException(String.join("; ", errors));
  }

  /** Defaults only (plus the given overrides), for tests. */
  public static OperatorConfig defaults(Map<String, String> flags) {
    return from(flags, Map.of());
  }

  @SuppressWarnings("unchecked")
  public <T> T get(ConfigParameter<T> p) {
    return (T) values.get(p);
  }

  /** Comma-separated DNS-1123 labels (namespace names), distinct; empty: none. */
  private static List<String> namespaces(String s) {
    List<String> out = new ArrayList<>();
    for (String part : s.split(",", -1)) {
      String ns = part.trim();
      if (s.isBlank()) {
        break;
      }
      if (!ns.matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")) {
        throw new IllegalArgumentException("'" + ns + "' is not a namespace name");
      }
      if (out.contains(ns)) {
        throw new IllegalArgumentException("namespace " + ns + " is listed twice");
      }
      out.add(ns);
    }
    return List.copyOf(out);
  }

  private static Optional<String> optional(String s) {
    return s.isBlank() ? Optional.empty() : Optional.of(s);
  }

  private static String nonBlank(String s) {
    if (s.isBlank()) {
      throw new IllegalArgumentException("must not be empty");
    }
    return s.trim();
  }

  private static Duration duration(String s) {
    return DurationText.parse(s);
  }

  private static Duration positiveDuration(String s) {
    Duration d = DurationText.parse(s);
    if (d.isZero()) {
      throw new IllegalArgumentException("must be > 0");
    }
    return d;
  }

  private static int port(String s) {
    int p = Integer.parseInt(s);
    if (p < 0 || p > 65535) {
      throw new IllegalArgumentException("must be 0..65535");
    }
    return p;
  }

  /** A positive integer, or 0 for an empty value (meaning "not set"). */
  private static int optionalPositiveInt(String s) {
    return s.isBlank() ? 0 : positiveInt(s);
  }

  private static int positiveInt(String s) {
    int v = Integer.parseInt(s);
    if (v < 1) {
      throw new IllegalArgumentException("must be >= 1");
    }
    return v;
  }

  /** A positive size in bytes: {@code 8388608}, {@code 512Ki}, {@code 8Mi}, {@code 1Gi}. */
  static long bytes(String s) {
    String v = s.trim();
    long unit = 1;
    for (String[] u : new String[][] {{"Ki", "10"}, {"Mi", "20"}, {"Gi", "30"}}) {
      if (v.endsWith(u[0])) {
        unit = 1L << Integer.parseInt(u[1]);
        v = v.substring(0, v.length() - 2);
      }
    }
    long n = Long.parseLong(v);
    if (n < 1 || n > (Long.MAX_VALUE >> 30)) {
      throw new IllegalArgumentException("must be a positive size such as 8Mi");
    }
    return n * unit;
  }

  private static boolean bool(String s) {
    if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
      return Boolean.parseBoolean(s);
    }
    throw new IllegalArgumentException("must be true or false");
  }
}
