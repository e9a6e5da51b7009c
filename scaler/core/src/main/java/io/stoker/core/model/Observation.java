package io.stoker.core.model;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * What the collectors saw for one application at one tick. Every signal may be absent: a missing
 * signal is never treated as zero.
 *
 * @param at when the signals were sampled (their age is {@code now - at})
 * @param backlogRecords records waiting (Kafka lag summed over partitions)
 * @param arrivalRate records/s arriving (rate of the log-end offsets)
 * @param processingRate records/s processed (rate of the committed offsets)
 * @param readyExecutors executors running and registered with the driver
 * @param pendingExecutors executors requested but not ready yet (pending pods, starting JVMs)
 * @param coresPerExecutor task slots per executor
 * @param partitions source partitions (bounds useful parallelism)
 * @param busyFraction fraction of task-slot time spent running tasks over the last interval, 0..1
 * @param taskBacklog Spark tasks waiting for a slot
 * @param lastBatch the last completed micro-batch, as Spark's {@code StreamingQueryProgress}
 *     reports it; absent with continuous processing or when the driver does not publish it
 */
public record Observation(
    Instant at,
    OptionalLong backlogRecords,
    OptionalDouble arrivalRate,
    OptionalDouble processingRate,
    OptionalInt readyExecutors,
    OptionalInt pendingExecutors,
    OptionalInt coresPerExecutor,
    OptionalInt partitions,
    OptionalDouble busyFraction,
    OptionalInt taskBacklog,
    Optional<MicroBatch> lastBatch) {

  public Observation {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(backlogRecords, "backlogRecords");
    Objects.requireNonNull(arrivalRate, "arrivalRate");
    Objects.requireNonNull(processingRate, "processingRate");
    Objects.requireNonNull(readyExecutors, "readyExecutors");
    Objects.requireNonNull(pendingExecutors, "pendingExecutors");
    Objects.requireNonNull(coresPerExecutor, "coresPerExecutor");
    Objects.requireNonNull(partitions, "partitions");
    Objects.requireNonNull(busyFraction, "busyFraction");
    Objects.requireNonNull(taskBacklog, "taskBacklog");
    Objects.requireNonNull(lastBatch, "lastBatch");
  }

  /** Without micro-batch progress (continuous processing, or a driver that does not publish it). */
  public Observation(
      Instant at,
      OptionalLong backlogRecords,
      OptionalDouble arrivalRate,
      OptionalDouble processingRate,
      OptionalInt readyExecutors,
      OptionalInt pendingExecutors,
      OptionalInt coresPerExecutor,
      OptionalInt partitions,
      OptionalDouble busyFraction,
      OptionalInt taskBacklog) {
    this(
        at,
        backlogRecords,
        arrivalRate,
        processingRate,
        readyExecutors,
        pendingExecutors,
        coresPerExecutor,
        partitions,
        busyFraction,
        taskBacklog,
        Optional.empty());
  }

  /**
   * What Spark publishes about the last completed micro-batch of the query (the fields of its
   * {@code StreamingQueryProgress}; Spark's gauges keep the last progress until the next one).
   *
   * @param inputRows {@code numInputRows}: records the batch read
   * @param seconds the batch's wall time, {@code durationMs.triggerExecution} (overhead included)
   * @param taskSeconds the part spent running the batch's tasks, {@code durationMs.addBatch};
   *     absent if not published (the batch's overhead is then unknown)
   * @param triggerIntervalSeconds the query's {@code ProcessingTime} trigger interval, 0 when
   *     batches run back to back (the default trigger); absent if unknown
   * @param taskSlotSeconds the batch's task time summed over its tasks (the {@code executorRunTime}
   *     of its stages): task slots × the seconds they were busy; absent if not published
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

    /** Without the summed task time. */
    public MicroBatch(
        long inputRows,
        double seconds,
        OptionalDouble taskSeconds,
        OptionalDouble triggerIntervalSeconds) {
      this(inputRows, seconds, taskSeconds, triggerIntervalSeconds, OptionalDouble.empty());
    }

    /** The batch's fixed cost: wall time not spent running tasks; 0 if unknown. */
    public double overheadSeconds() {
      return taskSeconds.isPresent() ? Math.max(0, seconds - taskSeconds.getAsDouble()) : 0;
    }

    /** The trigger interval, 0 if back to back or unknown. */
    public double intervalSeconds() {
      return Math.max(0, triggerIntervalSeconds.orElse(0));
    }
  }

  public static Builder at(Instant at) {
    return new Builder(at);
  }

  /** Builder: fields not set stay absent. */
  public static final class Builder {
    private final Instant at;
    private OptionalLong backlog = OptionalLong.empty();
    private OptionalDouble arrival = OptionalDouble.empty();
    private OptionalDouble processing = OptionalDouble.empty();
    private OptionalInt ready = OptionalInt.empty();
    private OptionalInt pending = OptionalInt.empty();
    private OptionalInt cores = OptionalInt.empty();
    private OptionalInt parts = OptionalInt.empty();
    private OptionalDouble busy = OptionalDouble.empty();
    private OptionalInt tasks = OptionalInt.empty();
    private Optional<MicroBatch> batch = Optional.empty();

    private Builder(Instant at) {
      this.at = at;
    }

    public Builder backlog(long records) {
      backlog = OptionalLong.of(records);
      return this;
    }

    public Builder arrivalRate(double recordsPerSecond) {
      arrival = OptionalDouble.of(recordsPerSecond);
      return this;
    }

    public Builder processingRate(double recordsPerSecond) {
      processing = OptionalDouble.of(recordsPerSecond);
      return this;
    }

    public Builder readyExecutors(int n) {
      ready = OptionalInt.of(n);
      return this;
    }

    public Builder pendingExecutors(int n) {
      pending = OptionalInt.of(n);
      return this;
    }

    public Builder coresPerExecutor(int n) {
      cores = OptionalInt.of(n);
      return this;
    }

    public Builder partitions(int n) {
      parts = OptionalInt.of(n);
      return this;
    }

    public Builder busyFraction(double fraction) {
      busy = OptionalDouble.of(fraction);
      return this;
    }

    public Builder taskBacklog(int n) {
      tasks = OptionalInt.of(n);
      return this;
    }

    public Builder lastBatch(MicroBatch b) {
      batch = Optional.of(b);
      return this;
    }

    public Observation build() {
      return new Observation(
          at, backlog, arrival, processing, ready, pending, cores, parts, busy, tasks, batch);
    }
  }
}
