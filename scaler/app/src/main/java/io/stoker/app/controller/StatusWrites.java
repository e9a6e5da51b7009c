package io.stoker.app.controller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stoker.app.k8s.model.ExecutorAutoscalerStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Whether a freshly built status is worth a Kubernetes write (pure). Lag and rates move a little
 * every tick; writing them every tick would cost one write per autoscaler per tick. The rule:
 *
 * <ul>
 *   <li>any change of a field other than the observed numbers ({@link #OBSERVED}) is written at
 *       once: desired/recommended/current executors, the decision, conditions, the target, the
 *       generation, and every field added to the status later (the comparison is on the whole
 *       serialised status minus the observed numbers, so a new field is never silently dropped);
 *   <li>the observed numbers alone are rewritten when one of them moved by more than {@link
 *       #TOLERANCE} (relative to the value written, or appeared/disappeared), or the last batch or
 *       the burst memory or the learned summary changed at all, and the last write of this
 *       autoscaler is at least {@code refresh} old.
 * </ul>
 *
 * So {@code kubectl get eas} shows decisions and conditions as of the last tick, and lag and rates
 * within 10% of the last reading, or at most {@code refresh} (plus a tick) behind it.
 */
final class StatusWrites {
  /** The observed numbers, rewritten only per the tolerance and the refresh interval. */
  static final List<String> OBSERVED =
      List.of(
          "lagRecords",
          "arrivalRate",
          "processingRate",
          "executorRate",
          "lastBatch",
          "burstMemory",
          "learned");

  /** Relative change of an observed number that is worth a refresh. */
  static final double TOLERANCE = 0.10;

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private StatusWrites() {}

  /** Why a status is written, or {@code NONE}. */
  enum Verdict {
    NONE,
    /** Something other than the observed numbers changed. */
    CHANGED,
    /** Only observed numbers moved beyond the tolerance, and the last write is old enough. */
    REFRESH
  }

  /**
   * The refresh interval of one autoscaler: between {@code refresh} and twice that, fixed per key
   * (from its name's hash). Autoscalers created together, or all of them after a controller start,
   * would otherwise refresh on the same tick, and a tick writing every status at once is the
   * slowest a controller of thousands of autoscalers has; spread, about {@code tick / refresh} of
   * them refresh per tick.
   */
  static Duration refreshFor(String key, Duration refresh) {
    // String.hashCode is specified, so a key keeps its interval across restarts and replicas.
    long permille = Math.floorMod(key.hashCode() * 0x9E3779B9L, 1000L);
    return refresh.plus(refresh.multipliedBy(permille).dividedBy(1000));
  }

  /** A status as a JSON tree (what the API server stores). */
  static ObjectNode tree(ExecutorAutoscalerStatus status) {
    return status == null ? MAPPER.createObjectNode() : MAPPER.valueToTree(status);
  }

  /**
   * @param last the status last written (or, when unknown, the one the cache shows), as a tree
   * @param lastWrite when {@code last} was written by this controller, null if unknown
   * @param next the status this cycle computed, as a tree
   * @param now this cycle's time
   * @param refresh shortest time between two writes of observed numbers only (of this key: {@link
   *     #refreshFor})
   */
  static Verdict decide(
      ObjectNode last, Instant lastWrite, ObjectNode next, Instant now, Duration refresh) {
    if (!equalExceptObserved(last, next)) {
      return Verdict.CHANGED;
    }
    if (!observedMoved(last, next)) {
      return Verdict.NONE;
    }
    boolean due = lastWrite == null || !now.isBefore(lastWrite.plus(refresh));
    return due ? Verdict.REFRESH : Verdict.NONE;
  }

  /** Equal but for the observed numbers (compared in place: this runs every tick per key). */
  static boolean equalExceptObserved(ObjectNode a, ObjectNode b) {
    return containsExceptObserved(a, b) && containsExceptObserved(b, a);
  }

  /** Every field of {@code a} but the observed numbers is in {@code b} with an equal value. */
  private static boolean containsExceptObserved(ObjectNode a, ObjectNode b) {
    for (java.util.Map.Entry<String, JsonNode> f : a.properties()) {
      if (!OBSERVED.contains(f.getKey()) && !f.getValue().equals(b.get(f.getKey()))) {
        return false;
      }
    }
    return true;
  }

  /** True when an observed number appeared, disappeared or moved by more than the tolerance. */
  static boolean observedMoved(JsonNode last, JsonNode next) {
    for (String field : OBSERVED) {
      JsonNode a = last.get(field);
      JsonNode b = next.get(field);
      if ((a != null && a.isContainerNode()) || (b != null && b.isContainerNode())) {
        // the last batch and the burst memory: any change, on the refresh interval
        if (!java.util.Objects.equals(a, b)) {
          return true;
        }
        continue;
      }
      boolean hasA = a != null && a.isNumber();
      boolean hasB = b != null && b.isNumber();
      if (hasA != hasB) {
        return true;
      }
      if (hasA && beyondTolerance(a.asDouble(), b.asDouble())) {
        return true;
      }
    }
    return false;
  }

  static boolean beyondTolerance(double a, double b) {
    return Math.abs(a - b) > TOLERANCE * Math.max(Math.abs(a), Math.abs(b));
  }
}
