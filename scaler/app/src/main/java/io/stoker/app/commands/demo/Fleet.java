package io.stoker.app.commands.demo;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The in-process actuator: a fleet of {@link Executor}s in one consumer group, sized by {@link
 * #apply(int)} like a /scale subresource. New executors start after a start-up delay (base ± a
 * quarter, seeded), as pods do; a smaller target cancels starting executors first, then stops the
 * newest running ones, each after its current batch.
 */
final class Fleet implements AutoCloseable {
  private final String group;
  private final String bootstrap;
  private final String topic;
  private final double executorRate;
  private final Duration startup;
  private final ScheduledExecutorService scheduler;
  private final Clock clock;
  private final Random random;
  private final GroupMeter meter = new GroupMeter();
  private final List<Executor> live = new ArrayList<>();
  private final List<Executor> all = new ArrayList<>();
  private int started;

  /** What the fleet looks like now. */
  record Count(int ready, int pending) {
    int total() {
      return ready + pending;
    }
  }

  Fleet(
      String group,
      String bootstrap,
      String topic,
      double executorRate,
      Duration startup,
      ScheduledExecutorService scheduler,
      Clock clock,
      long seed) {
    this.group = group;
    this.bootstrap = bootstrap;
    this.topic = topic;
    this.executorRate = executorRate;
    this.startup = startup;
    this.scheduler = scheduler;
    this.clock = clock;
    this.random = new Random(seed);
  }

  String group() {
    return group;
  }

  GroupMeter meter() {
    return meter;
  }

  /**
   * Makes the fleet {@code desired} executors strong; idempotent (call it every tick). Executors
   * that died on their own are replaced. Returns true if it started or stopped any.
   */
  synchronized boolean apply(int desired) {
    live.removeIf(e -> e.phase() == Executor.Phase.STOPPED);
    boolean changed = false;
    while (live.size() < desired) {
      Executor e =
          new Executor(
              group + "-" + (++started), bootstrap, group, topic, executorRate, meter, clock);
      live.add(e);
      all.add(e);
      long delay = Math.round(startup.toMillis() * (0.75 + 0.5 * random.nextDouble()));
      scheduler.schedule(e::start, delay, TimeUnit.MILLISECONDS);
      changed = true;
    }
    while (live.size() > desired) {
      Executor victim = newest(Executor.Phase.STARTING);
      if (victim == null) {
        victim = live.get(live.size() - 1);
      }
      live.remove(victim);
      victim.stop();
      changed = true;
    }
    return changed;
  }

  private Executor newest(Executor.Phase phase) {
    for (int i = live.size() - 1; i >= 0; i--) {
      if (live.get(i).phase() == phase) {
        return live.get(i);
      }
    }
    return null;
  }

  /** Executors running (ready) and asked for but not running yet (pending). */
  synchronized Count count() {
    int ready = 0;
    int pending = 0;
    for (Executor e : live) {
      if (e.phase() == Executor.Phase.READY) {
        ready++;
      } else if (e.phase() == Executor.Phase.STARTING) {
        pending++;
      }
    }
    return new Count(ready, pending);
  }

  /** Executor-seconds billed so far: each executor from its request until it stopped. */
  synchronized double executorSeconds() {
    long now = System.nanoTime();
    double sum = 0;
    for (Executor e : all) {
      sum += e.billedSeconds(now);
    }
    return sum;
  }

  /** Stops every executor and waits for them to leave the group. */
  @Override
  public void close() {
    List<Executor> everyone;
    synchronized (this) {
      everyone = new ArrayList<>(all);
      live.clear();
    }
    everyone.forEach(Executor::stop);
    try {
      for (Executor e : everyone) {
        e.awaitStopped(Duration.ofSeconds(30));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
