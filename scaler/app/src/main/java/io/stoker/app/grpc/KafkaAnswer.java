package io.stoker.app.grpc;

/**
 * What the Kafka mode answers for one trigger, from one reading of the group's offsets.
 *
 * @param value the metric value: KEDA's capped lag (never negative, as KEDA clamps negative values
 *     to 0), or the recommended replicas in rate mode
 * @param active KEDA's activity: lag including persistent lag &gt; {@code activationLagThreshold};
 *     in rate mode also when replicas are recommended
 */
record KafkaAnswer(long value, boolean active) {}
