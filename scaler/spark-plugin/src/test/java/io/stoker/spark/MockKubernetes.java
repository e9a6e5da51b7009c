package io.stoker.spark;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/** fabric8's mock API server (CRUD mode, the fabric8 version Spark ships) holding a driver pod. */
final class MockKubernetes implements AutoCloseable {

  static final String NAMESPACE = "spark-jobs";
  static final String POD = "app-driver";

  private final KubernetesMockServer server;
  private final KubernetesClient client;
  private boolean closed;

  private MockKubernetes(int port) {
    server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            new HashMap<>(),
            new KubernetesCrudDispatcher(),
            false);
    server.init(InetAddress.getLoopbackAddress(), port);
    client = server.createClient();
  }

  /** Starts on a free loopback port. */
  static MockKubernetes start() {
    return new MockKubernetes(0);
  }

  /** Starts on the given loopback port. */
  static MockKubernetes startOn(int port) {
    return new MockKubernetes(port);
  }

  String url() {
    return "http://127.0.0.1:" + server.getPort();
  }

  int port() {
    return server.getPort();
  }

  /** Creates the driver pod, with the target annotation when {@code target} is not null. */
  void createDriverPod(String target) {
    Map<String, String> annotations = new HashMap<>();
    if (target != null) {
      annotations.put(PluginSettings.DEFAULT_ANNOTATION, target);
    }
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(POD)
            .withNamespace(NAMESPACE)
            .withAnnotations(annotations)
            .addToLabels("spark-role", "driver")
            .endMetadata()
            .build();
    client.pods().inNamespace(NAMESPACE).resource(pod).create();
  }

  /** What a controller does: a JSON merge patch of the annotation. */
  void setTarget(String value) {
    client
        .pods()
        .inNamespace(NAMESPACE)
        .withName(POD)
        .edit(
            p ->
                new PodBuilder(p)
                    .editMetadata()
                    .addToAnnotations(PluginSettings.DEFAULT_ANNOTATION, value)
                    .endMetadata()
                    .build());
  }

  /** What the controller does on a scale-down: the target and the preferred executors at once. */
  void setTarget(String value, String preferred) {
    client
        .pods()
        .inNamespace(NAMESPACE)
        .withName(POD)
        .edit(
            p ->
                new PodBuilder(p)
                    .editMetadata()
                    .addToAnnotations(PluginSettings.DEFAULT_ANNOTATION, value)
                    .addToAnnotations(PluginSettings.DEFAULT_PREFERRED_ANNOTATION, preferred)
                    .endMetadata()
                    .build());
  }

  /** An unrelated change of the pod (a label). */
  void setLabel(String key, String value) {
    client
        .pods()
        .inNamespace(NAMESPACE)
        .withName(POD)
        .edit(p -> new PodBuilder(p).editMetadata().addToLabels(key, value).endMetadata().build());
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    client.close();
    server.destroy();
  }
}
