package io.stoker.app.signals;

import io.stoker.core.model.Observation.MicroBatch;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * What one signal source said at one time; absent fields are unknown, never zero.
 *
 * @param signal the source ({@code kafka}, {@code spark}, {@code prometheus})
 * @param at when the upstream answered
 * @param lastBatch the query's last completed micro-batch, from the driver plugin (checked and
 *     fresh, see {@code SparkSnapshot.Batch#of})
 */
public record Reading(
    String signal,
    Instant at,
    OptionalLong backlog,
    OptionalDouble arrivalRate,
    OptionalDouble processingRate,
    OptionalInt partitions,
    OptionalDouble busyFraction,
    OptionalInt taskBacklog,
    Optional<MicroBatch> lastBatch) {

  public Reading {
    Objects.requireNonNull(signal, "signal");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(lastBatch, "lastBatch");
  }

  /** A reading with nothing in it yet; fill with the {@code with*} methods. */
  public static Reading empty(String signal, Instant at) {
    return new Reading(
        signal,
        at,
        OptionalLong.empty(),
        OptionalDouble.empty(),
        OptionalDouble.empty(),
        OptionalInt.empty(),
        OptionalDouble.empty(),
        OptionalInt.empty(),
        Optional.empty());
  }

  public Reading withBacklog(long records) {
    return new Reading(
        signal,
        at,
        OptionalLong.of(records),
        arrivalRate,
        processingRate,
        partitions,
        busyFraction,
        taskBacklog,
        lastBatch);
  }

  public Reading withArrivalRate(double v) {
    return new Reading(
        signal,
        at,
        backlog,
        finite(v),
        processingRate,
        partitions,
        busyFraction,
        taskBacklog,
        lastBatch);
  }

  public Reading withProcessingRate(double v) {
    return new Reading(
        signal,
        at,
        backlog,
        arrivalRate,
        finite(v),
        partitions,
        busyFraction,
        taskBacklog,
        lastBatch);
  }

  public Reading withPartitions(int n) {
    return new Reading(
        signal,
        at,
        backlog,
        arrivalRate,
        processingRate,
        OptionalInt.of(n),
        busyFraction,
        taskBacklog,
        lastBatch);
  }

  public Reading withBusyFraction(double v) {
    return new Reading(
        signal,
        at,
        backlog,
        arrivalRate,
        processingRate,
        partitions,
        finite(v),
        taskBacklog,
        lastBatch);
  }

  public Reading withTaskBacklog(int n) {
    return new Reading(
        signal,
        at,
        backlog,
        arrivalRate,
        processingRate,
        partitions,
        busyFraction,
        OptionalInt.of(n),
        lastBatch);
  }

  public Reading withLastBatch(MicroBatch b) {
    return new Reading(
        signal,
        at,
        backlog,
        arrivalRate,
        processingRate,
        partitions,
        busyFraction,
        taskBacklog,
        Optional.of(b));
  }

  private static OptionalDouble finite(double v) {
    return Double.isFinite(v) ? OptionalDouble.of(v) : OptionalDouble.empty();
  }
}
