package io.stoker.app.k8s;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Collection;
import java.util.OptionalInt;

/**
 * Executor pods by state: ready (Running with condition Ready) and pending (Pending, or Running and
 * not ready yet). Terminating, Succeeded and Failed pods are not counted.
 *
 * @param ready executors that can run tasks
 * @param pending executors requested and not ready
 * @param cores cores per executor as read from the pods, if any pod says
 */
public record ExecutorCount(int ready, int pending, OptionalInt cores) {

  public static final ExecutorCount NONE = new ExecutorCount(0, 0, OptionalInt.empty());

  public int total() {
    return ready + pending;
  }

  public static ExecutorCount of(Collection<Pod> pods) {
    int ready = 0;
    int pending = 0;
    OptionalInt cores = OptionalInt.empty();
    for (Pod p : pods) {
      if (p.getMetadata().getDeletionTimestamp() != null || p.getStatus() == null) {
        continue;
      }
      String phase = p.getStatus().getPhase();
      if ("Running".equals(phase) && isReady(p)) {
        ready++;
      } else if ("Pending".equals(phase) || "Running".equals(phase)) {
        pending++;
      } else {
        continue;
      }
      if (cores.isEmpty()) {
        cores = cores(p);
      }
    }
    return new ExecutorCount(ready, pending, cores);
  }

  static boolean isReady(Pod p) {
    if (p.getStatus().getConditions() == null) {
      return false;
    }
    for (PodCondition c : p.getStatus().getConditions()) {
      if ("Ready".equals(c.getType())) {
        return "True".equals(c.getStatus());
      }
    }
    return false;
  }

  /** {@code SPARK_EXECUTOR_CORES} of the first container, else its CPU request rounded up. */
  static OptionalInt cores(Pod p) {
    if (p.getSpec() == null || p.getSpec().getContainers().isEmpty()) {
      return OptionalInt.empty();
    }
    Container c = p.getSpec().getContainers().get(0);
    if (c.getEnv() != null) {
      for (EnvVar e : c.getEnv()) {
        if (SparkLabels.EXECUTOR_CORES_ENV.equals(e.getName()) && e.getValue() != null) {
          try {
            return OptionalInt.of(Integer.parseInt(e.getValue().trim()));
          } catch (NumberFormatException ignored) {
            // fall through to the CPU request
          }
        }
      }
    }
    if (c.getResources() != null && c.getResources().getRequests() != null) {
      Quantity cpu = c.getResources().getRequests().get("cpu");
      if (cpu != null) {
        BigDecimal v = cpu.getNumericalAmount().setScale(0, RoundingMode.CEILING);
        return v.signum() > 0 ? OptionalInt.of(v.intValueExact()) : OptionalInt.empty();
      }
    }
    return OptionalInt.empty();
  }
}
