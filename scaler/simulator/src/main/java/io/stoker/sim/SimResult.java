package io.stoker.sim;

/**
 * One policy replayed over one trace: the summary figures of docs/simulator.md and the per-second
 * series behind them (index = second).
 *
 * @param policy policy name
 * @param setting swept setting or empty
 * @param executorSeconds executor pods billed (starting, ready, decommissioning) and placeholder
 *     pods holding node room, summed per second
 * @param placeholderSeconds the placeholder pods' share of {@code executorSeconds}
 * @param nodeSeconds nodes billed (provisioning or ready), summed per second
 * @param slaViolationSeconds seconds in which the oldest waiting record was older than the target
 * @param p99LatencySeconds 99th percentile (nearest rank) of the per-second latency
 * @param maxLatencySeconds highest per-second latency
 * @param maxBacklogRecords highest backlog
 * @param scalingActions changes of the executor target
 * @param meanUtilization mean processed share of ready capacity, over seconds with capacity
 * @param series the per-second series
 */
public record SimResult(
    String policy,
    String setting,
    double executorSeconds,
    double placeholderSeconds,
    double nodeSeconds,
    int slaViolationSeconds,
    double p99LatencySeconds,
    double maxLatencySeconds,
    double maxBacklogRecords,
    int scalingActions,
    double meanUtilization,
    Series series) {

  /**
   * Per-second series; arrays have one entry per simulated second. {@code billedExecutors} includes
   * the placed {@code placeholders}.
   */
  public record Series(
      double[] arrivalRate,
      double[] backlog,
      double[] latency,
      int[] target,
      int[] readyExecutors,
      int[] billedExecutors,
      int[] nodes,
      int[] placeholders) {}
}
