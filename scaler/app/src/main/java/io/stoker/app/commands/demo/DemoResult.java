package io.stoker.app.commands.demo;

import java.util.List;

/**
 * What a demo run saw.
 *
 * @param settings what ran
 * @param compression workload seconds per demo second
 * @param staticExecutors the size of the fixed fleet (the simulator's static-peak sizing)
 * @param ticks one entry per decision
 * @param stoker the fleet Stoker sized
 * @param fixed the fixed-size fleet, consuming the same records in its own group at the same time
 */
public record DemoResult(
    DemoSettings settings,
    double compression,
    int staticExecutors,
    List<Tick> ticks,
    Summary stoker,
    Summary fixed) {

  public DemoResult {
    ticks = List.copyOf(ticks);
  }

  /**
   * One tick.
   *
   * @param seconds since the producer started
   * @param rate records/s the producer sends now
   * @param lag the Stoker fleet's lag as the Kafka adapter read it (-1 if unread)
   * @param ready Stoker's executors running
   * @param pending Stoker's executors starting
   * @param from the target before the decision
   * @param target the target decided
   * @param reason the decision's reason, as written to the autoscaler's status
   * @param signalError why the Kafka signal could not be read this tick, or empty
   * @param latency the Stoker fleet's latency, seconds
   * @param fixedLag the fixed fleet's lag (-1 if unread)
   * @param fixedExecutors the fixed fleet's executors running
   * @param fixedLatency the fixed fleet's latency, seconds
   */
  public record Tick(
      double seconds,
      double rate,
      long lag,
      int ready,
      int pending,
      int from,
      int target,
      String reason,
      String signalError,
      double latency,
      long fixedLag,
      int fixedExecutors,
      double fixedLatency) {}

  /**
   * How a fleet did over the run.
   *
   * @param name {@code stoker} or {@code static}
   * @param executorSeconds executor-seconds billed while the producer ran
   * @param slaViolationSeconds seconds whose latency exceeded the objective
   * @param maxLatencySeconds the largest latency seen
   * @param maxLag the largest lag read
   * @param finalLag the last lag read (-1 if none was)
   * @param peakExecutors the most executors at once (running or starting)
   * @param scalingActions decisions that changed the target
   */
  public record Summary(
      String name,
      double executorSeconds,
      double slaViolationSeconds,
      double maxLatencySeconds,
      long maxLag,
      long finalLag,
      int peakExecutors,
      int scalingActions) {}
}
