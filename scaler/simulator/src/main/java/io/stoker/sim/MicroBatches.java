package io.stoker.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * Spark Structured Streaming's micro-batch loop, in continuous time within each simulated second.
 *
 * <p>A batch starts at a trigger: with no interval, as soon as the previous one ends (Spark's
 * default trigger, {@code ProcessingTime(0)}); with an interval, at the next multiple of the
 * interval, or at once when the previous batch overran it ({@code ProcessingTimeExecutor} in
 * Spark's {@code TriggerExecutor.scala}: the next trigger time is computed before the batch runs,
 * so an overrun starts the next batch immediately and missed slots are not made up). A trigger that
 * finds nothing queued runs no batch and waits for the next slot (with no interval, it polls again
 * after {@value #POLLING_DELAY_SECONDS} s, {@code spark.sql.streaming.pollingDelay}).
 *
 * <p>A batch reads what is queued when it starts (at most {@code maxRecordsPerBatch}), pays the
 * fixed overhead (offsets, planning, commits: no executor works then), then runs its tasks on the
 * task slots there are; its records count as processed only when it ends.
 */
final class MicroBatches {
  static final double POLLING_DELAY_SECONDS = 0.01;
  private static final double EPS = 1e-9;

  private final double interval;
  private final double overhead;
  private final int maxRecords;
  private final List<BatchProgress> completed = new ArrayList<>();
  private boolean running;
  private double nextStart;
  private double startedAt;
  private double previousStart = Double.NaN;
  private double size;
  private double overheadLeft;
  private double workLeft;
  private double workTime;
  private double slotSeconds;
  private long nextId;

  /** What one second did. */
  record Second(double completedRecords, double busySeconds) {}

  MicroBatches(double interval, double overhead, int maxRecords) {
    this.interval = interval;
    this.overhead = overhead;
    this.maxRecords = maxRecords;
  }

  /** True while a batch runs its tasks: task slots are busy, and tasks may wait for a slot. */
  boolean runningTasks() {
    return running && overheadLeft <= EPS && workLeft > EPS;
  }

  /** True while a batch runs, in any phase. */
  boolean running() {
    return running;
  }

  /** Every completed batch, in order. */
  List<BatchProgress> completed() {
    return completed;
  }

  /** The first trigger time after {@code s}: the next multiple of the interval. */
  double nextSlot(double s) {
    return (Math.floor((s + EPS) / interval) + 1) * interval;
  }

  /**
   * Runs second {@code t}.
   *
   * @param backlog records queued at the start of the second
   * @param arrivals records arriving during the second, evenly
   * @param capacity records per second the task slots process this second
   */
  Second process(int t, double backlog, double arrivals, double capacity) {
    return process(t, backlog, arrivals, capacity, Double.NaN);
  }

  /**
   * Runs second {@code t} on {@code slots} task slots (what the batch's summed task time counts;
   * NaN: not tracked).
   */
  Second process(int t, double backlog, double arrivals, double capacity, double slots) {
    double now = t;
    double end = t + 1;
    double done = 0;
    double busy = 0;
    while (now < end - EPS) {
      if (!running) {
        double s = Math.max(now, nextStart);
        if (s >= end - EPS) {
          break;
        }
        double queued = backlog + arrivals * (s - t) - done;
        if (queued <= 1e-6) {
          nextStart = interval > 0 ? nextSlot(s) : arrivals > 0 ? s + POLLING_DELAY_SECONDS : end;
          now = s;
          continue;
        }
        start(s, queued);
        now = s;
      }
      if (overheadLeft > EPS) {
        double dt = Math.min(overheadLeft, end - now);
        overheadLeft -= dt;
        now += dt;
        if (overheadLeft > EPS || workLeft > EPS) {
          continue;
        }
      } else if (capacity <= 0) {
        break;
      } else if (workLeft > capacity * (end - now)) {
        busy += end - now;
        workTime += end - now;
        slotSeconds += (end - now) * slots;
        workLeft -= capacity * (end - now);
        now = end;
        continue;
      } else {
        double dt = workLeft / capacity;
        busy += dt;
        workTime += dt;
        slotSeconds += dt * slots;
        workLeft = 0;
        now += dt;
      }
      done += size;
      finish(now);
    }
    return new Second(done, busy);
  }

  private void start(double s, double queued) {
    running = true;
    size = maxRecords > 0 ? Math.min(queued, maxRecords) : queued;
    startedAt = s;
    overheadLeft = overhead;
    workLeft = size;
    workTime = 0;
    slotSeconds = 0;
    nextStart = interval > 0 ? nextSlot(s) : s;
  }

  private void finish(double now) {
    running = false;
    double sinceLast = Double.isNaN(previousStart) ? 0 : startedAt - previousStart;
    completed.add(
        new BatchProgress(
            nextId++,
            startedAt,
            now - startedAt,
            workTime,
            Math.round(size),
            sinceLast > 0 ? size / sinceLast : 0,
            slotSeconds));
    previousStart = startedAt;
    nextStart = Math.max(nextStart, now);
  }
}
