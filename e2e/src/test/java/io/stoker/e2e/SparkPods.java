package io.stoker.e2e;

import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;

/**
 * Spark's pods as objects on the API server. There is no kubelet: a pod's status (phase, IP,
 * readiness) is written by the test through the status subresource, exactly as the kubelet would,
 * and that is all the controller reads. Labels are the ones Spark puts on its pods.
 */
final class SparkPods {
  static final String APP_LABEL = "app";

  private final KubernetesClient admin;
  private final String namespace;
  private final String app;

  SparkPods(KubernetesClient admin, String namespace, String app) {
    this.admin = admin;
    this.namespace = namespace;
    this.app = app;
  }

  static void namespace(KubernetesClient admin, String name) {
    admin
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .serverSideApply();
  }

  String driverName() {
    return app + "-driver";
  }

  String appId() {
    return "spark-" + app;
  }

  /** A running driver pod with IP {@code ip} (127.0.0.1 when the driver is a local process). */
  Pod driver(String ip, Map<String, String> annotations) {
    return driver(ip, annotations, null);
  }

  /**
   * The same, bound to Node {@code node} (null: none), so that a running kube-scheduler leaves it
   * alone: the driver runs on that machine.
   */
  Pod driver(String ip, Map<String, String> annotations, String node) {
    Pod p =
        new PodBuilder()
            .withNewMetadata()
            .withNamespace(namespace)
            .withName(driverName())
            .addToLabels("spark-role", "driver")
            .addToLabels("spark-app-selector", appId())
            .addToLabels(APP_LABEL, app)
            .addToAnnotations(annotations)
            .endMetadata()
            .withNewSpec()
            .withNodeName(node)
            .addNewContainer()
            .withName("spark-kubernetes-driver")
            .withImage("apache/spark:4.1.1")
            .endContainer()
            .endSpec()
            .build();
    return createWithStatus(
        p,
        new PodStatusBuilder()
            .withPhase("Running")
            .withPodIP(ip)
            .addNewCondition()
            .withType("Ready")
            .withStatus("True")
            .endCondition()
            .build());
  }

  String executorName(String id) {
    return app + "-exec-" + id;
  }

  /** A ready executor pod with Spark's executor id {@code id}. */
  void executor(String id) {
    createWithStatus(
        executorPod(id),
        new PodStatusBuilder()
            .withPhase("Running")
            .addNewCondition()
            .withType("Ready")
            .withStatus("True")
            .endCondition()
            .build());
  }

  /**
   * An executor pod the scheduler could not place: Pending with {@code PodScheduled=False}, reason
   * {@code Unschedulable}, as kube-scheduler reports a pod no node has room for.
   */
  void unschedulableExecutor(String id) {
    createWithStatus(
        executorPod(id),
        new PodStatusBuilder()
            .withPhase("Pending")
            .addNewCondition()
            .withType("PodScheduled")
            .withStatus("False")
            .withReason("Unschedulable")
            .withMessage("0/1 nodes are available: 1 Insufficient cpu.")
            .endCondition()
            .build());
  }

  /**
   * Creates {@code pod} and sets its status (what the kubelet or the scheduler would report) with a
   * patch of the status subresource: the controller may annotate the pod in between, and a PUT of
   * the version created would then meet a 409.
   */
  private Pod createWithStatus(Pod pod, PodStatus status) {
    admin.pods().inNamespace(namespace).resource(pod).create();
    return admin
        .pods()
        .inNamespace(namespace)
        .withName(pod.getMetadata().getName())
        .editStatus(
            p -> {
              p.setStatus(status);
              return p;
            });
  }

  /**
   * An executor pod as Spark makes it: its labels, one core, and the requests Spark sets for the
   * default executor (1 CPU; 1g of heap plus the 384m overhead).
   */
  private Pod executorPod(String id) {
    return new PodBuilder()
        .withNewMetadata()
        .withNamespace(namespace)
        .withName(executorName(id))
        .addToLabels("spark-role", "executor")
        .addToLabels("spark-app-selector", appId())
        .addToLabels("spark-exec-id", id)
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("spark-kubernetes-executor")
        .withImage("apache/spark:4.1.1")
        .withEnv(new EnvVarBuilder().withName("SPARK_EXECUTOR_CORES").withValue("1").build())
        .withNewResources()
        .addToRequests("cpu", new Quantity("1"))
        .addToRequests("memory", new Quantity("1408Mi"))
        .endResources()
        .endContainer()
        .endSpec()
        .build();
  }

  void removeExecutor(String id) {
    admin.pods().inNamespace(namespace).withName(executorName(id)).withGracePeriod(0).delete();
  }

  /** The driver pod's {@code stoker.io/target-executors} annotation, or null. */
  String targetAnnotation() {
    Pod p = admin.pods().inNamespace(namespace).withName(driverName()).get();
    Map<String, String> a = p.getMetadata().getAnnotations();
    return a == null ? null : a.get("stoker.io/target-executors");
  }
}
