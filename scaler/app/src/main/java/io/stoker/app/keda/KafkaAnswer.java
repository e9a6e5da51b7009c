package io.stoker.app.keda;

/**
 * What the Kafka mode answers for one trigger, from one reading of the group's offsets.
 *
 * @param value the metric value: KEDA's capped lag (never negative, as KEDA clamps negative values
 *     to 0), or the recommended replicas in rate mode
 * @param active KEDA's activity: lag including persistent lag &gt; {@code activationLagThreshold};
 *     in rate mode also when replicas are recommended
 * @param perPoll with {@code excludePersistentLag}, the metric value of a {@code GetMetrics} call,
 *     which compares this reading with the one the same ScaledObject's previous call saw (KEDA's
 *     {@code previousOffsets}, kept per scaler and advanced by each of its polls); null otherwise
 */
record KafkaAnswer(long value, boolean active, PerPoll perPoll) {
  KafkaAnswer(long value, boolean active) {
    this(value, active, null);
  }

  /** The metric value of one poll, for one ScaledObject. */
  interface PerPoll {
    /**
     * @param scaledObject {@code namespace/name} of the ScaledObject that polls
     */
    long value(String scaledObject);
  }

  /**
   * The value to answer a {@code GetMetrics} of {@code scaledObject} with (see {@link #perPoll}).
   */
  long valueFor(String scaledObject) {
    return perPoll == null ? value : perPoll.value(scaledObject);
  }
}
