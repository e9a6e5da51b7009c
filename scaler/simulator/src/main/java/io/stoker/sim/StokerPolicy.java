package io.stoker.sim;

import io.stoker.core.model.Decision;
import io.stoker.core.model.Observation;
import io.stoker.core.model.ScalingOptions;
import io.stoker.core.policy.DecideLoop;
import io.stoker.core.policy.Headroom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * Stoker's real decision core, fed every tick the observation a live controller would build: the
 * backlog (Kafka lag), arrival and processing rates from offset deltas over the tick, executor
 * counts from the pods, the busy fraction from Spark's executor metrics, the partition count. With
 * micro-batches the processing rate is the one Spark publishes, as the controller reads it from the
 * driver's {@code processingRate-total} gauge: the last completed batch's {@code
 * processedRowsPerSecond} (its rows over its whole duration); offsets move only when a batch
 * commits, so a tick's offset delta is no rate. The last completed batch's progress is handed over
 * too (input rows, {@code triggerExecution} and {@code addBatch} durations, the task time summed
 * over its tasks), with the trigger interval as the progress timestamps show it: the gap between
 * the starts of two batches of which the first ended before the second started ({@code
 * ProcessingTimeExecutor} then waited for the next multiple of the interval; the largest such gap
 * seen is the interval, none means back to back). Only the bounds and the latency objective come
 * from the scenario; everything else is learned.
 *
 * <p>The {@code stoker+placeholders} variant also keeps the placeholder pods {@link Headroom}
 * decides after each decision, from the executor pods it sees (running, waiting for a node) and a
 * configured headroom.
 */
public final class StokerPolicy implements SimPolicy {
  private static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");

  /** Name of the variant that keeps placeholder pods. */
  public static final String WITH_PLACEHOLDERS = "stoker+placeholders";

  private final ScalingOptions base;
  private final int headroomExecutors;
  private final boolean withPlaceholders;
  private int placeholders;
  private DecideLoop loop;
  private final List<Decision> decisions = new ArrayList<>();
  private double lastBatchRate = Double.NaN;
  private BatchProgress lastBatch;
  private double triggerInterval = Double.NaN;

  /** With Stoker's defaults. */
  public StokerPolicy() {
    this(ScalingOptions.defaults());
  }

  /** With given options; bounds and the latency objective are taken from the scenario. */
  public StokerPolicy(ScalingOptions options) {
    this(options, -1);
  }

  private StokerPolicy(ScalingOptions options, int headroomExecutors) {
    this.base = options;
    this.withPlaceholders = headroomExecutors >= 0;
    this.headroomExecutors = Math.max(0, headroomExecutors);
  }

  /**
   * The {@code stoker+placeholders} variant: the same decisions, plus placeholder pods.
   *
   * @param headroomExecutors spare room always held, in executors ({@code
   *     capacity.placeholders.headroomExecutors})
   */
  public static StokerPolicy withPlaceholders(ScalingOptions options, int headroomExecutors) {
    if (headroomExecutors < 0) {
      throw new IllegalArgumentException(
          "headroomExecutors must be >= 0, got " + headroomExecutors);
    }
    return new StokerPolicy(options, headroomExecutors);
  }

  /** The controller tells the driver plugin which executors empty nodes first. */
  @Override
  public Removal removal() {
    return Removal.NODE_AWARE;
  }

  @Override
  public String name() {
    return withPlaceholders
        ? WITH_PLACEHOLDERS + "[headroomExecutors=" + headroomExecutors + "]"
        : "stoker";
  }

  @Override
  public String setting() {
    return withPlaceholders ? "headroomExecutors=" + headroomExecutors : "";
  }

  @Override
  public int placeholders() {
    return placeholders;
  }

  /** Every decision that changed the target, in order. */
  public List<Decision> decisions() {
    return List.copyOf(decisions);
  }

