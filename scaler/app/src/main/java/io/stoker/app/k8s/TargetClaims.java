package io.stoker.app.k8s;

import io.fabric8.kubernetes.api.model.Pod;
import io.stoker.app.controller.ports.TargetLookup;
import io.stoker.app.spec.ParsedSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which autoscalers act on which objects, from the autoscalers cached at the start of a tick. Two
 * autoscalers acting on one driver pod or one scale target would undo each other's writes every
 * tick, so neither may act (as the HPA's {@code AmbiguousSelector}). The answer depends only on the
 * cached autoscalers and pods, never on the order the reconciles run in, so every replica and every
 * tick agree.
 *
 * <p>An autoscaler claims: with {@code driverSelector}, every driver pod its labels match; with
 * {@code sparkApplication}, the SparkApplication and the driver pods carrying its operator label
 * ({@code sparkoperator.k8s.io/app-name}); with {@code scaleTargetRef}, that object (API group,
 * kind and name). Recommend-only autoscalers ({@code actuation: None}) claim nothing. Checking the
 * driver pod an autoscaler resolved costs one index lookup per label of the pod.
 */
public final class TargetClaims implements TargetLookup.Claims {
  private final ClusterView view;

  /** Driver selectors indexed by one of their labels ({@code namespace/key=value}). */
  private final Map<String, List<Selector>> selectors;

  /** Keys claiming a SparkApplication or a scale target, by object. */
  private final Map<String, Set<String>> objects;

  private record Selector(String key, Map<String, String> labels) {}

  private TargetClaims(
      ClusterView view, Map<String, List<Selector>> selectors, Map<String, Set<String>> objects) {
    this.view = view;
    this.selectors = selectors;
    this.objects = objects;
  }

  /**
   * The claims of {@code acting}: autoscaler key ({@code namespace/name}) to the target it writes
   * to (autoscalers that write nothing left out).
   */
  public static TargetClaims of(ClusterView view, Map<String, ParsedSpec.Target> acting) {
    Map<String, List<Selector>> selectors = new HashMap<>();
    Map<String, Set<String>> objects = new HashMap<>();
    acting.forEach(
        (key, target) -> {
          String ns = key.substring(0, key.indexOf('/'));
          Map<String, String> labels = null;
          if (target instanceof ParsedSpec.Target.DriverSelector s) {
            labels = s.matchLabels();
          } else if (target instanceof ParsedSpec.Target.SparkApplication a) {
            labels = Map.of(SparkLabels.OPERATOR_APP_NAME, a.name());
            objects.computeIfAbsent(sparkApplication(ns, a.name()), k -> new TreeSet<>()).add(key);
          } else if (target instanceof ParsedSpec.Target.ScaleRef r) {
            objects
                .computeIfAbsent(
                    scaleTarget(ns, r.apiVersion(), r.kind(), r.name()), k -> new TreeSet<>())
                .add(key);
          }
          if (labels != null && !labels.isEmpty()) {
            Map.Entry<String, String> first = new TreeMap<>(labels).firstEntry();
            selectors
                .computeIfAbsent(
                    labelKey(ns, first.getKey(), first.getValue()), k -> new ArrayList<>())
                .add(new Selector(key, labels));
          }
        });
    return new TargetClaims(view, selectors, objects);
  }

  /**
   * The other autoscalers (keys, sorted) that act on what {@code key} resolved its target to; empty
   * when it is the only one.
   */
  @Override
  public List<String> others(String key, ParsedSpec.Target target, ResolvedTarget resolved) {
    Set<String> keys = new TreeSet<>();
    String ns = resolved.namespace();
    if (view != null && resolved.driverPod().isPresent()) {
      view.driverPod(ns, resolved.driverPod().get()).ifPresent(p -> matching(ns, p, keys));
    }
    if (target instanceof ParsedSpec.Target.SparkApplication a) {
      keys.addAll(objects.getOrDefault(sparkApplication(ns, a.name()), Set.of()));
    }
    resolved
        .scaleRef()
        .ifPresent(
            r ->
                keys.addAll(
                    objects.getOrDefault(
                        scaleTarget(ns, r.apiVersion(), r.kind(), r.name()), Set.of())));
    keys.remove(key);
    return List.copyOf(keys);
  }

  /** Adds the keys of the selectors that match the pod's labels. */
  private void matching(String ns, Pod pod, Set<String> keys) {
    Map<String, String> labels = pod.getMetadata().getLabels();
    if (labels == null) {
      return;
    }
    for (Map.Entry<String, String> l : labels.entrySet()) {
      for (Selector s : selectors.getOrDefault(labelKey(ns, l.getKey(), l.getValue()), List.of())) {
        if (labels.entrySet().containsAll(s.labels().entrySet())) {
          keys.add(s.key());
        }
      }
    }
  }

  private static String labelKey(String ns, String key, String value) {
    return ns + "/" + key + "=" + value;
  }

  private static String sparkApplication(String ns, String name) {
    return "SparkApplication " + ns + "/" + name;
  }

  /** A scale target by API group (any version), kind and name. */
  private static String scaleTarget(String ns, String apiVersion, String kind, String name) {
    int slash = apiVersion.indexOf('/');
    String group = slash < 0 ? "" : apiVersion.substring(0, slash);
    return "scale " + ns + "/" + group + "/" + kind + "/" + name;
  }
}
