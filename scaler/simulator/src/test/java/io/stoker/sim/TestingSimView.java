package io.stoker.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * A hand-driven {@link SimView} for policy tests: the test sets what the policy sees each second.
 * Arrivals are kept per second so {@link #arrivedBy(int)} answers like the simulator's view.
 */
final class TestingSimView implements SimView {
  private final Scenario scenario;
  private final double[] arrivedAt = new double[100_000];
  private int second;
  private double processed;
  private int target;
  private int ready;
  private int pending;
  private int unschedulable;
  private int placeholders;
  private int idleSince = Integer.MAX_VALUE;
  private boolean behind;
  private double rate;
  private final List<BatchProgress> batches = new ArrayList<>();

  TestingSimView(Scenario scenario) {
    this.scenario = scenario;
  }

  TestingSimView at(int s) {
    for (int i = second + 1; i <= s; i++) {
      arrivedAt[i] = arrivedAt[second];
    }
    this.second = s;
    return this;
  }

  /** Adds records that arrived during the last second (before {@link #second()}). */
  TestingSimView arrivedLastSecond(double records) {
    arrivedAt[second] += records;
    return this;
  }

  /** Sets the backlog by moving the processed counter. */
  TestingSimView backlog(double records) {
    this.processed = arrivedAt[second] - records;
    return this;
  }

  TestingSimView target(int n) {
    this.target = n;
    return this;
  }

  TestingSimView ready(int n) {
    this.ready = n;
    return this;
  }

  TestingSimView pending(int n) {
    this.pending = n;
    return this;
  }

  /** Of the pending executors, {@code n} wait for a node. */
  TestingSimView unschedulable(int n) {
    this.unschedulable = n;
    return this;
  }

  TestingSimView placeholders(int n) {
    this.placeholders = n;
    return this;
  }

  /** Every ready executor ran its last task at second {@code s}. */
  TestingSimView idleSince(int s) {
    this.idleSince = s;
    return this;
  }

  TestingSimView busy() {
    this.idleSince = Integer.MAX_VALUE;
    return this;
  }

  TestingSimView behind(boolean b) {
    this.behind = b;
    return this;
  }

  TestingSimView rate(double r) {
    this.rate = r;
    return this;
  }

  @Override
  public int second() {
    return second;
  }

  @Override
  public Scenario scenario() {
    return scenario;
  }

  @Override
  public double arrivedRecords() {
    return arrivedAt[second];
  }

  @Override
  public double processedRecords() {
    return processed;
  }

  @Override
  public double backlogRecords() {
    return arrivedAt[second] - processed;
  }

  @Override
  public int target() {
    return target;
  }

  @Override
  public int readyExecutors() {
    return ready;
  }

  @Override
  public int pendingExecutors() {
    return pending;
  }

  @Override
  public int unschedulableExecutors() {
    return unschedulable;
  }

  @Override
  public int placeholders() {
    return placeholders;
  }

  @Override
  public int readyIdleFor(double seconds) {
    return idleSince != Integer.MAX_VALUE && second - idleSince >= seconds ? ready : 0;
  }

  @Override
  public double busyFraction(int span) {
    return 0;
  }

  @Override
  public boolean behind() {
    return behind;
  }

  private boolean tasks;

  TestingSimView batchRunningTasks(boolean running) {
    this.tasks = running;
    return this;
  }

  @Override
  public boolean batchRunningTasks() {
    return tasks;
  }

  /** A micro-batch that completed, as Spark reports it. */
  TestingSimView batch(double start, double duration, long rows) {
    batches.add(new BatchProgress(batches.size(), start, duration, duration, rows, 0));
    return this;
  }

  @Override
  public List<BatchProgress> batchesEndedSince(double since) {
    List<BatchProgress> out = new ArrayList<>();
    for (BatchProgress b : batches) {
      if (b.endSecond() >= since && b.endSecond() <= second) {
        out.add(b);
      }
    }
    return out;
  }

  @Override
  public double trueArrivalRate() {
    return rate;
  }

  @Override
  public double arrivedBy(int s) {
    return arrivedAt[Math.max(0, Math.min(s, second))];
  }

  @Override
  public double processedBy(int s) {
    return processed;
  }
}
