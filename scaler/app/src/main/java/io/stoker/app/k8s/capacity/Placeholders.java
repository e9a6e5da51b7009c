package io.stoker.app.k8s.capacity;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.stoker.app.capacity.CapacityCondition;
import io.stoker.app.k8s.WriteGuard;
import io.stoker.app.k8s.WriteRefused;
import io.stoker.app.k8s.model.ExecutorAutoscaler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps an autoscaler's placeholder pods (the Cluster Autoscaler overprovisioning pattern of its
 * FAQ): low-priority pause pods shaped like its executors, owned by the autoscaler
 * (garbage-collected with it) and labelled {@code stoker.io/role=placeholder}. Real executors
 * preempt them; unschedulable placeholders make the node autoscaler add nodes ahead of the
 * executors. Blocking: called on the Kubernetes worker pool. Every write goes through the {@link
 * WriteGuard}; a refused write is re-attempted next tick.
 */
public final class Placeholders {
  /** How long an answer about a PriorityClass is reused. */
  static final Duration CLASS_TTL = Duration.ofMinutes(1);

  private final KubernetesClient client;
  private final WriteGuard guard;
  private final Clock clock;
  private final String image;

  /** Placeholder pods seen at the last reconcile of each key (absent: unknown, e.g. at start). */
  private final Map<String, Integer> known = new ConcurrentHashMap<>();

  private final Map<String, ClassSeen> classes = new ConcurrentHashMap<>();

  private record ClassSeen(boolean exists, Instant at) {}

  /**
   * The outcome for one autoscaler.
   *
   * @param pods live placeholder pods after this reconcile
   * @param condition {@code PlaceholdersReady}, or empty when the feature is off
   */
  public record Result(int pods, Optional<CapacityCondition> condition) {
    static final Result OFF = new Result(0, Optional.empty());
  }

  public Placeholders(KubernetesClient client, WriteGuard guard, Clock clock, String image) {
    this.client = client;
    this.guard = guard;
    this.clock = clock;
    this.image = image;
  }

  /**
   * Brings the placeholder pods of {@code owner} to {@code wanted}.
   *
   * @param key {@code namespace/name}
   * @param owner the autoscaler (namespace, name and uid are used)
   * @param enabled {@code spec.capacity.placeholders.enabled}; when false, leftovers are removed
   * @param priorityClassName the PriorityClass the placeholders get
   * @param wanted how many to keep (already capped)
   * @param shape the executors' shape, if known
   * @param why why that many, for the condition's message
   */
  public Result reconcile(
      String key,
      ExecutorAutoscaler owner,
      boolean enabled,
      String priorityClassName,
      int wanted,
      Optional<ExecutorShape> shape,
      String why) {
    String ns = owner.getMetadata().getNamespace();
    String name = owner.getMetadata().getName();
    if (!enabled) {
      Integer before = known.get(key);
      if (before == null || before > 0) {
        known.put(key, removeAll(key, list(ns, name)));
      }
      return Result.OFF;
    }
    if (!priorityClassExists(priorityClassName)) {
      known.put(key, removeAll(key, list(ns, name)));
      return new Result(
          0,
          Optional.of(
              new CapacityCondition(
                  CapacityCondition.PLACEHOLDERS_READY,
                  false,
                  "PriorityClassNotFound",
                  "PriorityClass "
                      + priorityClassName
                      + " (capacity.placeholders.priorityClassName) not found: placeholders are"
                      + " off for this autoscaler until it exists")));
    }
    String hash = shape.map(s -> s.hash(image, priorityClassName)).orElse(null);
    List<Pod> current = new ArrayList<>();
    List<Pod> obsolete = new ArrayList<>();
    for (Pod p : list(ns, name)) {
      if (p.getMetadata().getDeletionTimestamp() == null) {
        (obsolete(p, hash) ? obsolete : current).add(p);
      }
    }
    String problem = "";
    try {
      converge(key, owner, priorityClassName, wanted, shape, hash, current, obsolete);
    } catch (WriteRefused e) {
      problem =
          e.why() == WriteRefused.Why.NOT_LEADER ? "" : e.getMessage() + "; continued next tick";
    } catch (KubernetesClientException e) {
      known.put(key, current.size());
      return result(
          current.size(),
          false,
          "PlaceholderWriteFailed",
          "placeholder pod write failed: " + e.getMessage());
    }
    known.put(key, current.size());
    if (shape.isEmpty() && current.size() < wanted) {
      return result(
          current.size(),
          false,
          "NoExecutorShape",
          "no executor pod or pod template to copy the placeholder shape from yet");
    }
    String message =
        current.size()
            + " of "
            + wanted
            + " placeholder pods (PriorityClass "
            + priorityClassName
            + ")"
            + (why.isEmpty() ? "" : "; " + why)
            + (problem.isEmpty() ? "" : "; " + problem);
    boolean done = current.size() == wanted;
    return result(
        current.size(), done, done ? "PlaceholdersInPlace" : "PlaceholdersPending", message);
  }

