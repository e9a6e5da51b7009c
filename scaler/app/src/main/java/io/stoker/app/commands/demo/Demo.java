package io.stoker.app.commands.demo;

import io.stoker.adapters.kafka.KafkaLagAdapter;
import io.stoker.adapters.kafka.KafkaLagConfig;
import io.stoker.adapters.spi.AdapterContext;
import io.stoker.adapters.spi.Reading;
import io.stoker.adapters.spi.SignalConfig;
import io.stoker.app.decide.Decider;
import io.stoker.app.k8s.model.ExecutorAutoscalerSpec;
import io.stoker.app.signals.AdapterSignalCollector;
import io.stoker.app.signals.SignalCollector;
import io.stoker.app.signals.SignalRequest;
import io.stoker.app.signals.Signals;
import io.stoker.app.spec.ParsedSpec;
import io.stoker.app.spec.SpecParser;
import io.stoker.core.model.Decision;
import io.stoker.core.model.ScalingOptions;
import io.stoker.core.policy.Recommender;
import io.stoker.kafka.broker.KafkaBroker;
import io.stoker.sim.InputException;
import io.stoker.sim.Trace;
import io.stoker.sim.Workloads;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * {@code stoker demo}: Stoker's main job on an embedded default. A real Kafka broker in this JVM, a
 * producer replaying one of the simulator's workloads compressed in time, and two fleets of
 * consumer executors reading the same records in two consumer groups: one sized live by the
 * controller's own decision path (the Kafka lag adapter → {@link Decider} → the pure {@link
 * Recommender} → an in-process actuator), one fixed at the workload's peak.
 *
 * <p>Time runs one to one; the controller's time constants are scaled by {@code tick / 10 s} (its
 * default tick): signals count as stale after 6 ticks, rates are smoothed over one tick, freed
 * capacity stays warm for 60 ticks, bursts are remembered for 360.
 */
public final class Demo implements AutoCloseable {
  static final String TOPIC = "events";
  static final String STOKER_GROUP = "stoker-fleet";
  static final String FIXED_GROUP = "fixed-fleet";
  private static final String STOKER_KEY = "demo/stoker-fleet";
  private static final String FIXED_KEY = "demo/fixed-fleet";

  private final DemoSettings settings;
  private final Clock clock = Clock.systemUTC();
  private final ScheduledExecutorService background = scheduler("stoker-demo-background", 2);
  private final ScheduledExecutorService ticker = scheduler("stoker-demo-tick", 1);
  private KafkaBroker broker;
  private SignalCollector collector;
  private DemoProducer producer;
  private Fleet stoker;
  private Fleet fixed;
  private boolean closed;

  private Demo(DemoSettings settings) {
    this.settings = settings;
  }

  /**
   * Runs the demo to the end and tears everything down (also when it fails or is interrupted).
   *
   * @param onTick called after each decision, on the tick thread
   * @param onInfo progress messages (broker started, fleets ready)
   * @throws InputException if the settings or the workload name are invalid (nothing started)
   */
  public static DemoResult run(
      DemoSettings settings, Consumer<DemoResult.Tick> onTick, Consumer<String> onInfo)
      throws InputException, IOException, InterruptedException {
    List<String> errors = settings.validate();
    if (!errors.isEmpty()) {
      throw new InputException(String.join("; ", errors));
    }
    Trace trace = Workloads.generate(settings.workload(), settings.seed());
    Map<String, ch.qos.logback.classic.Level> levels = quietKafkaLogs();
    try (Demo demo = new Demo(settings)) {
      Thread hook = new Thread(demo::close, "stoker-demo-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      try {
        return demo.execute(trace, onTick, onInfo);
      } finally {
        removeHook(hook);
      }
    } finally {
      levels.forEach((name, level) -> logback(name).ifPresent(l -> l.setLevel(level)));
    }
  }

  /**
   * The broker's and the demo clients' own logs say nothing a demo user can act on (members fenced
   * while the group rebalances, commits retried): keep them out of the demo's output. Returns the
   * levels to restore.
   */
  private static Map<String, ch.qos.logback.classic.Level> quietKafkaLogs() {
    Map<String, ch.qos.logback.classic.Level> before = new LinkedHashMap<>();
    for (String name : List.of("org.apache.kafka", "kafka")) {
      logback(name)
          .ifPresent(
              l -> {
                before.put(name, l.getLevel());
                l.setLevel(ch.qos.logback.classic.Level.OFF);
              });
    }
    return before;
  }

