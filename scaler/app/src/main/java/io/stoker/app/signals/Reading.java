package io.stoker.app.signals;

import java.time.Instant;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * What one signal source said at one time; absent fields are unknown, never zero.
 *
 * @param signal the source ({@code kafka}, {@code spark}, {@code prometheus})
 * @param at when the upstream answered
 */
public record Reading(
    String signal,
    Instant at,
    OptionalLong backlog,
    OptionalDouble arrivalRate,
    OptionalDouble processingRate,
    OptionalInt partitions,
    OptionalDouble busyFraction,
    OptionalInt taskBacklog) {

  public Reading {
    Objects.requireNonNull(signal, "signal");
    Objects.requireNonNull(at, "at");
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
        OptionalInt.empty());
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
        taskBacklog);
  }

  public Reading withArrivalRate(double v) {
    return new Reading(
        signal, at, backlog, finite(v), processingRate, partitions, busyFraction, taskBacklog);
  }

  public Reading withProcessingRate(double v) {
    return new Reading(
        signal, at, backlog, arrivalRate, finite(v), partitions, busyFraction, taskBacklog);
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
        taskBacklog);
  }

  public Reading withBusyFraction(double v) {
    return new Reading(
        signal, at, backlog, arrivalRate, processingRate, partitions, finite(v), taskBacklog);
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
        OptionalInt.of(n));
  }

  private static OptionalDouble finite(double v) {
    return Double.isFinite(v) ? OptionalDouble.of(v) : OptionalDouble.empty();
  }
}