  /**
   * The processing rate the controller reads at {@code v.second()}: with continuous processing the
   * committed offsets' delta since {@code from}; with micro-batches the {@code
   * processedRowsPerSecond} of the last batch that ended since, else {@code last} (Spark's gauge
   * keeps the last progress's value; NaN before the first batch).
   */
  static double processingRate(SimView v, int from, double last) {
    if (!v.scenario().microBatches()) {
      return (v.processedRecords() - v.processedBy(from)) / Math.max(1, v.second() - from);
    }
    List<BatchProgress> ended = v.batchesEndedSince(from);
    return ended.isEmpty() ? last : ended.get(ended.size() - 1).processedRowsPerSecond();
  }

  /**
   * The trigger interval as the progress of two consecutive batches shows it: the gap between their
   * starts if the first ended before the second started, the larger of it and {@code known}.
   */
  static double intervalSeen(BatchProgress previous, BatchProgress next, double known) {
    if (previous == null
        || next.batchId() != previous.batchId() + 1
        || !(previous.endSecond() < next.startSecond() - 1e-6)) {
      return known;
    }
    double gap = next.startSecond() - previous.startSecond();
    return Double.isNaN(known) ? gap : Math.max(known, gap);
  }

  @Override
  public OptionalInt decide(SimView v) {
    Scenario sc = v.scenario();
    int poll = sc.pollSeconds();
    if (v.second() == 0 || v.second() % poll != 0) {
      return OptionalInt.empty();
    }
    if (loop == null) {
      loop =
          new DecideLoop(
              base.toBuilder()
                  .bounds(sc.minExecutors(), sc.maxExecutors())
                  .targetLatency(Duration.ofMillis(Math.round(sc.targetLatencySeconds() * 1000)))
                  .build());
    }
    int from = Math.max(0, v.second() - poll);
    double span = v.second() - from;
    Instant now = EPOCH.plusSeconds(v.second());
    double processing = processingRate(v, from, lastBatchRate);
    if (sc.microBatches()) {
      lastBatchRate = processing;
      for (BatchProgress b : v.batchesEndedSince(from)) {
        if (b.endSecond() > v.second()) {
          break;
        }
        triggerInterval = intervalSeen(lastBatch, b, triggerInterval);
        lastBatch = b;
      }
    }
    Observation.Builder b =
        Observation.at(now)
            .backlog(Math.round(v.backlogRecords()))
            .arrivalRate((v.arrivedRecords() - v.arrivedBy(from)) / span);
    if (!Double.isNaN(processing)) {
      b.processingRate(processing);
    }
    if (lastBatch != null) {
      b.lastBatch(
          new Observation.MicroBatch(
              lastBatch.numInputRows(),
              lastBatch.durationSeconds(),
              OptionalDouble.of(lastBatch.addBatchSeconds()),
              Double.isNaN(triggerInterval)
                  ? OptionalDouble.empty()
                  : OptionalDouble.of(triggerInterval),
              Double.isNaN(lastBatch.taskSlotSeconds())
                  ? OptionalDouble.empty()
                  : OptionalDouble.of(lastBatch.taskSlotSeconds())));
    }
    Observation obs =
        b.readyExecutors(v.readyExecutors())
            .pendingExecutors(v.pendingExecutors())
            .coresPerExecutor(sc.coresPerExecutor())
            .partitions(sc.partitions())
            .busyFraction(v.busyFraction(poll))
            .build();
    // the simulated cluster carries the target decided last (the initial executors before): the
    // loop's target in force after the first tick
    Decision d = loop.decide(obs, v.target(), now);
    if (withPlaceholders) {
      int waiting = v.unschedulableExecutors();
      int running = v.readyExecutors() + v.pendingExecutors() - waiting;
      placeholders =
          Headroom.placeholders(
                  Headroom.Input.of(d, running, waiting, headroomExecutors, sc.maxExecutors()))
              .placeholders();
    }
    if (d.isChange()) {
      decisions.add(d);
    }
    return OptionalInt.of(d.target());
  }
}
