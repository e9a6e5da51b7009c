package io.stoker.core.model;

import java.time.Instant;
import java.util.Objects;
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
    OptionalInt taskBacklog) {

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

    public Observation build() {
      return new Observation(
          at, backlog, arrival, processing, ready, pending, cores, parts, busy, tasks);
    }
  }
}
