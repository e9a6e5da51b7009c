package io.stoker.app.k8s.capacity;

/** Labels and annotations of the capacity features (docs/capacity.md). */
public final class CapacityLabels {
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String STOKER = "stoker";
  public static final String AUTOSCALER = "stoker.io/autoscaler";
  public static final String ROLE = "stoker.io/role";
  public static final String PLACEHOLDER = "placeholder";
  public static final String PROVISIONING = "provisioning-request";

  /** On a placeholder: a hash of the shape it was created with (image, resources, placement). */
  public static final String SHAPE = "stoker.io/shape";

  /** Cluster Autoscaler: "false" keeps the node, "true" lets it drain the pod. */
  public static final String SAFE_TO_EVICT = "cluster-autoscaler.kubernetes.io/safe-to-evict";

  /** Karpenter: "true" blocks voluntary disruption of the pod's node. */
  public static final String DO_NOT_DISRUPT = "karpenter.sh/do-not-disrupt";

  /** On executor pods: the ProvisioningRequest whose capacity they consume. */
  public static final String CONSUME_PROVISIONING_REQUEST =
      "autoscaling.x-k8s.io/consume-provisioning-request";

  /** On executor pods, beside {@link #CONSUME_PROVISIONING_REQUEST}: the request's class. */
  public static final String PROVISIONING_CLASS_NAME =
      "autoscaling.x-k8s.io/provisioning-class-name";

  private CapacityLabels() {}
}
