package io.stoker.app.k8s.capacity;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.stoker.adapters.spark.SparkDriverConfig;
import io.stoker.app.k8s.ClusterView;
import io.stoker.app.k8s.ResolvedTarget;
import io.stoker.app.k8s.WriteGuard;
import io.stoker.app.logging.LogFields;
import io.stoker.app.spec.ParsedSpec;
import io.stoker.core.policy.Headroom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The capacity step of a reconcile ({@code spec.capacity}, docs/capacity.md): placeholder pods (as
 * many as the core's {@link Headroom} decides) and node-group hints. It never fails: a problem of
 * one feature becomes that feature's condition and the rest of the reconcile (the scaling path) is
 * untouched. Runs on the Kubernetes worker pool.
 */
public final class CapacityHints {
  private static final Logger LOG = LoggerFactory.getLogger(CapacityHints.class);

  /** How long a node list is reused for the hints of every autoscaler. */
  static final Duration NODES_TTL = Duration.ofSeconds(30);

  /**
   * How old a node list may be when no node group in it can take the pending pods: a group may have
   * appeared since (a node pool's first node, e.g. the first Node of a Karpenter NodePool), so the
   * nodes are listed again, at most this often.
   */
  static final Duration NODES_RETRY = Duration.ofSeconds(5);

  /**
   * Operator-wide settings.
   *
   * @param placeholderImage image of the placeholder pods
   * @param nodeGroupLabel node label whose values are the node groups of the hints
   * @param evictionHold how long an executor must be idle before it is released for eviction
   * @param doNotDisrupt also write {@code karpenter.sh/do-not-disrupt} on protected executors
   * @param executorStates where per-executor state comes from (the Spark driver)
   */
  public record Settings(
      String placeholderImage,
      String nodeGroupLabel,
      Duration evictionHold,
      boolean doNotDisrupt,
      ExecutorStatesSource executorStates) {
    public Settings {
      Objects.requireNonNull(placeholderImage);
      Objects.requireNonNull(nodeGroupLabel);
      Objects.requireNonNull(evictionHold);
      Objects.requireNonNull(executorStates);
    }
  }

  private final KubernetesClient client;
  private final ClusterView view;
  private final Executor blocking;
  private final Clock clock;
  private final Settings settings;
  private final Placeholders placeholders;
  private final ProvisioningRequests provisioning;
  private final ShuffleProtection shuffle;
  private volatile NodesSeen nodes;

  private record NodesSeen(List<NodeHints.NodeSize> sizes, Instant at) {}

  public CapacityHints(
      KubernetesClient client,
      ClusterView view,
      WriteGuard guard,
      Executor blocking,
      Clock clock,
      Settings settings) {
    this.client = client;
    this.view = view;
    this.blocking = blocking;
    this.clock = clock;
    this.settings = settings;
    this.placeholders = new Placeholders(client, guard, clock, settings.placeholderImage());
    this.provisioning = new ProvisioningRequests(client, guard, clock, settings.placeholderImage());
    this.shuffle =
        new ShuffleProtection(
            client,
            guard,
            clock,
            settings.executorStates(),
            settings.evictionHold(),
            settings.doNotDisrupt());
  }

  /** Runs the capacity features of one autoscaler; never completes exceptionally. */
  public CompletableFuture<CapacityReport> reconcile(CapacityRequest r) {
    return CompletableFuture.supplyAsync(() -> run(r), blocking)
        .exceptionally(
            e -> {
              LogFields.autoscaler(LOG.atWarn(), r.key()).log("capacity step failed: {}", e);
              return CapacityReport.NONE;
            });
  }

  private CapacityReport run(CapacityRequest r) {
    String ns = r.owner().getMetadata().getNamespace();
    ParsedSpec.Capacity cap = r.spec().capacity();
    List<Pod> executors =
        view.executorsMatching(ns, r.target().executorSelector()).stream()
            .filter(CapacityHints::live)
            .toList();
    List<Pod> unplaced = executors.stream().filter(CapacityHints::unplaced).toList();
    List<CapacityCondition> conditions = new ArrayList<>();
    OptionalInt placeholderPods = OptionalInt.empty();
    try {
      Optional<Headroom.Plan> plan = Optional.empty();
      Optional<ExecutorShape> shape = Optional.empty();
      if (cap.placeholders()) {
        shape = shape(r.target(), executors);
        plan =
            Optional.of(
                Headroom.placeholders(
                    Headroom.Input.of(
                        r.decision(),
                        executors.size() - unplaced.size(),
                        (int) unplaced.stream().filter(CapacityHints::unschedulable).count(),
                        cap.headroomExecutors(),
                        r.spec().options().maxExecutors())));
      }
      Placeholders.Result p =
          placeholders.reconcile(
              r.key(),
              r.owner(),
              cap.placeholders(),
              cap.priorityClassName(),
              plan.map(Headroom.Plan::placeholders).orElse(0),
              shape,
              plan.map(Headroom.Plan::reason).orElse(""));
      p.condition().ifPresent(conditions::add);
      if (cap.placeholders()) {
        placeholderPods = OptionalInt.of(p.pods());
      }
    } catch (RuntimeException e) {
      if (cap.placeholders()) {
        conditions.add(
            new CapacityCondition(
                CapacityCondition.PLACEHOLDERS_READY,
                false,
                "PlaceholdersFailed",
                "placeholders: " + e.getMessage()));
      }
    }
    provisioningRequest(r, executors.size() - unplaced.size(), executors)
        .ifPresent(conditions::add);
    OptionalInt protectedExecutors = OptionalInt.empty();
    if (cap.protectShuffle()) {
      try {
        ShuffleProtection.Result s =
            shuffle.reconcile(r.key(), executors, r.target().driverHost(), sparkPort(r.spec()));
        conditions.add(s.condition());
        protectedExecutors = OptionalInt.of(s.protectedExecutors());
      } catch (RuntimeException e) {
        conditions.add(
            new CapacityCondition(
                CapacityCondition.SHUFFLE_PROTECTED,
                false,
                "AnnotationFailed",
                "eviction annotations: " + e.getMessage()));
      }
    }
    return new CapacityReport(
        placeholderPods,
        unplaced.size(),
        unplaced.isEmpty() ? Map.of() : hints(unplaced),
        conditions,
        protectedExecutors);
  }

  /**
   * The ProvisioningRequest for the executors that need room beyond those on nodes: the larger of
   * the target and the forecast, less the executors placed.
   */
  private Optional<CapacityCondition> provisioningRequest(
      CapacityRequest r, int placed, List<Pod> executors) {
    ParsedSpec.Capacity cap = r.spec().capacity();
    try {
      if (!cap.provisioningRequest()) {
        provisioning.remove(r.key(), r.owner());
        return Optional.empty();
      }
      int wanted = Math.max(r.decision().target(), r.decision().inputs().forecastExecutors());
      int needed = Math.max(0, Math.min(wanted, r.spec().options().maxExecutors()) - placed);
      return Optional.of(
          provisioning.reconcile(
              r.key(),
              r.owner(),
              cap.provisioningClassName(),
              needed,
              needed > 0 ? shape(r.target(), executors) : Optional.empty()));
    } catch (RuntimeException e) {
      return cap.provisioningRequest()
          ? Optional.of(
              new CapacityCondition(
                  CapacityCondition.CAPACITY_AVAILABLE,
                  false,
                  "ProvisioningRequestFailed",
                  "provisioning request: " + e.getMessage()))
          : Optional.empty();
    }
  }

  /** {@code signals.spark.port}, else Spark's UI default 4040. */
  private static int sparkPort(ParsedSpec spec) {
    return spec.signal(SparkDriverConfig.class).map(SparkDriverConfig::port).orElse(4040);
  }

  /** The newest live executor's shape, else the pod template of a scale target. */
  private Optional<ExecutorShape> shape(ResolvedTarget target, List<Pod> executors) {
    Optional<Pod> newest =
        executors.stream()
            .filter(p -> p.getSpec() != null)
            .max(
                Comparator.comparing(
                    p ->
                        p.getMetadata().getCreationTimestamp() == null
                            ? ""
                            : p.getMetadata().getCreationTimestamp()));
    if (newest.isPresent()) {
      return newest.map(p -> ExecutorShape.of(p.getSpec()));
    }
    if (target.scaleRef().isEmpty()) {
      return Optional.empty();
    }
    ResolvedTarget.ScaleRef ref = target.scaleRef().get();
    GenericKubernetesResource w =
        client
            .genericKubernetesResources(ref.apiVersion(), ref.kind())
            .inNamespace(target.namespace())
            .withName(ref.name())
            .get();
    Object spec =
        nested(w == null ? null : w.getAdditionalProperties(), "spec", "template", "spec");
    if (spec == null) {
      return Optional.empty();
    }
    return Optional.of(
        ExecutorShape.of(client.getKubernetesSerialization().convertValue(spec, PodSpec.class)));
  }

  private Map<String, Integer> hints(List<Pod> unplaced) {
    try {
      List<NodeHints.PodDemand> demand =
          unplaced.stream().filter(p -> p.getSpec() != null).map(NodeHints::demand).toList();
      Map<String, Integer> needed = NodeHints.needed(demand, nodeSizes(NODES_TTL));
      if (needed.isEmpty() && !demand.isEmpty()) {
        needed = NodeHints.needed(demand, nodeSizes(NODES_RETRY));
      }
      return needed;
    } catch (KubernetesClientException e) {
      LOG.atWarn().log("node-group hints: cannot list nodes: {}", e.getMessage());
      return Map.of();
    }
  }

  /** The node sizes of a list younger than {@code maxAge}, listing the nodes again if need be. */
  private List<NodeHints.NodeSize> nodeSizes(Duration maxAge) {
    Instant now = clock.instant();
    NodesSeen seen = nodes;
    if (seen != null && Duration.between(seen.at(), now).compareTo(maxAge) < 0) {
      return seen.sizes();
    }
    List<NodeHints.NodeSize> sizes = new ArrayList<>();
    List<Node> listed;
    try {
      listed = client.nodes().list().getItems();
    } catch (KubernetesClientException e) {
      // Not granted (the chart's nodeHints RBAC is off) or failing: no hints until the next try.
      nodes = new NodesSeen(List.of(), now);
      throw e;
    }
    for (Node n : listed) {
      NodeHints.NodeSize s = NodeHints.size(n, settings.nodeGroupLabel());
      if (s != null) {
        sizes.add(s);
      }
    }
    nodes = new NodesSeen(List.copyOf(sizes), now);
    return sizes;
  }

  private static boolean live(Pod p) {
    if (p.getMetadata().getDeletionTimestamp() != null || p.getStatus() == null) {
      return false;
    }
    String phase = p.getStatus().getPhase();
    return "Running".equals(phase) || "Pending".equals(phase);
  }

  /** Pending and not bound to a node. */
  static boolean unplaced(Pod p) {
    return "Pending".equals(p.getStatus().getPhase())
        && (p.getSpec() == null || p.getSpec().getNodeName() == null);
  }

  /** The scheduler said it cannot place the pod ({@code PodScheduled=False, Unschedulable}). */
  static boolean unschedulable(Pod p) {
    if (p.getStatus().getConditions() == null) {
      return false;
    }
    for (PodCondition c : p.getStatus().getConditions()) {
      if ("PodScheduled".equals(c.getType())) {
        return "False".equals(c.getStatus()) && "Unschedulable".equals(c.getReason());
      }
    }
    return false;
  }

  private static Object nested(Map<String, Object> root, String... path) {
    Object cur = root;
    for (String k : path) {
      if (!(cur instanceof Map<?, ?> m)) {
        return null;
      }
      cur = m.get(k);
    }
    return cur;
  }

  /** Forgets a deleted autoscaler. */
  public void forget(String key) {
    placeholders.forget(key);
    provisioning.forget(key);
    shuffle.forget(key);
  }
}
