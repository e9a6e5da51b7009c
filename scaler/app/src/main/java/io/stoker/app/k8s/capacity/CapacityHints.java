package io.stoker.app.k8s.capacity;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.stoker.app.capacity.CapacityCondition;
import io.stoker.app.capacity.CapacityPlan;
import io.stoker.app.capacity.CapacityReport;
import io.stoker.app.capacity.CapacityRequest;
import io.stoker.app.capacity.ExecutorPlacement;
import io.stoker.app.capacity.NodeGroupHints;
import io.stoker.app.controller.ports.CapacityActuator;
import io.stoker.app.k8s.ClusterView;
import io.stoker.app.k8s.ResolvedTarget;
import io.stoker.app.k8s.WriteGuard;
import io.stoker.app.logging.LogFields;
import io.stoker.app.spec.ParsedSpec;
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
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The capacity step of a reconcile ({@code spec.capacity}, docs/capacity.md) on Kubernetes: reads
 * where the executors are, and carries out the {@link CapacityPlan} decided from that (placeholder
 * pods, a ProvisioningRequest, eviction annotations), plus node-group hints. It never fails: a
 * problem of one feature becomes that feature's condition and the rest of the reconcile (the
 * scaling path) is untouched. Runs on the Kubernetes worker pool.
 */
public final class CapacityHints implements CapacityActuator {
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

  private record NodesSeen(List<NodeGroupHints.NodeSize> sizes, Instant at) {}

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
  @Override
  public CompletableFuture<CapacityReport> reconcile(
      CapacityRequest r, Function<ExecutorPlacement, CapacityPlan> planner) {
    return CompletableFuture.supplyAsync(() -> run(r, planner), blocking)
        .exceptionally(
            e -> {
              LogFields.autoscaler(LOG.atWarn(), r.key()).log("capacity step failed: {}", e);
              return CapacityReport.NONE;
            });
  }

  private CapacityReport run(CapacityRequest r, Function<ExecutorPlacement, CapacityPlan> planner) {
    String ns = r.owner().getMetadata().getNamespace();
    ParsedSpec.Capacity cap = r.spec().capacity();
    List<Pod> executors =
        view.executorsMatching(ns, r.target().executorSelector()).stream()
            .filter(CapacityHints::live)
            .toList();
    List<Pod> unplaced = executors.stream().filter(CapacityHints::unplaced).toList();
    int placed = executors.size() - unplaced.size();
    CapacityPlan plan =
        planner.apply(
            new ExecutorPlacement(
                placed,
                unplaced.size(),
                (int) unplaced.stream().filter(CapacityHints::unschedulable).count()));
    List<CapacityCondition> conditions = new ArrayList<>();
    OptionalInt placeholderPods = OptionalInt.empty();
    try {
      Optional<ExecutorShape> shape =
          plan.placeholders().isPresent() ? shape(r.target(), executors) : Optional.empty();
      Placeholders.Result p =
          placeholders.reconcile(
              r.key(),
              r.owner(),
              plan.placeholders().isPresent(),
              cap.priorityClassName(),
              plan.placeholders().map(CapacityPlan.Placeholders::pods).orElse(0),
              shape,
              plan.placeholders().map(CapacityPlan.Placeholders::reason).orElse(""));
      p.condition().ifPresent(conditions::add);
      if (plan.placeholders().isPresent()) {
        placeholderPods = OptionalInt.of(p.pods());
      }
    } catch (RuntimeException e) {
      if (plan.placeholders().isPresent()) {
        conditions.add(
            new CapacityCondition(
                CapacityCondition.PLACEHOLDERS_READY,
                false,
                "PlaceholdersFailed",
                "placeholders: " + e.getMessage()));
      }
    }
    provisioningRequest(r, plan.provisioning(), executors).ifPresent(conditions::add);
    OptionalInt protectedExecutors = OptionalInt.empty();
    if (plan.shuffleProtectionPort().isPresent()) {
      try {
        ShuffleProtection.Result s =
            shuffle.reconcile(
                r.key(),
                executors,
                r.target().driverHost(),
                plan.shuffleProtectionPort().getAsInt());
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
   * The ProvisioningRequest for the {@code needed} executors of the plan, or none (removed) when
   * the feature is off.
   */
  private Optional<CapacityCondition> provisioningRequest(
      CapacityRequest r, OptionalInt needed, List<Pod> executors) {
    ParsedSpec.Capacity cap = r.spec().capacity();
    try {
      if (needed.isEmpty()) {
        provisioning.remove(r.key(), r.owner());
        return Optional.empty();
      }
      int n = needed.getAsInt();
      return Optional.of(
          provisioning.reconcile(
              r.key(),
              r.owner(),
              cap.provisioningClassName(),
              n,
              n > 0 ? shape(r.target(), executors) : Optional.empty()));
    } catch (RuntimeException e) {
      return needed.isPresent()
          ? Optional.of(
              new CapacityCondition(
                  CapacityCondition.CAPACITY_AVAILABLE,
                  false,
                  "ProvisioningRequestFailed",
                  "provisioning request: " + e.getMessage()))
          : Optional.empty();
    }
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
      List<NodeGroupHints.PodDemand> demand =
          unplaced.stream().filter(p -> p.getSpec() != null).map(NodeHints::demand).toList();
      Map<String, Integer> needed = NodeGroupHints.needed(demand, nodeSizes(NODES_TTL));
      if (needed.isEmpty() && !demand.isEmpty()) {
        needed = NodeGroupHints.needed(demand, nodeSizes(NODES_RETRY));
      }
      return needed;
    } catch (KubernetesClientException e) {
      LOG.atWarn().log("node-group hints: cannot list nodes: {}", e.getMessage());
      return Map.of();
    }
  }

  /** The node sizes of a list younger than {@code maxAge}, listing the nodes again if need be. */
  private List<NodeGroupHints.NodeSize> nodeSizes(Duration maxAge) {
    Instant now = clock.instant();
    NodesSeen seen = nodes;
    if (seen != null && Duration.between(seen.at(), now).compareTo(maxAge) < 0) {
      return seen.sizes();
    }
    List<NodeGroupHints.NodeSize> sizes = new ArrayList<>();
    List<Node> listed;
    try {
      listed = client.nodes().list().getItems();
    } catch (KubernetesClientException e) {
      // Not granted (the chart's nodeHints RBAC is off) or failing: no hints until the next try.
      nodes = new NodesSeen(List.of(), now);
      throw e;
    }
    for (Node n : listed) {
      NodeGroupHints.NodeSize s = NodeHints.size(n, settings.nodeGroupLabel());
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
  @Override
  public void forget(String key) {
    placeholders.forget(key);
    provisioning.forget(key);
    shuffle.forget(key);
  }
}
