package io.stoker.app.k8s;

import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.FilterWatchListDeletable;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.PodResource;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.stoker.app.k8s.model.ExecutorAutoscaler;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The informer caches the controller reads every tick instead of asking the API server:
 * autoscalers, driver pods ({@code spark-role=driver}) and executor pods ({@code
 * spark-role=executor}, indexed by {@code spark-app-selector}). Only equality selectors are used,
 * which every API server (and the fabric8 mock server) supports.
 */
public final class ClusterView implements AutoCloseable {
  private static final String BY_APP = "by-app";
  private static final String BY_NAMESPACE = "by-namespace";
  private static final String BY_LABEL = "by-label";

  private final SharedIndexInformer<ExecutorAutoscaler> autoscalers;
  private final SharedIndexInformer<Pod> drivers;
  private final SharedIndexInformer<Pod> executors;

  private ClusterView(
      SharedIndexInformer<ExecutorAutoscaler> autoscalers,
      SharedIndexInformer<Pod> drivers,
      SharedIndexInformer<Pod> executors) {
    this.autoscalers = autoscalers;
    this.drivers = drivers;
    this.executors = executors;
  }

  /**
   * Starts the informers of {@code namespace} (all namespaces when empty) and completes when their
   * caches are synced.
   */
  public static CompletableFuture<ClusterView> start(
      KubernetesClient client, Optional<String> namespace) {
    MixedOperation<ExecutorAutoscaler, ?, Resource<ExecutorAutoscaler>> eas =
        client.resources(ExecutorAutoscaler.class);
    SharedIndexInformer<ExecutorAutoscaler> a =
        namespace
            .map(ns -> eas.inNamespace(ns).runnableInformer(0))
            .orElseGet(() -> eas.inAnyNamespace().runnableInformer(0));
    SharedIndexInformer<Pod> d = pods(client, namespace, SparkLabels.DRIVER).runnableInformer(0);
    SharedIndexInformer<Pod> e = pods(client, namespace, SparkLabels.EXECUTOR).runnableInformer(0);
    d.addIndexers(
        Map.of(
            BY_NAMESPACE,
            p -> List.of(p.getMetadata().getNamespace()),
            BY_LABEL,
            ClusterView::labelKeys));
    e.addIndexers(
        Map.of(
            BY_APP,
            p ->
                List.of(appKey(p.getMetadata().getNamespace(), label(p, SparkLabels.APP_SELECTOR))),
            BY_NAMESPACE,
            p -> List.of(p.getMetadata().getNamespace())));
    ClusterView view = new ClusterView(a, d, e);
    return CompletableFuture.allOf(
            a.start().toCompletableFuture(),
            d.start().toCompletableFuture(),
            e.start().toCompletableFuture())
        .thenApply(x -> view);
  }

  private static FilterWatchListDeletable<Pod, ? extends KubernetesResourceList<Pod>, PodResource>
      pods(KubernetesClient client, Optional<String> namespace, String role) {
    return namespace
        .<FilterWatchListDeletable<Pod, ? extends KubernetesResourceList<Pod>, PodResource>>map(
            ns -> client.pods().inNamespace(ns).withLabel(SparkLabels.ROLE, role))
        .orElseGet(() -> client.pods().inAnyNamespace().withLabel(SparkLabels.ROLE, role));
  }

  /** Keys ({@code namespace/name}) of every autoscaler in the cache. */
  public List<String> autoscalerKeys() {
    return autoscalers.getStore().listKeys();
  }

  public Optional<ExecutorAutoscaler> autoscaler(String key) {
    return Optional.ofNullable(autoscalers.getStore().getByKey(key));
  }

  /** Driver pods of a namespace. */
  public List<Pod> driverPods(String namespace) {
    return drivers.getIndexer().byIndex(BY_NAMESPACE, namespace);
  }

  /**
   * Driver pods of a namespace carrying every label of {@code labels} (all driver pods of the
   * namespace when empty). Looked up through a label index, so that resolving one autoscaler does
   * not scan every driver pod of the namespace (thousands of drivers share a namespace at scale).
   */
  public List<Pod> driverPods(String namespace, Map<String, String> labels) {
    List<Pod> fewest = null;
    for (Map.Entry<String, String> l : labels.entrySet()) {
      List<Pod> candidates =
          drivers.getIndexer().byIndex(BY_LABEL, labelKey(namespace, l.getKey(), l.getValue()));
      if (fewest == null || candidates.size() < fewest.size()) {
        fewest = candidates;
      }
      if (fewest.isEmpty()) {
        return List.of();
      }
    }
    if (fewest == null) {
      return driverPods(namespace);
    }
    List<Pod> out = new java.util.ArrayList<>(fewest.size());
    for (Pod p : fewest) {
      Map<String, String> have = p.getMetadata().getLabels();
      if (have != null && have.entrySet().containsAll(labels.entrySet())) {
        out.add(p);
      }
    }
    return out;
  }

  public Optional<Pod> driverPod(String namespace, String name) {
    return Optional.ofNullable(
        drivers.getStore().getByKey(Cache.namespaceKeyFunc(namespace, name)));
  }

  /** Executor pods carrying {@code spark-app-selector=<appId>} in a namespace. */
  public List<Pod> executorsOf(String namespace, String appId) {
    return executors.getIndexer().byIndex(BY_APP, appKey(namespace, appId));
  }

  /** Executor pods of a namespace. */
  public List<Pod> executorPods(String namespace) {
    return executors.getIndexer().byIndex(BY_NAMESPACE, namespace);
  }

  /**
   * Executor pods ({@code spark-role=executor}) of a namespace carrying all of {@code labels}; none
   * when {@code labels} is empty.
   */
  public List<Pod> executorsMatching(String namespace, Map<String, String> labels) {
    if (labels.isEmpty()) {
      return List.of();
    }
    String app = labels.get(SparkLabels.APP_SELECTOR);
    List<Pod> candidates = app != null ? executorsOf(namespace, app) : executorPods(namespace);
    return candidates.stream()
        .filter(p -> p.getMetadata().getLabels() != null)
        .filter(p -> p.getMetadata().getLabels().entrySet().containsAll(labels.entrySet()))
        .toList();
  }

  public boolean synced() {
    return autoscalers.hasSynced() && drivers.hasSynced() && executors.hasSynced();
  }

  static String label(Pod p, String key) {
    Map<String, String> labels = p.getMetadata().getLabels();
    return labels == null ? null : labels.get(key);
  }

  private static List<String> labelKeys(Pod p) {
    Map<String, String> labels = p.getMetadata().getLabels();
    if (labels == null || labels.isEmpty()) {
      return List.of();
    }
    List<String> keys = new java.util.ArrayList<>(labels.size());
    labels.forEach((k, v) -> keys.add(labelKey(p.getMetadata().getNamespace(), k, v)));
    return keys;
  }

  private static String labelKey(String namespace, String key, String value) {
    return namespace + "/" + key + "=" + value;
  }

  private static String appKey(String namespace, String app) {
    return namespace + "/" + (app == null ? "" : app);
  }

  @Override
  public void close() {
    autoscalers.close();
    drivers.close();
    executors.close();
  }
}
