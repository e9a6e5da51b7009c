/**
 * Capacity decisions ({@code spec.capacity}, docs/capacity.md): how many placeholder pods and how
 * much room to ask a ProvisioningRequest for ({@link io.stoker.app.capacity.CapacityPlan}), how
 * many nodes each node group needs for the pending executors ({@link
 * io.stoker.app.capacity.NodeGroupHints}), when an executor is protected from node scale-down
 * ({@link io.stoker.app.capacity.EvictionHysteresis}). Pure functions of the spec, the tick's
 * decision and what the cluster shows; the Kubernetes adapter ({@code io.stoker.app.k8s.capacity})
 * reads the cluster and carries the plans out. No fabric8 here (import control).
 */
package io.stoker.app.capacity;
