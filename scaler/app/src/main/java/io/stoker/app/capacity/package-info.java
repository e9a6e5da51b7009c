/**
 * Capacity decisions ({@code spec.capacity}, docs/capacity.md): how many placeholder pods, how much
 * room to ask a ProvisioningRequest for, when an executor is protected from node scale-down. Pure
 * functions of the spec, the tick's decision and what the cluster shows; the Kubernetes adapter
 * ({@code io.stoker.app.k8s.capacity}) reads the cluster and carries the plans out. No fabric8
 * here.
 */
package io.stoker.app.capacity;
