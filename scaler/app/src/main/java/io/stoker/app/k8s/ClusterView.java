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
import io.stoker.app.controller.ports.AutoscalerCache;
import io.stoker.app.k8s.model.ExecutorAutoscaler;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The informer caches the controller reads every tick instead of asking the API server:
 * autoscalers, driver pods ({@code spark-role=driver}) and executor pods ({@code
 * spark-role=executor}, indexed by {@code spark-app-selector}). Only equality selectors are used,
 * which every API server (and the fabric8 mock server) supports. Watches all namespaces with one
 * set of informers, or each watched namespace with its own (so that a namespace-scoped install
 * needs a Role per namespace and no ClusterRole).
 */
public final class ClusterView implements AutoCloseable, AutoscalerCache {
  private static final String BY_APP = "by-app";
  private static final String BY_NAMESPACE = "by-namespace";
  private static final String BY_LABEL = "by-label";
  private static final String BY_NODE = "by-node";

  /** The key of the informers of all namespaces in {@link #informers}. */
  private static final String ALL = "";

  /** The caches of one namespace, or of all of them. */
  private record Informers(
      SharedIndexInformer<ExecutorAutoscaler> autoscalers,
      SharedIndexInformer<Pod> drivers,
      SharedIndexInformer<Pod> executors) {}

  /** By watched namespace, or one entry {@link #ALL}. */
  private final Map<String, Informers> informers;

  private ClusterView(Map<String, Informers> informers) {
    this.informers = informers;
  }

  /**
   * Starts the informers of {@code namespaces} (all namespaces when empty) and completes when their
   * caches are synced.
   */
  public static CompletableFuture<ClusterView> start(
      KubernetesClient client, List<String> namespaces) {
    Map<String, Informers> all = new java.util.LinkedHashMap<>();
    if (namespaces.isEmpty()) {
      all.put(ALL, informers(client, Optional.empty()));
    } else {
      for (String ns : namespaces) {
        all.putIfAbsent(ns, informers(client, Optional.of(ns)));
      }
    }
    ClusterView view = new ClusterView(Map.copyOf(all));
    return CompletableFuture.allOf(
            all.values().stream()
                .flatMap(
                    i -> java.util.stream.Stream.of(i.autoscalers(), i.drivers(), i.executors()))
                .map(i -> i.start().toCompletableFuture())
                .toArray(CompletableFuture[]::new))
        .thenApply(x -> view);
  }

  private static Informers informers(KubernetesClient client, Optional<String> namespace) {
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
            p -> List.of(p.getMetadata().getNamespace()),
            BY_NODE,
            ClusterView::nodeOf));
    return new Informers(a, d, e);
  }

  /** The informers that hold {@code namespace}, or null when it is not watched. */
  private Informers in(String namespace) {
    Informers i = informers.get(namespace);
    return i != null ? i : informers.get(ALL);
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
    if (informers.size() == 1) {
      return informers.values().iterator().next().autoscalers().getStore().listKeys();
    }
    List<String> keys = new java.util.ArrayList<>();
    informers.values().forEach(i -> keys.addAll(i.autoscalers().getStore().listKeys()));
    return keys;
  }

  @Override
  public Optional<ExecutorAutoscaler> autoscaler(String key) {
    Informers i = in(key.substring(0, Math.max(0, key.indexOf('/'))));
    return i == null
        ? Optional.empty()
        : Optional.ofNullable(i.autoscalers().getStore().getByKey(key));
  }

  /** Driver pods of a namespace. */
  public List<Pod> driverPods(String namespace) {
    Informers i = in(namespace);
    return i == null ? List.of() : i.drivers().getIndexer().byIndex(BY_NAMESPACE, namespace);
  }

  /**
   * Driver pods of a namespace carrying every label of {@code labels} (all driver pods of the
   * namespace when empty). Looked up through a label index, so that resolving one autoscaler does
   * not scan every driver pod of the namespace (thousands of drivers share a namespace at scale).
   */
  public List<Pod> driverPods(String namespace, Map<String, String> labels) {
    Informers i = in(namespace);
    if (i == null) {
      return List.of();
    }
    List<Pod> fewest = null;
    for (Map.Entry<String, String> l : labels.entrySet()) {
      List<Pod> candidates =
          i.drivers().getIndexer().byIndex(BY_LABEL, labelKey(namespace, l.getKey(), l.getValue()));
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
    Informers i = in(namespace);
    return i == null
        ? Optional.empty()
        : Optional.ofNullable(
            i.drivers().getStore().getByKey(Cache.namespaceKeyFunc(namespace, name)));
  }

  /** Executor pods carrying {@code spark-app-selector=<appId>} in a namespace. */
  public List<Pod> executorsOf(String namespace, String appId) {
    Informers i = in(namespace);
    return i == null
        ? List.of()
        : i.executors().getIndexer().byIndex(BY_APP, appKey(namespace, appId));
  }

  /** Executor pods of a namespace. */
  public List<Pod> executorPods(String namespace) {
    Informers i = in(namespace);
    return i == null ? List.of() : i.executors().getIndexer().byIndex(BY_NAMESPACE, namespace);
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

  /** Executor pods of every watched namespace scheduled on node {@code node}. */
  public List<Pod> executorPodsOnNode(String node) {
    List<Pod> out = new java.util.ArrayList<>();
    informers.values().forEach(i -> out.addAll(i.executors().getIndexer().byIndex(BY_NODE, node)));
    return out;
  }

  private static List<String> nodeOf(Pod p) {
    String node = p.getSpec() == null ? null : p.getSpec().getNodeName();
    return node == null || node.isEmpty() ? List.of() : List.of(node);
  }

  public boolean synced() {
    return informers.values().stream()
        .allMatch(
            i ->
                i.autoscalers().hasSynced()
                    && i.drivers().hasSynced()
                    && i.executors().hasSynced());
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
    informers
        .values()
        .forEach(
            i -> {
              i.autoscalers().close();
              i.drivers().close();
              i.executors().close();
            });
  }
}
