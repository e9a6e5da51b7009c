package io.stoker.app.k8s.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** {@code status} of an {@link ExecutorAutoscaler}; written only through the status subresource. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ExecutorAutoscalerStatus {
  public Long observedGeneration;

  /** The resolved target, e.g. {@code pod/clickstream-driver} or {@code StatefulSet/workers}. */
  public String target;

  public Integer currentExecutors;
  public Integer desiredExecutors;
  public Integer recommendedExecutors;
  public Long lagRecords;
  public Double arrivalRate;
  public Double processingRate;
  public Double executorRate;
  public String lastScaleTime;

  /**
   * The recommendations of the scale-down stabilisation window that can still hold the target up,
   * highest and oldest first; the last entry, without a time, is the current level. Written by the
   * leader so that a new leader (or a restarted controller) keeps a deferred scale-down deferred.
   */
  public List<WindowEntry> scaleDownWindow;

  /**
   * The burst magnitude the decision core remembers (its burst memory, 24 h by default), as at most
   * {@link BurstMemory#MAX_ENTRIES} hourly maxima per kind, so that a restarted controller or a new
   * leader sizes burst headroom from the bursts its predecessor saw.
   */
  public BurstMemory burstMemory;

  /**
   * The executor rate and the provisioning delays the decision core has measured, so that a
   * restarted controller or a new leader sizes its first scale-out with them instead of learning
   * them again.
   */
  public Learned learned;

  /** The micro-batch the last decision sized for; absent with continuous processing. */
  public LastBatch lastBatch;

  public LastDecision lastDecision;
  public Capacity capacity;
  public List<Condition> conditions = new ArrayList<>();

  /** What the capacity features did (spec.capacity) and what pending executors need. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Capacity {
    /** Placeholder pods alive; absent when placeholders are off. */
    public Integer placeholderPods;

    /** Executor pods not yet placed on a node. */
    public Integer pendingExecutors;

    /** New nodes per node group (value of the node-group label) that the pending executors need. */
    public Map<String, Integer> nodeHints;

    /** Executor pods annotated safe-to-evict "false"; absent when protectShuffle is off. */
    public Integer protectedExecutors;

    @Override
    public boolean equals(Object o) {
      return o instanceof Capacity c
          && Objects.equals(placeholderPods, c.placeholderPods)
          && Objects.equals(pendingExecutors, c.pendingExecutors)
          && Objects.equals(nodeHints, c.nodeHints)
          && Objects.equals(protectedExecutors, c.protectedExecutors);
    }

    @Override
    public int hashCode() {
      return Objects.hash(placeholderPods, pendingExecutors, nodeHints);
    }
  }

  /** One recommendation of the stabilisation window: executors, and when (absent: now). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class WindowEntry {
    public Integer executors;
    public String time;

    @Override
    public boolean equals(Object o) {
      return o instanceof WindowEntry e
          && Objects.equals(executors, e.executors)
          && Objects.equals(time, e.time);
    }

    @Override
    public int hashCode() {
      return Objects.hash(executors, time);
    }
  }

  /**
   * Hourly maxima of the remembered bursts: each entry is the highest value of its hour, stamped
   * with the end of that hour (so it is remembered at least as long as the sample it summarises,
   * and at most an hour longer).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class BurstMemory {
    /** Entries per list: a day of hours, and one for the hour in progress. */
    public static final int MAX_ENTRIES = 25;

    /** Highest arrival rates, records/s (oldest and highest first). */
    public List<RateEntry> peaks;

    /** Largest rises of the arrival rate within one reaction delay, records/s. */
    public List<RateEntry> rises;

    @Override
    public boolean equals(Object o) {
      return o instanceof BurstMemory b
          && Objects.equals(peaks, b.peaks)
          && Objects.equals(rises, b.rises);
    }

    @Override
    public int hashCode() {
      return Objects.hash(peaks, rises);
    }
  }

  /** What the decision core measured; a value it has not measured yet is absent. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Learned {
    /** Records/s one executor processes (smoothed). */
    public Double executorRate;

    /** Seconds from asking for executors within the recent peak to their being ready. */
    public Double warmDelaySeconds;

    /**
     * Seconds from asking for executors beyond the recent peak (new nodes) to their being ready.
     */
    public Double coldDelaySeconds;

    @Override
    public boolean equals(Object o) {
      return o instanceof Learned l
          && Objects.equals(executorRate, l.executorRate)
          && Objects.equals(warmDelaySeconds, l.warmDelaySeconds)
          && Objects.equals(coldDelaySeconds, l.coldDelaySeconds);
    }

    @Override
    public int hashCode() {
      return Objects.hash(executorRate, warmDelaySeconds, coldDelaySeconds);
    }
  }

  /** A rate, records/s, and until when it counts as observed. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class RateEntry {
    public Double rate;
    public String time;

    @Override
    public boolean equals(Object o) {
      return o instanceof RateEntry e
          && Objects.equals(rate, e.rate)
          && Objects.equals(time, e.time);
    }

    @Override
    public int hashCode() {
      return Objects.hash(rate, time);
    }
  }

  /** The last completed micro-batch as the driver plugin published it (seconds). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class LastBatch {
    public Long inputRows;
    public Double seconds;
    public Double taskSeconds;
    public Double triggerIntervalSeconds;
    public Double taskSlotSeconds;

    @Override
    public boolean equals(Object o) {
      return o instanceof LastBatch b
          && Objects.equals(inputRows, b.inputRows)
          && Objects.equals(seconds, b.seconds)
          && Objects.equals(taskSeconds, b.taskSeconds)
          && Objects.equals(triggerIntervalSeconds, b.triggerIntervalSeconds)
          && Objects.equals(taskSlotSeconds, b.taskSlotSeconds);
    }

    @Override
    public int hashCode() {
      return Objects.hash(inputRows, seconds, taskSeconds, triggerIntervalSeconds, taskSlotSeconds);
    }
  }

  /** The last decision that changed what the autoscaler reported (target or reason). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class LastDecision {
    public String time;
    public Integer from;
    public Integer to;
    public String reason;
    public String reasonCode;

    @Override
    public boolean equals(Object o) {
      return o instanceof LastDecision d
          && Objects.equals(time, d.time)
          && Objects.equals(from, d.from)
          && Objects.equals(to, d.to)
          && Objects.equals(reason, d.reason)
          && Objects.equals(reasonCode, d.reasonCode);
    }

    @Override
    public int hashCode() {
      return Objects.hash(time, from, to, reason, reasonCode);
    }
  }

  /** A standard Kubernetes-style condition. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Condition {
    public String type;
    public String status;
    public String reason;
    public String message;
    public String lastTransitionTime;
    public Long observedGeneration;

    @Override
    public boolean equals(Object o) {
      return o instanceof Condition c
          && Objects.equals(type, c.type)
          && Objects.equals(status, c.status)
          && Objects.equals(reason, c.reason)
          && Objects.equals(message, c.message)
          && Objects.equals(lastTransitionTime, c.lastTransitionTime)
          && Objects.equals(observedGeneration, c.observedGeneration);
    }

    @Override
    public int hashCode() {
      return Objects.hash(type, status, reason, message, lastTransitionTime, observedGeneration);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ExecutorAutoscalerStatus s
        && Objects.equals(observedGeneration, s.observedGeneration)
        && Objects.equals(target, s.target)
        && Objects.equals(currentExecutors, s.currentExecutors)
        && Objects.equals(desiredExecutors, s.desiredExecutors)
        && Objects.equals(recommendedExecutors, s.recommendedExecutors)
        && Objects.equals(lagRecords, s.lagRecords)
        && Objects.equals(arrivalRate, s.arrivalRate)
        && Objects.equals(processingRate, s.processingRate)
        && Objects.equals(executorRate, s.executorRate)
        && Objects.equals(lastScaleTime, s.lastScaleTime)
        && Objects.equals(scaleDownWindow, s.scaleDownWindow)
        && Objects.equals(burstMemory, s.burstMemory)
        && Objects.equals(learned, s.learned)
        && Objects.equals(lastBatch, s.lastBatch)
        && Objects.equals(lastDecision, s.lastDecision)
        && Objects.equals(capacity, s.capacity)
        && Objects.equals(conditions, s.conditions);
  }

  @Override
  public int hashCode() {
    return Objects.hash(observedGeneration, target, currentExecutors, desiredExecutors, lagRecords);
  }
}
