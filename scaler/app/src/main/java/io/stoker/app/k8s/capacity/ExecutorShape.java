package io.stoker.app.k8s.capacity;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the scheduler sees of an executor pod: per-container requests and limits, node selector,
 * affinity, tolerations and scheduler name. A placeholder built from it competes for exactly the
 * same nodes as the executor it stands in for.
 *
 * @param containers name and resources of each container, in order
 * @param nodeSelector the pod's node selector (empty if none)
 * @param affinity the pod's affinity, or null
 * @param tolerations the pod's tolerations
 * @param schedulerName the pod's scheduler, or null for the default one
 */
public record ExecutorShape(
    List<Resources> containers,
    Map<String, String> nodeSelector,
    Affinity affinity,
    List<Toleration> tolerations,
    String schedulerName) {

  public ExecutorShape {
    containers = List.copyOf(containers);
    nodeSelector = Map.copyOf(nodeSelector);
    tolerations = List.copyOf(tolerations);
  }

  /** A container's name and resources. */
  public record Resources(String name, ResourceRequirements resources) {}

  /** The shape of a pod spec (an executor pod, or a workload's pod template). */
  public static ExecutorShape of(PodSpec spec) {
    List<Resources> containers = new ArrayList<>();
    for (Container c : spec.getContainers()) {
      ResourceRequirements r =
          c.getResources() == null
              ? new ResourceRequirements()
              : new ResourceRequirementsBuilder()
                  .withRequests(c.getResources().getRequests())
                  .withLimits(c.getResources().getLimits())
                  .build();
      containers.add(new Resources(c.getName(), r));
    }
    return new ExecutorShape(
        containers,
        spec.getNodeSelector() == null ? Map.of() : spec.getNodeSelector(),
        spec.getAffinity(),
        spec.getTolerations() == null ? List.of() : spec.getTolerations(),
        spec.getSchedulerName());
  }

  /**
   * The placeholder pod spec: one pause container per executor container with its resources, the
   * executor's placement, the given priority class, no grace period (preemption is immediate) and
   * no service account token.
   */
  public PodSpec placeholder(String image, String priorityClassName) {
    List<Container> pause = new ArrayList<>();
    for (Resources r : containers) {
      pause.add(
          new ContainerBuilder()
              .withName(r.name())
              .withImage(image)
              .withResources(r.resources())
              .build());
    }
    return new PodSpecBuilder()
        .withContainers(pause)
        .withNodeSelector(nodeSelector.isEmpty() ? null : new TreeMap<>(nodeSelector))
        .withAffinity(affinity)
        .withTolerations(tolerations.isEmpty() ? null : tolerations)
        .withSchedulerName(schedulerName)
        .withPriorityClassName(priorityClassName)
        .withTerminationGracePeriodSeconds(0L)
        .withAutomountServiceAccountToken(false)
        .withEnableServiceLinks(false)
        .build();
  }

  /** A short hash of the placeholder this shape gives; a placeholder with another is replaced. */
  public String hash(String image, String priorityClassName) {
    String text = placeholder(image, priorityClassName).toString();
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }
}