  private static Optional<ch.qos.logback.classic.Logger> logback(String name) {
    return org.slf4j.LoggerFactory.getLogger(name) instanceof ch.qos.logback.classic.Logger l
        ? Optional.of(l)
        : Optional.empty();
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // The JVM is already shutting down: the hook closes the demo.
    }
  }

  private DemoResult execute(Trace trace, Consumer<DemoResult.Tick> onTick, Consumer<String> onInfo)
      throws IOException, InterruptedException {
    double compression = trace.durationSeconds() / (settings.duration().toMillis() / 1000.0);
    double scale = settings.peakRate() / trace.peakRate();
    int fixedSize = (int) Math.ceil(settings.peakRate() / settings.executorRate() - 1e-9);

    long started = System.nanoTime();
    broker = KafkaBroker.start();
    onInfo.accept("Kafka broker (KRaft, in this JVM) on " + broker.bootstrap() + since(started));
    broker.createTopic(TOPIC, settings.partitions());
    collector = new AdapterSignalCollector(new AdapterContext(clock));
    ParsedSpec spec = spec(broker.bootstrap(), settings);
    ScalingOptions options = compressed(spec.options(), settings);

    stoker = fleet(STOKER_GROUP, 1);
    fixed = fleet(FIXED_GROUP, 2);
    stoker.apply(2);
    fixed.apply(fixedSize);
    awaitReady(Map.of(stoker, 2, fixed, fixedSize));
    onInfo.accept(
        "executors ready: Stoker's fleet 2, fixed fleet "
            + fixedSize
            + "; producing '"
            + trace.name()
            + "' ("
            + trace.durationSeconds()
            + " s compressed "
            + String.format(java.util.Locale.ROOT, "%.0f", compression)
            + "x into "
            + settings.duration().toSeconds()
            + " s)"
            + since(started));

    producer =
        new DemoProducer(
            broker.bootstrap(),
            TOPIC,
            settings.partitions(),
            t -> trace.rateAt(t * compression) * scale,
            settings.duration());
    Loop loop = new Loop(spec, options, trace, compression, scale, onTick);
    double stokerBefore = stoker.executorSeconds();
    double fixedBefore = fixed.executorSeconds();
    producer.start(background);
    loop.start();
    List<DemoResult.Tick> ticks = loop.awaitEnd();
    return new DemoResult(
        settings,
        compression,
        fixedSize,
        ticks,
        summary("stoker", ticks, stoker.executorSeconds() - stokerBefore, true),
        summary("static", ticks, fixed.executorSeconds() - fixedBefore, false));
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  private static String since(long startNanos) {
    return String.format(
        java.util.Locale.ROOT, " [%.1f s]", (System.nanoTime() - startNanos) / 1e9);
  }

  /** The autoscaler a user would write for this fleet, parsed by the controller's own parser. */
  static ParsedSpec spec(String bootstrap, DemoSettings s) {
    ExecutorAutoscalerSpec spec = new ExecutorAutoscalerSpec();
    spec.target =
        ExecutorAutoscalerSpec.Target.scaled("demo.stoker.io/v1", "ExecutorFleet", STOKER_GROUP);
    spec.actuation = ExecutorAutoscalerSpec.Actuation.Scale;
    spec.minExecutors = 1;
    spec.maxExecutors = s.partitions();
    spec.executorCores = 1;
    spec.objective = new ExecutorAutoscalerSpec.Objective();
    spec.objective.targetLatency = s.targetLatency().toMillis() + "ms";
    spec.signals = new ExecutorAutoscalerSpec.Signals();
    spec.signals.kafka = new ExecutorAutoscalerSpec.KafkaSignal();
    spec.signals.kafka.bootstrapServers = bootstrap;
    spec.signals.kafka.consumerGroup = STOKER_GROUP;
    spec.signals.kafka.topics = List.of(TOPIC);
    spec.signals.kafka.offsetResetPolicy = ExecutorAutoscalerSpec.OffsetResetPolicy.earliest;
    SpecParser.Result r = SpecParser.parse(spec);
    if (!r.valid()) {
      throw new IllegalStateException("the demo's autoscaler is invalid: " + r.errors());
    }
    ParsedSpec p = r.spec().orElseThrow();
    // Rates smoothed over one tick: the demo's executors report their busy fraction per tick
    // (below), and the core divides the processing rate by it, so both cover the same interval.
    KafkaLagConfig kafka = p.signal(KafkaLagConfig.class).orElseThrow();
    List<SignalConfig> signals = List.of(kafka.withRateTimeConstant(s.tick()));
    return new ParsedSpec(
        p.target(),
        p.actuation(),
        p.options(),
        p.executorCores(),
        signals,
        p.kafkaSecret(),
        p.capacity());
  }

  /** The controller's time constants scaled by tick / 10 s; the start-up estimate as set. */
  static ScalingOptions compressed(ScalingOptions o, DemoSettings s) {
    Duration tick = s.tick();
    return o.toBuilder()
        .executorStartup(s.executorStartup())
        .maxSignalAge(tick.multipliedBy(6))
        .burstMemory(tick.multipliedBy(360))
        .capacityRetention(tick.multipliedBy(60))
        .ineffectiveHold(tick.multipliedBy(60))
        .rateSettleTime(tick.multipliedBy(6))
        .build();
  }

  private Fleet fleet(String group, long salt) {
    return new Fleet(
        group,
        broker.bootstrap(),
        TOPIC,
        settings.executorRate(),
        settings.executorStartup(),
        background,
        clock,
        settings.seed() * 31 + salt);
  }

  /** Waits (on the background scheduler, not by sleeping) until each fleet runs its executors. */
  private void awaitReady(Map<Fleet, Integer> wanted) throws IOException, InterruptedException {
    CompletableFuture<Void> ready = new CompletableFuture<>();
    ScheduledFuture<?> check =
        background.scheduleAtFixedRate(
            () -> {
              if (wanted.entrySet().stream()
                  .allMatch(e -> e.getKey().count().ready() >= e.getValue())) {
                ready.complete(null);
              }
            },
            0,
            50,
            TimeUnit.MILLISECONDS);
    try {
      ready.get(60, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IOException("executors did not join the consumer group within 60 s", e);
    } finally {
      check.cancel(false);
    }
  }

  /** The tick loop: collect → decide → realise, then measure, once per tick. */
  private final class Loop {
    private final ParsedSpec spec;
    private final ScalingOptions options;
    private final Consumer<DemoResult.Tick> onTick;
    private final Decider decider = new Decider();
    private final List<DemoResult.Tick> ticks = new ArrayList<>();
    private final CompletableFuture<List<DemoResult.Tick>> done = new CompletableFuture<>();
    private final java.util.function.DoubleUnaryOperator rate;
    private final List<SignalConfig> fixedSignals;
    private long startNanos;
    private volatile ScheduledFuture<?> task;
    private long lastTickNanos;
    private long lastBusyNanos;

    Loop(
        ParsedSpec spec,
        ScalingOptions options,
        Trace trace,
        double compression,
        double scale,
        Consumer<DemoResult.Tick> onTick) {
      this.spec = spec;
      this.options = options;
      this.onTick = onTick;
      this.rate = t -> trace.rateAt(t * compression) * scale;
      // The fixed fleet's lag, read by the same adapter for its own group.
      this.fixedSignals =
          List.of(spec.signal(KafkaLagConfig.class).orElseThrow().withConsumerGroup(FIXED_GROUP));
    }

    void start() {
      startNanos = System.nanoTime();
      lastTickNanos = startNanos;
      lastBusyNanos = stoker.meter().busyNanos();
      schedule(1);
    }

    /**
     * Runs tick {@code n} at its time; a tick that overran its period skips the ticks it missed
     * instead of running them back to back.
     */
    private void schedule(long n) {
      long period = settings.tick().toNanos();
      long next = n;
      long now = System.nanoTime();
      while (startNanos + next * period < now) {
        next++;
      }
      long due = startNanos + next * period;
      long following = next + 1;
      task =
          ticker.schedule(
              () -> {
                if (tickSafely()) {
                  schedule(following);
                }
              },
              due - now,
              TimeUnit.NANOSECONDS);
    }

    List<DemoResult.Tick> awaitEnd() throws IOException, InterruptedException {
      try {
        return done.get();
      } catch (ExecutionException e) {
        throw new IOException("the demo failed: " + e.getCause(), e.getCause());
      } finally {
        task.cancel(false);
      }
    }

    /** Runs one tick; false when the loop is over. */
    private boolean tickSafely() {
      try {
        return tick();
      } catch (RuntimeException | InterruptedException e) {
        done.completeExceptionally(e);
        return false;
      }
    }

    private boolean tick() throws InterruptedException {
      long now = System.nanoTime();
      double t = (now - startNanos) / 1e9;
      // Most of a tick, but at least 3 s: a busy machine answers slowly, and a late tick skips
      // the ticks it overran rather than piling them up.
      Duration deadline = max(settings.tick().multipliedBy(8).dividedBy(10), Duration.ofSeconds(3));
      CompletableFuture<Signals> stokerRead = collect(STOKER_KEY, spec.signals(), deadline);
      CompletableFuture<Signals> fixedRead = collect(FIXED_KEY, fixedSignals, deadline);
      Fleet.Count count = stoker.count();
      Signals signals = withBusyFraction(join(stokerRead), count.ready(), now);
      Decider.Fleet view =
          new Decider.Fleet(count.ready(), count.pending(), 1, OptionalInt.empty());
      Recommender.Evaluation e = decider.decide(signals, view, options, clock.instant());
      Decision d = e.decision();
      stoker.apply(d.target());
      Signals fixedSignalsRead = join(fixedRead);
      long nowNanos = System.nanoTime();
      DemoResult.Tick tick =
          new DemoResult.Tick(
              t,
              rate.applyAsDouble(Math.min(t, settings.duration().toMillis() / 1000.0)),
              signals.backlog().orElse(-1),
              count.ready(),
              count.pending(),
              d.from(),
              d.target(),
              d.reason(),
              String.join("; ", signals.errors().values()),
              latency(stoker, nowNanos),
              fixedSignalsRead.backlog().orElse(-1),
              fixed.count().ready(),
              latency(fixed, nowNanos));
      ticks.add(tick);
      onTick.accept(tick);
      if (t + settings.tick().toMillis() / 1000.0
          > settings.duration().toMillis() / 1000.0 + 1e-6) {
        done.complete(List.copyOf(ticks));
        return false;
      }
      return true;
    }

    /**
     * Adds what a Spark driver's metrics tell the controller in production (the Spark adapter's
     * busy fraction, active tasks over task slots): here the share of the last tick the running
     * executors spent processing. It lets the core learn one executor's rate at any load.
     */
    private Signals withBusyFraction(Signals read, int ready, long nowNanos) {
      long busy = stoker.meter().busyNanos();
      long busyDelta = busy - lastBusyNanos;
      long elapsed = nowNanos - lastTickNanos;
      lastBusyNanos = busy;
      lastTickNanos = nowNanos;
      if (ready == 0 || elapsed <= 0) {
        return read;
      }
      double fraction = Math.min(1.0, (double) busyDelta / ((double) elapsed * ready));
      List<Reading> readings = new ArrayList<>(read.readings());
      readings.add(Reading.empty("executors", clock.instant()).withBusyFraction(fraction));
      return new Signals(readings, read.errors());
    }

    private Signals join(CompletableFuture<Signals> read) throws InterruptedException {
      try {
        return read.get();
      } catch (ExecutionException e) {
        // The collector never fails (a failing source is an error entry); guard anyway.
        return new Signals(List.of(), Map.of(KafkaLagAdapter.TYPE, String.valueOf(e.getCause())));
      }
    }

    private CompletableFuture<Signals> collect(
        String key, List<SignalConfig> signals, Duration deadline) {
      return collector.collect(
          new SignalRequest(key, signals, Optional.empty(), Map.of()), deadline);
    }

    /**
     * The older of: the oldest record processed this tick, and the oldest record not yet processed
     * (first in, first out over every partition, as the simulator measures it).
     */
    private double latency(Fleet f, long nowNanos) {
      double processed = f.meter().takeMaxLatencyMillis() / 1000.0;
      double waiting = producer.oldestUnprocessedAge(f.meter().processed(), nowNanos);
      return Math.max(processed, waiting);
    }
  }

  private DemoResult.Summary summary(
      String name, List<DemoResult.Tick> ticks, double executorSeconds, boolean autoscaled) {
    double tick = settings.tick().toMillis() / 1000.0;
    double objective = settings.targetLatency().toMillis() / 1000.0;
    double violation = 0;
    double maxLatency = 0;
    long maxLag = 0;
    int peak = 0;
    int actions = 0;
    for (DemoResult.Tick t : ticks) {
      double latency = autoscaled ? t.latency() : t.fixedLatency();
      long lag = autoscaled ? t.lag() : t.fixedLag();
      violation += latency > objective ? tick : 0;
      maxLatency = Math.max(maxLatency, latency);
      maxLag = Math.max(maxLag, lag);
      peak = Math.max(peak, autoscaled ? t.ready() + t.pending() : t.fixedExecutors());
      actions += autoscaled && t.target() != t.from() ? 1 : 0;
    }
    long finalLag = -1;
    for (DemoResult.Tick t : ticks) {
      long lag = autoscaled ? t.lag() : t.fixedLag();
      finalLag = lag >= 0 ? lag : finalLag;
    }
    return new DemoResult.Summary(
        name, executorSeconds, violation, maxLatency, maxLag, finalLag, peak, actions);
  }

  /** Stops everything this demo started, newest first; safe to call twice and from a hook. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    ticker.shutdownNow();
    if (producer != null) {
      producer.close();
    }
    closeFleet(stoker);
    closeFleet(fixed);
    background.shutdownNow();
    if (collector != null) {
      collector.close();
    }
    if (broker != null) {
      broker.close();
    }
    try {
      ticker.awaitTermination(10, TimeUnit.SECONDS);
      background.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void closeFleet(Fleet f) {
    if (f == null) {
      return;
    }
    f.close();
  }

  private static ScheduledExecutorService scheduler(String name, int threads) {
    AtomicInteger n = new AtomicInteger();
    ThreadFactory f =
        r -> {
          Thread t = new Thread(r, name + "-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        };
    return Executors.newScheduledThreadPool(threads, f);
  }
}
