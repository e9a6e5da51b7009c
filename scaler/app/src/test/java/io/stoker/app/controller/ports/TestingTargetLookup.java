package io.stoker.app.controller.ports;

import io.stoker.app.k8s.ExecutorCount;
import io.stoker.app.k8s.ResolvedTarget;
import io.stoker.app.spec.ParsedSpec;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * In-memory {@link TargetLookup}: a test says what each target resolves to ({@link #found}, {@link
 * #missing}, {@link #ambiguous}; unset targets are missing). Autoscalers of one namespace whose
 * targets are equal claim the same object. A write through {@link TestingScalingRealizer} shows in
 * the next lookup, as the driver pod's annotation would.
 */
public final class TestingTargetLookup implements TargetLookup {
  private final Map<String, ResolvedTarget.Lookup> lookups = new ConcurrentHashMap<>();

  /** A driver pod {@code pod} with {@code ready} ready executors and the given target in force. */
  public static ResolvedTarget driver(String namespace, String pod, int ready, OptionalInt target) {
    return driver(namespace, pod, ready, target, ResolvedTarget.Running.UNKNOWN);
  }

  /** As {@link #driver(String, String, int, OptionalInt)}, its running executors on nodes. */
  public static ResolvedTarget driver(
      String namespace, String pod, int ready, OptionalInt target, ResolvedTarget.Running running) {
    return new ResolvedTarget(
        namespace,
        "pod/" + pod,
        Optional.of(pod),
        Optional.of("10.0.0.1"),
        target,
        Optional.empty(),
        new ExecutorCount(ready, 0, OptionalInt.empty()),
        Map.of("spark-app-selector", pod),
        running);
  }

  public void found(String namespace, ParsedSpec.Target target, ResolvedTarget resolved) {
    lookups.put(key(namespace, target), new ResolvedTarget.Lookup.Found(resolved));
  }

  public void missing(String namespace, ParsedSpec.Target target, String message) {
    lookups.put(key(namespace, target), new ResolvedTarget.Lookup.Missing(message));
  }

  public void ambiguous(String namespace, ParsedSpec.Target target, String message) {
    lookups.put(key(namespace, target), new ResolvedTarget.Lookup.Ambiguous(message));
  }

  /** The target in force on {@code target} (its annotation) is now {@code executors}. */
  public void written(ResolvedTarget target, int executors) {
    lookups.replaceAll(
        (k, l) ->
            l instanceof ResolvedTarget.Lookup.Found f && same(f.target(), target)
                ? new ResolvedTarget.Lookup.Found(requested(f.target(), executors))
                : l);
  }

  private static boolean same(ResolvedTarget a, ResolvedTarget b) {
    return a.namespace().equals(b.namespace()) && a.description().equals(b.description());
  }

  private static ResolvedTarget requested(ResolvedTarget t, int executors) {
    return new ResolvedTarget(
        t.namespace(),
        t.description(),
        t.driverPod(),
        t.driverHost(),
        OptionalInt.of(executors),
        t.scaleRef(),
        t.executors(),
        t.executorSelector(),
        t.running());
  }

  private static String key(String namespace, ParsedSpec.Target target) {
    return namespace + "/" + target;
  }

  @Override
  public CompletableFuture<ResolvedTarget.Lookup> resolve(
      String namespace, ParsedSpec.Target target) {
    return CompletableFuture.completedFuture(
        lookups.getOrDefault(
            key(namespace, target),
            new ResolvedTarget.Lookup.Missing("no target set in the test for " + target)));
  }

  @Override
  public Claims claims(Map<String, ParsedSpec.Target> acting) {
    Map<String, ParsedSpec.Target> copy = Map.copyOf(acting);
    return (key, target, resolved) -> {
      TreeSet<String> others = new TreeSet<>();
      String ns = key.substring(0, key.indexOf('/'));
      copy.forEach(
          (k, t) -> {
            if (!k.equals(key) && k.startsWith(ns + "/") && t.equals(target)) {
              others.add(k);
            }
          });
      return List.copyOf(others);
    };
  }
}
