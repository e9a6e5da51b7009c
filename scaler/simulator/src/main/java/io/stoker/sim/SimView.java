package io.stoker.sim;

import java.util.List;

/**
 * What a policy may see at the start of a simulated second: the Kafka counters and the executor
 * pods, as a controller would. Only the oracle reads {@link #trueArrivalRate()}.
 */
public interface SimView {
  /** Seconds since the start. */
  int second();

  Scenario scenario();

  /** Records that ever arrived (sum of log-end offsets). */
  double arrivedRecords();

  /** Records processed (sum of committed offsets). */
  double processedRecords();

  /** Records waiting: arrived minus processed. */
  double backlogRecords();

  /** The executor target in force. */
  int target();

  /** Executors that process records now. */
  int readyExecutors();

  /** Executors asked for and not ready yet (waiting for a node or starting). */
  int pendingExecutors();

  /** Executors asked for that wait for a node (unschedulable pods); part of the pending ones. */
  int unschedulableExecutors();

  /** Placeholder pods placed on a node (holding room for an executor). */
  int placeholders();

  /** Ready executors that ran no task for at least {@code seconds}. */
  int readyIdleFor(double seconds);

  /** Processed share of the ready executors' capacity over {@code [second - span, second)}. */
  double busyFraction(int span);

  /** True if the last second ended with records still queued (a micro-batch outlasts a second). */
  boolean behind();

  /**
   * The micro-batches that ended at or after {@code since} (and before now), as Spark's progress
   * reports them; empty with continuous processing.
   */
  List<BatchProgress> batchesEndedSince(double since);

  /**
   * True if a micro-batch was running its tasks at the end of the last second (what Spark's
   * scheduler listener sees); false with continuous processing.
   */
  boolean batchRunningTasks();

  /** The rate arriving now. Only a policy with perfect knowledge (the oracle) may use it. */
  double trueArrivalRate();

  /** Records arrived by the start of second {@code s} (0 ≤ s ≤ second()). */
  double arrivedBy(int s);

  /** Records processed by the start of second {@code s} (0 ≤ s ≤ second()). */
  double processedBy(int s);
}
