package io.stoker.app.controller;

import io.stoker.app.k8s.ClusterView;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tick loop: every {@code tick}, one reconcile per autoscaler in the cache, serialised per key
 * (a key whose previous reconcile still runs or waits is skipped this tick, never queued twice).
 * Runs on one Vert.x context; {@link #stop()} cancels the timer and waits for running reconciles.
 *
 * <p>At most {@code maxConcurrent} reconciles are in flight; the others of a tick wait in a queue,
 * and each starts in an event-loop task of its own when one ends. A tick of thousands of
 * autoscalers therefore never holds the event loop for more than one reconcile's synchronous part,
 * and no signal request waits in a connection pool's queue while its deadline runs: without the
 * bound, 2,000 autoscalers started in one task held the loop for 5.8 s and 1,719 Spark driver
 * requests timed out in their pools' queues (docs/reliability.md, "Many autoscalers").
 */
public final class Controller {
  private static final Logger LOG = LoggerFactory.getLogger(Controller.class);

  private final Context context;
  private final ClusterView view;
  private final Reconciler reconciler;
  private final Duration tick;
  private final Clock clock;
  private final int maxConcurrent;
  private final Set<String> running = ConcurrentHashMap.newKeySet();
  private final Queue<Waiting> waiting = new ConcurrentLinkedQueue<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicLong skipped = new AtomicLong();
  private final AtomicReference<Instant> lastTick = new AtomicReference<>();
  private volatile long timer = -1;
  private volatile boolean stopping;

  /** A reconcile of this tick that has not started yet. */
  private record Waiting(String key, Promise<Void> done) {}

  public Controller(
      Context context,
      ClusterView view,
      Reconciler reconciler,
      Duration tick,
      int maxConcurrent,
      Clock clock) {
    if (maxConcurrent < 1) {
      throw new IllegalArgumentException("maxConcurrent must be at least 1: " + maxConcurrent);
    }
    this.context = context;
    this.view = view;
    this.reconciler = reconciler;
    this.tick = tick;
    this.maxConcurrent = maxConcurrent;
    this.clock = clock;
  }

  /** Starts ticking (the first tick runs at once). */
  public void start() {
    context.runOnContext(
        v -> {
          tickNow();
          timer = context.owner().setPeriodic(tick.toMillis(), id -> tickNow());
        });
  }

  /**
   * One tick: queues a reconcile of every cached autoscaler not already being reconciled or
   * waiting, and starts as many as the bound allows; completes when this tick's reconciles are
   * done.
   */
  public Future<Void> tickNow() {
    lastTick.set(clock.instant());
    if (stopping) {
      return Future.succeededFuture();
    }
    List<String> keys = view.autoscalerKeys();
    Set<String> present = new HashSet<>(keys);
    for (String known : Set.copyOf(reconciler.knownKeys())) {
      if (!present.contains(known) && !running.contains(known)) {
        reconciler.forget(known);
      }
    }
    reconciler.sweepSecrets();
    reconciler.claimTargets(keys);
    List<Future<Void>> all = new java.util.ArrayList<>();
    for (String key : keys) {
      if (!running.add(key)) {
        skipped.incrementAndGet();
        continue;
      }
      Promise<Void> done = Promise.promise();
      waiting.add(new Waiting(key, done));
      all.add(done.future());
    }
    startWaiting();
    return Future.join(all).mapEmpty();
  }

  /** Starts waiting reconciles while fewer than the bound are in flight, each in its own task. */
  private void startWaiting() {
    while (inFlight.get() < maxConcurrent) {
      if (inFlight.incrementAndGet() > maxConcurrent) {
        inFlight.decrementAndGet();
        return;
      }
      Waiting w = waiting.poll();
      if (w == null) {
        inFlight.decrementAndGet();
        return;
      }
      context.runOnContext(v -> run(w));
    }
  }

  private void run(Waiting w) {
    Future<Void> reconcile = stopping ? Future.succeededFuture() : reconciler.reconcile(w.key());
    reconcile.onComplete(
        x -> {
          running.remove(w.key());
          inFlight.decrementAndGet();
          w.done().complete();
          startWaiting();
        });
  }

  /**
   * Runs one tick on the loop's context (the scale benchmark times it); completes when its
   * reconciles are done.
   */
  Future<Void> tickOnContext() {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> tickNow().onComplete(done));
    return done.future();
  }

  /** Reconciles running or waiting for their turn now. */
  int running() {
    return running.size();
  }

  /** True while the loop ticks on time (for {@code /healthz}). */
  public boolean live() {
    Instant last = lastTick.get();
    return last == null || !clock.instant().isAfter(last.plus(tick.multipliedBy(3)));
  }

  /** Reconciles skipped because the previous one of the same key still ran. */
  public long skipped() {
    return skipped.get();
  }

  /** Stops the timer and completes when running reconciles have finished. */
  public Future<Void> stop() {
    stopping = true;
    Promise<Void> done = Promise.promise();
    context.runOnContext(
        v -> {
          if (timer >= 0) {
            context.owner().cancelTimer(timer);
          }
          drain(done);
        });
    return done.future();
  }

  private void drain(Promise<Void> done) {
    if (running.isEmpty()) {
      LOG.info("controller stopped");
      done.complete();
    } else {
      context.owner().setTimer(20, id -> drain(done));
    }
  }
}
