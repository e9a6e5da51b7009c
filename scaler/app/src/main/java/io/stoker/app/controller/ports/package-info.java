/**
 * What a reconcile needs of the cluster, as narrow interfaces (ports) that {@link
 * io.stoker.app.controller.Reconciler} depends on. The fabric8 classes of {@code io.stoker.app.k8s}
 * implement them against a real API server; the tests' {@code Testing*} fakes implement them in
 * memory, so the reconcile's rules (when to write, what to announce, when to hold back) are tested
 * in milliseconds without a server. The idea is the Flink Kubernetes Operator's autoscaler, whose
 * core talks to Kubernetes through {@code ScalingRealizer}, {@code AutoScalerStateStore} and an
 * event handler (flink-autoscaler, org.apache.flink.autoscaler.realizer and .state).
 *
 * <p>Nothing here imports fabric8. The ports speak in the application's own types: the autoscaler
 * object as cached ({@code k8s.model}), the resolved target ({@code k8s.ResolvedTarget}) and a
 * refused write ({@code k8s.WriteRefused}), which are plain values.
 */
package io.stoker.app.controller.ports;
