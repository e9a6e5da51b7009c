package io.stoker.app.k8s.capacity;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodTemplate;
import io.fabric8.kubernetes.api.model.PodTemplateBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.stoker.app.capacity.CapacityCondition;
import io.stoker.app.k8s.WriteGuard;
import io.stoker.app.k8s.WriteRefused;
import io.stoker.app.k8s.model.ExecutorAutoscaler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One Cluster Autoscaler ProvisioningRequest per autoscaler ({@code autoscaling.x-k8s.io/v1},
 * Cluster Autoscaler's ProvisioningRequest API), named {@code <autoscaler>-capacity} with a
 * PodTemplate of the same name shaped like the executors: created when executors are needed beyond
 * those on nodes, its conditions tracked into {@code CapacityAvailable}, deleted when done (booking
 * expired, capacity revoked, failed, or no more demand). The spec of a request is immutable, so a
 * request is never resized: a new one follows the deletion of the old. Blocking: runs on the
 * Kubernetes worker pool; writes go through the {@link WriteGuard}.
 */
public final class ProvisioningRequests {
  public static final String API_VERSION = "autoscaling.x-k8s.io/v1";
  public static final String KIND = "ProvisioningRequest";
  public static final String CRD = "provisioningrequests.autoscaling.x-k8s.io";

  /** How long after a failed request a new one is made (Cluster Autoscaler's initial backoff). */
  static final Duration RETRY_AFTER_FAILURE = Duration.ofMinutes(1);

  /** How long an answer about the CRD is reused. */
  static final Duration CRD_TTL = Duration.ofMinutes(1);

  private static final ResourceDefinitionContext CONTEXT =
      new ResourceDefinitionContext.Builder()
          .withGroup("autoscaling.x-k8s.io")
          .withVersion("v1")
          .withKind(KIND)
          .withPlural("provisioningrequests")
          .withNamespaced(true)
          .build();

  private final KubernetesClient client;
  private final WriteGuard guard;
  private final Clock clock;
  private final String image;
  private final Map<String, Instant> retryAt = new ConcurrentHashMap<>();

  /** Keys whose request this replica has seen or made since it started. */
  private final java.util.Set<String> active = ConcurrentHashMap.newKeySet();

  private volatile CrdSeen crd;

  private record CrdSeen(boolean exists, Instant at) {}

  public ProvisioningRequests(
      KubernetesClient client, WriteGuard guard, Clock clock, String image) {
    this.client = client;
    this.guard = guard;
    this.clock = clock;
    this.image = image;
  }

  /** The request's (and its PodTemplate's) name for an autoscaler. */
  public static String name(String autoscaler) {
    return autoscaler + "-capacity";
  }

  /**
   * Brings the autoscaler's request in line with {@code needed}.
   *
   * @param key {@code namespace/name}
   * @param owner the autoscaler
   * @param className the provisioning class
   * @param needed executors that need room beyond those on nodes now (0: none)
   * @param shape the executors' shape, if known
   * @return the {@code CapacityAvailable} condition
   */
  public CapacityCondition reconcile(
      String key,
      ExecutorAutoscaler owner,
      String className,
      int needed,
      Optional<ExecutorShape> shape) {
    if (!crdExists()) {
      return condition(
          false,
          "CrdNotFound",
          "CustomResourceDefinition "
              + CRD
              + " not found (install Cluster Autoscaler's ProvisioningRequest CRD and run it with"
              + " --enable-provisioning-requests): capacity.provisioningRequest is off for this"
              + " autoscaler");
    }
    String ns = owner.getMetadata().getNamespace();
    String name = name(owner.getMetadata().getName());
    try {
      GenericKubernetesResource req =
          client.genericKubernetesResources(CONTEXT).inNamespace(ns).withName(name).get();
      if (req != null) {
        active.add(key);
        return track(key, ns, name, req, needed);
      }
      if (needed <= 0) {
        return condition(false, "NoDemand", "no executors wait for room");
      }
      Instant retry = retryAt.get(key);
      if (retry != null && clock.instant().isBefore(retry)) {
        return condition(false, "Failed", "the last request failed; next one after " + retry);
      }
      if (shape.isEmpty()) {
        return condition(
            false, "NoExecutorShape", "no executor pod or pod template to describe the request");
      }
      active.add(key);
      create(key, owner, ns, name, className, needed, shape.get());
      return condition(
          false,
          "Requested",
          "ProvisioningRequest " + name + " for " + needed + " executors (" + className + ")");
    } catch (WriteRefused e) {
      return condition(false, "Pending", e.getMessage() + "; continued next tick");
    }
  }

  private CapacityCondition track(
      String key, String ns, String name, GenericKubernetesResource req, int needed) {
    Map<String, String[]> conditions = conditions(req);
    String[] failed = conditions.get("Failed");
    if (failed != null) {
      retryAt.put(key, clock.instant().plus(RETRY_AFTER_FAILURE));
      delete(key, ns, name);
      return condition(false, "Failed", "ProvisioningRequest " + name + " failed: " + failed[1]);
    }
    for (String end : List.of("CapacityRevoked", "BookingExpired")) {
      if (conditions.containsKey(end)) {
        delete(key, ns, name);
        return condition(false, end, "ProvisioningRequest " + name + ": " + conditions.get(end)[1]);
      }
    }
    boolean provisioned = conditions.containsKey("Provisioned");
    if (needed <= 0) {
      // The executors arrived (or the demand fell): the request has done its job.
      delete(key, ns, name);
      return condition(
          provisioned,
          provisioned ? "Provisioned" : "NoDemand",
          "ProvisioningRequest " + name + " removed: no executors wait for room any more");
    }
    if (provisioned) {
      return condition(
          true,
          "Provisioned",
          "ProvisioningRequest " + name + ": " + conditions.get("Provisioned")[1]);
    }
    return condition(
        false,
        conditions.containsKey("Accepted") ? "Accepted" : "Requested",
        "ProvisioningRequest " + name + " waits for capacity");
  }

  /** Conditions with status True, by type: {reason, message}. */
  @SuppressWarnings("unchecked")
  static Map<String, String[]> conditions(GenericKubernetesResource req) {
    Map<String, String[]> out = new java.util.HashMap<>();
    Object status = req.getAdditionalProperties().get("status");
    if (!(status instanceof Map<?, ?> s) || !(s.get("conditions") instanceof List<?> list)) {
      return out;
    }
    for (Object o : list) {
      if (o instanceof Map<?, ?> c && "True".equals(String.valueOf(c.get("status")))) {
        Map<String, Object> m = (Map<String, Object>) c;
        out.put(
            String.valueOf(m.get("type")),
            new String[] {
              String.valueOf(m.getOrDefault("reason", "")),
              String.valueOf(m.getOrDefault("message", ""))
            });
      }
    }
    return out;
  }

  private void create(
      String key,
      ExecutorAutoscaler owner,
      String ns,
      String name,
      String className,
      int count,
      ExecutorShape shape) {
    ObjectMeta meta =
        new ObjectMetaBuilder()
            .withNamespace(ns)
            .withName(name)
            .addToLabels(CapacityLabels.MANAGED_BY, CapacityLabels.STOKER)
            .addToLabels(CapacityLabels.AUTOSCALER, owner.getMetadata().getName())
            .addToLabels(CapacityLabels.ROLE, CapacityLabels.PROVISIONING)
            .withOwnerReferences(Placeholders.ownerReference(owner))
            .build();
    PodTemplate template =
        new PodTemplateBuilder()
            .withMetadata(meta)
            .withNewTemplate()
            .withNewMetadata()
            .addToLabels(CapacityLabels.AUTOSCALER, owner.getMetadata().getName())
            .endMetadata()
            .withSpec(shape.placeholder(image, null))
            .endTemplate()
            .build();
    guard.write(
        key,
        "provisioning",
        () -> {
          if (client.v1().podTemplates().inNamespace(ns).withName(name).get() == null) {
            client.v1().podTemplates().resource(template).create();
          }
          return null;
        });
    GenericKubernetesResource req =
        new GenericKubernetesResourceBuilder()
            .withApiVersion(API_VERSION)
            .withKind(KIND)
            .withMetadata(meta)
            .addToAdditionalProperties(
                "spec",
                Map.of(
                    "provisioningClassName",
                    className,
                    "podSets",
                    List.of(Map.of("podTemplateRef", Map.of("name", name), "count", count))))
            .build();
    guard.write(
        key,
        "provisioning",
        () -> client.genericKubernetesResources(CONTEXT).inNamespace(ns).resource(req).create());
  }

  private void delete(String key, String ns, String name) {
    guard.write(
        key,
        "provisioning",
        () -> client.genericKubernetesResources(CONTEXT).inNamespace(ns).withName(name).delete());
    guard.write(
        key,
        "provisioning",
        () -> client.v1().podTemplates().inNamespace(ns).withName(name).delete());
  }

  /**
   * Removes the request and template of an autoscaler whose feature was turned off, if this replica
   * saw or made one (else no call at all).
   */
  public void remove(String key, ExecutorAutoscaler owner) {
    if (!active.contains(key)) {
      return;
    }
    String ns = owner.getMetadata().getNamespace();
    String name = name(owner.getMetadata().getName());
    try {
      if (client.genericKubernetesResources(CONTEXT).inNamespace(ns).withName(name).get() != null) {
        delete(key, ns, name);
      }
      active.remove(key);
    } catch (WriteRefused | KubernetesClientException e) {
      // next tick
    }
  }

  private boolean crdExists() {
    Instant now = clock.instant();
    CrdSeen seen = crd;
    if (seen != null && Duration.between(seen.at(), now).compareTo(CRD_TTL) < 0) {
      return seen.exists();
    }
    boolean exists = client.supports(API_VERSION, KIND);
    crd = new CrdSeen(exists, now);
    return exists;
  }

  private static CapacityCondition condition(boolean ok, String reason, String message) {
    return new CapacityCondition(CapacityCondition.CAPACITY_AVAILABLE, ok, reason, message);
  }

  /** Forgets a deleted autoscaler (its request goes with it through the owner reference). */
  public void forget(String key) {
    retryAt.remove(key);
    active.remove(key);
  }
}