  /** Finished (evicted, failed) or of another shape than the executors' now. */
  private static boolean obsolete(Pod p, String hash) {
    String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
    boolean finished = "Succeeded".equals(phase) || "Failed".equals(phase);
    return finished || (hash != null && !hash.equals(annotation(p, CapacityLabels.SHAPE)));
  }

  /** Deletes the obsolete and the surplus, creates the missing; {@code current} follows. */
  private void converge(
      String key,
      ExecutorAutoscaler owner,
      String priorityClassName,
      int wanted,
      Optional<ExecutorShape> shape,
      String hash,
      List<Pod> current,
      List<Pod> obsolete) {
    for (Pod p : obsolete) {
      delete(key, p);
    }
    current.sort(REMOVE_FIRST);
    while (current.size() > wanted) {
      delete(key, current.get(0));
      current.remove(0);
    }
    while (shape.isPresent() && current.size() < wanted) {
      current.add(create(key, owner, shape.get(), priorityClassName, hash));
    }
  }

  private static Result result(int pods, boolean ok, String reason, String message) {
    return new Result(
        pods,
        Optional.of(
            new CapacityCondition(CapacityCondition.PLACEHOLDERS_READY, ok, reason, message)));
  }

  /** Unscheduled placeholders go first (they only ask for nodes), then the newest. */
  private static final Comparator<Pod> REMOVE_FIRST =
      Comparator.<Pod, Boolean>comparing(
              p -> p.getSpec() != null && p.getSpec().getNodeName() != null)
          .thenComparing(
              p ->
                  p.getMetadata().getCreationTimestamp() == null
                      ? ""
                      : p.getMetadata().getCreationTimestamp(),
              Comparator.reverseOrder());

  private List<Pod> list(String ns, String name) {
    return client
        .pods()
        .inNamespace(ns)
        .withLabel(CapacityLabels.AUTOSCALER, name)
        .withLabel(CapacityLabels.ROLE, CapacityLabels.PLACEHOLDER)
        .list()
        .getItems();
  }

  /** Removes every listed placeholder; returns how many are left (refused deletes). */
  private int removeAll(String key, List<Pod> pods) {
    int left = 0;
    for (Pod p : pods) {
      if (p.getMetadata().getDeletionTimestamp() != null) {
        continue;
      }
      try {
        delete(key, p);
      } catch (WriteRefused | KubernetesClientException e) {
        left++;
      }
    }
    return left;
  }

  private void delete(String key, Pod p) {
    guard.write(
        key,
        "placeholder",
        () ->
            client
                .pods()
                .inNamespace(p.getMetadata().getNamespace())
                .withName(p.getMetadata().getName())
                .withGracePeriod(0)
                .delete());
  }

  private Pod create(
      String key,
      ExecutorAutoscaler owner,
      ExecutorShape shape,
      String priorityClass,
      String hash) {
    String name = owner.getMetadata().getName();
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withNamespace(owner.getMetadata().getNamespace())
            .withGenerateName(name + "-placeholder-")
            .addToLabels(CapacityLabels.MANAGED_BY, CapacityLabels.STOKER)
            .addToLabels(CapacityLabels.AUTOSCALER, name)
            .addToLabels(CapacityLabels.ROLE, CapacityLabels.PLACEHOLDER)
            .addToAnnotations(CapacityLabels.SHAPE, hash)
            .withOwnerReferences(ownerReference(owner))
            .endMetadata()
            .withSpec(shape.placeholder(image, priorityClass))
            .build();
    return guard.write(key, "placeholder", () -> client.pods().resource(pod).create());
  }

  /** A controller reference to the autoscaler, so that deleting it deletes its placeholders. */
  static OwnerReference ownerReference(ExecutorAutoscaler owner) {
    return new OwnerReferenceBuilder()
        .withApiVersion(HasMetadata.getApiVersion(ExecutorAutoscaler.class))
        .withKind(HasMetadata.getKind(ExecutorAutoscaler.class))
        .withName(owner.getMetadata().getName())
        .withUid(owner.getMetadata().getUid())
        .withController(true)
        .build();
  }

  private boolean priorityClassExists(String name) {
    Instant now = clock.instant();
    ClassSeen seen = classes.get(name);
    if (seen != null && Duration.between(seen.at(), now).compareTo(CLASS_TTL) < 0) {
      return seen.exists();
    }
    boolean exists = client.scheduling().v1().priorityClasses().withName(name).get() != null;
    classes.put(name, new ClassSeen(exists, now));
    return exists;
  }

  private static String annotation(Pod p, String key) {
    Map<String, String> a = p.getMetadata().getAnnotations();
    return a == null ? null : a.get(key);
  }

  /** Forgets a deleted autoscaler (its placeholders go with it through the owner reference). */
  public void forget(String key) {
    known.remove(key);
  }
}
