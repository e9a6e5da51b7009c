package io.stoker.app.k8s.capacity;

/**
 * How many placeholder pods to keep. The decision is pure and lives in scaler-core; this is the
 * seam through which the placeholder reconciler receives it. The reconciler caps the answer at
 * {@code maxExecutors} whatever the policy says.
 */
@FunctionalInterface
public interface PlaceholderPolicy {
  int placeholders(PlaceholderDemand demand);
}
