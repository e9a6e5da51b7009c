package io.stoker.adapters.spi;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * What one signal source said at one time, in the terms the decision core reads; every adapter
 * turns its samples into one ({@link SignalAdapter#toReading}). Absent fields are unknown, never
 * zero; a non-finite rate or fraction is absent.
 *
 * @param signal the source, the adapter's type ({@code kafka}, {@code spark}, {@code prometheus})
 * @param at when the upstream answered
 * @param backlog records waiting (Kafka lag, or the offsets a streaming query is behind)
 * @param arrivalRate records/s arriving
 * @param processingRate records/s processed
 * @param partitions partitions of the input (an upper bound on useful parallelism)
 * @param busyFraction share of the executors' task slots that are running tasks, 0..1
 * @param taskBacklog tasks not yet started
 * @param lastBatch the streaming query's last completed micro-batch, checked and fresh
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
    Objects.requireNonNull(backlog, "backlog");
    Objects.requireNonNull(arrivalRate, "arrivalRate");
    Objects.requireNonNull(processingRate, "processingRate");
    Objects.requireNonNull(partitions, "partitions");
    Objects.requireNonNull(busyFraction, "busyFraction");
    Objects.requireNonNull(taskBacklog, "taskBacklog");
    Objects.requireNonNull(lastBatch, "lastBatch");
  }

  /**
   * One completed micro-batch of a streaming query.
   *
   * @param inputRows rows the batch read
   * @param seconds its wall time
   * @param taskSeconds its task phase, if known
   * @param triggerIntervalSeconds the trigger interval (0 back to back), if known
   * @param taskSlotSeconds its tasks' summed run time, if known
   */
  public record MicroBatch(
      long inputRows,
      double seconds,
      OptionalDouble taskSeconds,
      OptionalDouble triggerIntervalSeconds,
      OptionalDouble taskSlotSeconds) {
    public MicroBatch {
      Objects.requireNonNull(taskSeconds, "taskSeconds");
      Objects.requireNonNull(triggerIntervalSeconds, "triggerIntervalSeconds");
      Objects.requireNonNull(taskSlotSeconds, "taskSlotSeconds");
    }
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

  /** With the arrival rate; a non-finite one leaves it unknown. */
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

  /** With the processing rate; a non-finite one leaves it unknown. */
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

  /** With the busy fraction; a non-finite one leaves it unknown. */
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
