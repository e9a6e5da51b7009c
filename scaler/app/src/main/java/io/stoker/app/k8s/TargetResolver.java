package io.stoker.app.k8s;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.autoscaling.v1.Scale;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.stoker.app.controller.ports.TargetLookup;
import io.stoker.app.spec.ParsedSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Finds the object an autoscaler acts on and counts its executors. Driver pods and executors come
 * from the informer caches; a SparkApplication is read only when no driver pod carries its operator
 * label, and a scale target's {@code /scale} subresource is read every tick (on the blocking pool).
 */
public final class TargetResolver implements TargetLookup {
  static final String SPARK_APP_API = "sparkoperator.k8s.io/v1beta2";
  static final String SPARK_APP_KIND = "SparkApplication";

  private final KubernetesClient client;
  private final ClusterView view;
  private final Executor blocking;

  public TargetResolver(KubernetesClient client, ClusterView view, Executor blocking) {
    this.client = client;
    this.view = view;
    this.blocking = blocking;
  }

  /**
   * Finds the target. A driver selector must match exactly one live driver pod: with several, none
   * is acted on ({@link ResolvedTarget.Lookup.Ambiguous}), rather than one picked by a rule the
   * user cannot see. A SparkApplication whose operator label matches several live pods (a restart
   * in progress) is resolved by the driver pod its status names.
   */
  @Override
  public CompletableFuture<ResolvedTarget.Lookup> resolve(String namespace, ParsedSpec.Target t) {
    if (t instanceof ParsedSpec.Target.DriverSelector s) {
      return CompletableFuture.completedFuture(
          bySelector(namespace, s.matchLabels(), "target.driverSelector.matchLabels"));
    }
    if (t instanceof ParsedSpec.Target.SparkApplication a) {
      ResolvedTarget.Lookup byLabel =
          bySelector(namespace, Map.of(SparkLabels.OPERATOR_APP_NAME, a.name()), "label");
      if (byLabel instanceof ResolvedTarget.Lookup.Found) {
        return CompletableFuture.completedFuture(byLabel);
      }
      return CompletableFuture.supplyAsync(() -> bySparkApplication(namespace, a.name()), blocking);
    }
    ParsedSpec.Target.ScaleRef r = (ParsedSpec.Target.ScaleRef) t;
    return CompletableFuture.supplyAsync(() -> byScale(namespace, r), blocking);
  }

  /** The claims of {@code acting}, from the driver pods in the cache ({@link TargetClaims}). */
  @Override
  public TargetClaims claims(Map<String, ParsedSpec.Target> acting) {
    return TargetClaims.of(view, acting);
  }

  private ResolvedTarget.Lookup bySelector(
      String namespace, Map<String, String> labels, String field) {
    List<Pod> live =
        view.driverPods(namespace, labels).stream().filter(TargetResolver::live).toList();
    if (live.size() == 1) {
      return new ResolvedTarget.Lookup.Found(driver(live.get(0)));
    }
    if (live.isEmpty()) {
      return new ResolvedTarget.Lookup.Missing(
          "no live driver pod (spark-role=driver) in namespace "
              + namespace
              + " matches "
              + new TreeMap<>(labels));
    }
    List<String> names = live.stream().map(p -> p.getMetadata().getName()).sorted().toList();
    return new ResolvedTarget.Lookup.Ambiguous(
        field
            + " "
            + new TreeMap<>(labels)
            + " match "
            + live.size()
            + " live driver pods in namespace "
            + namespace
            + " ("
            + TargetLookup.firstOf(names)
            + "): nothing is acted on until exactly one matches");
  }

  private ResolvedTarget.Lookup bySparkApplication(String namespace, String name) {
    GenericKubernetesResource app;
    try {
      app =
          client
              .genericKubernetesResources(SPARK_APP_API, SPARK_APP_KIND)
              .inNamespace(namespace)
              .withName(name)
              .get();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        throw e;
      }
      app = null;
    }
    if (app == null) {
      return new ResolvedTarget.Lookup.Missing(
          "SparkApplication " + namespace + "/" + name + " not found");
    }
    Object podName = nested(app.getAdditionalProperties(), "status", "driverInfo", "podName");
    Optional<Pod> pod =
        podName == null ? Optional.empty() : view.driverPod(namespace, podName.toString());
    return pod.filter(TargetResolver::live)
        .<ResolvedTarget.Lookup>map(p -> new ResolvedTarget.Lookup.Found(driver(p)))
        .orElseGet(
            () ->
                new ResolvedTarget.Lookup.Missing(
                    "SparkApplication " + name + " has no running driver pod yet"));
  }

  private ResolvedTarget driver(Pod p) {
    String ns = p.getMetadata().getNamespace();
    String app = ClusterView.label(p, SparkLabels.APP_SELECTOR);
    List<Pod> executors = app == null ? List.of() : view.executorsOf(ns, app);
    Map<String, String> annotations = p.getMetadata().getAnnotations();
    OptionalInt requested = OptionalInt.empty();
    if (annotations != null && annotations.get(SparkLabels.TARGET_ANNOTATION) != null) {
      try {
        requested =
            OptionalInt.of(Integer.parseInt(annotations.get(SparkLabels.TARGET_ANNOTATION).trim()));
      } catch (NumberFormatException ignored) {
        // someone wrote garbage: the next realise overwrites it
      }
    }
    String ip = p.getStatus() == null ? null : p.getStatus().getPodIP();
    return new ResolvedTarget(
        ns,
        "pod/" + p.getMetadata().getName(),
        Optional.of(p.getMetadata().getName()),
        Optional.ofNullable(ip).filter(s -> !s.isBlank()),
        requested,
        Optional.empty(),
        ExecutorCount.of(executors),
        app == null
            ? Map.of()
            : Map.of(SparkLabels.ROLE, SparkLabels.EXECUTOR, SparkLabels.APP_SELECTOR, app),
        running(executors));
  }

  /** The running executors among {@code executors}, their nodes and what else runs there. */
  private ResolvedTarget.Running running(List<Pod> executors) {
    List<ResolvedTarget.Running.Executor> running = new ArrayList<>();
    Map<String, Integer> podsOnNode = new HashMap<>();
    for (Pod p : executors) {
      String id = ClusterView.label(p, SparkLabels.EXECUTOR_ID);
      String node = p.getSpec() == null ? null : p.getSpec().getNodeName();
      if (p.getMetadata().getDeletionTimestamp() != null
          || p.getStatus() == null
          || !"Running".equals(p.getStatus().getPhase())
          || node == null
          || node.isEmpty()
          || id == null
          || !id.matches("[0-9]{1,10}")) {
        continue;
      }
      running.add(new ResolvedTarget.Running.Executor(id, node));
      podsOnNode.computeIfAbsent(
          node,
          n ->
              (int)
                  view.executorPodsOnNode(n).stream()
                      .filter(q -> q.getMetadata().getDeletionTimestamp() == null)
                      .count());
    }
    return new ResolvedTarget.Running(running, podsOnNode);
  }

  private ResolvedTarget.Lookup byScale(String namespace, ParsedSpec.Target.ScaleRef r) {
    Scale scale;
    try {
      scale =
          client
              .genericKubernetesResources(r.apiVersion(), r.kind())
              .inNamespace(namespace)
              .withName(r.name())
              .scale();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        throw e;
      }
      scale = null;
    }
    if (scale == null || scale.getSpec() == null) {
      return new ResolvedTarget.Lookup.Missing(
          r.kind() + " " + namespace + "/" + r.name() + " (" + r.apiVersion() + ") not found");
    }
    Integer replicas = scale.getSpec().getReplicas();
    ExecutorCount count = countScaled(namespace, scale);
    String selector = scale.getStatus() == null ? null : scale.getStatus().getSelector();
    return new ResolvedTarget.Lookup.Found(
        new ResolvedTarget(
            namespace,
            r.kind() + "/" + r.name(),
            Optional.empty(),
            Optional.empty(),
            replicas == null ? OptionalInt.empty() : OptionalInt.of(replicas),
            Optional.of(new ResolvedTarget.ScaleRef(r.apiVersion(), r.kind(), r.name())),
            count,
            selector == null ? Map.of() : parseSelector(selector)));
  }

  /** Executor pods matching the scale's label selector, else its replica count as ready. */
  private ExecutorCount countScaled(String namespace, Scale scale) {
    String selector = scale.getStatus() == null ? null : scale.getStatus().getSelector();
    Map<String, String> labels = selector == null ? Map.of() : parseSelector(selector);
    if (labels.isEmpty()) {
      int n = scale.getStatus() == null ? 0 : scale.getStatus().getReplicas();
      return new ExecutorCount(n, 0, OptionalInt.empty());
    }
    List<Pod> pods = new ArrayList<>();
    for (Pod p : view.executorPods(namespace)) {
      if (matches(p, labels)) {
        pods.add(p);
      }
    }
    return ExecutorCount.of(pods);
  }

  /** Equality terms of a label selector string ({@code a=b,c==d}); other terms are dropped. */
  static Map<String, String> parseSelector(String selector) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String term : selector.split(",")) {
      String[] kv = term.split("==?", 2);
      if (kv.length == 2 && !kv[0].contains("!")) {
        out.put(kv[0].trim(), kv[1].trim());
      }
    }
    return out;
  }

  static boolean matches(Pod p, Map<String, String> labels) {
    Map<String, String> have = p.getMetadata().getLabels();
    return have != null && have.entrySet().containsAll(labels.entrySet());
  }

  static boolean live(Pod p) {
    if (p.getMetadata().getDeletionTimestamp() != null || p.getStatus() == null) {
      return false;
    }
    String phase = p.getStatus().getPhase();
    return "Running".equals(phase) || "Pending".equals(phase);
  }

  private static Object nested(Map<String, Object> root, String... path) {
    Object cur = root;
    for (String k : path) {
      if (!(cur instanceof Map<?, ?> m)) {
        return null;
      }
      cur = m.get(k);
    }
    return cur;
  }
}
