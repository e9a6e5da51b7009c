package io.stoker.app.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.client.CollectorRegistry;
import io.stoker.app.capacity.CapacityPlan;
import io.stoker.app.capacity.ExecutorPlacement;
import io.stoker.app.controller.ports.EventSink;
import io.stoker.app.controller.ports.TestingCluster;
import io.stoker.app.controller.ports.TestingEventSink;
import io.stoker.app.controller.ports.TestingScalingRealizer;
import io.stoker.app.controller.ports.TestingTargetLookup;
import io.stoker.app.k8s.ResolvedTarget;
import io.stoker.app.k8s.model.ExecutorAutoscalerSpec;
import io.stoker.app.k8s.model.ExecutorAutoscalerStatus;
import io.stoker.app.metrics.MetricNames;
import io.stoker.app.metrics.OperatorMetrics;
import io.stoker.app.signals.TestingSignalCollector;
import io.stoker.app.spec.SpecParser;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The reconcile's rules on an in-memory cluster ({@link TestingCluster}): what is written, what is
 * announced and what is held back, tick by tick, with no API server. The same rules on the fabric8
 * mock server are in {@code ControllerTest}, {@code WriteSafetyTest} and {@code
 * TargetConflictTest}; these run in milliseconds and can drive one tick at a time.
 */
class ReconcilerTest {
  private static final String NS = "jobs";
  private static final Duration TICK = Duration.ofSeconds(10);

  private static Vertx vertx;

  private final TestingClock clock = new TestingClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final TestingSignalCollector signals = new TestingSignalCollector(clock);
  private final TestingCluster cluster = new TestingCluster();
  private final CollectorRegistry registry = new CollectorRegistry();
  private Context context;
  private Reconciler reconciler;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void closeVertx() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @BeforeEach
  void setUp() {
    context = vertx.getOrCreateContext();
    reconciler =
        new Reconciler(
            context,
            cluster.ports(),
            signals,
            new OperatorMetrics(registry, false),
            clock,
            Duration.ofSeconds(5),
            Duration.ofSeconds(30));
  }

  /** An autoscaler on the driver {@code <name>-driver} with a Kafka signal, as users write one. */
  private static ExecutorAutoscalerSpec spec(String app) {
    ExecutorAutoscalerSpec s = Fixtures.spec(app);
    s.minExecutors = 1;
    s.maxExecutors = 20;
    return s;
  }

  /**
   * Creates autoscaler {@code name} whose driver runs {@code ready} executors at target {@code in}.
   */
  private String autoscaler(String name, ExecutorAutoscalerSpec s, int ready, OptionalInt in) {
    cluster.autoscalers.put(NS, name, s);
    cluster.targets.found(
        NS,
        SpecParser.parse(s).spec().orElseThrow().target(),
        TestingTargetLookup.driver(
            NS, s.target.driverSelector.matchLabels.get("app") + "-driver", ready, in));
    return NS + "/" + name;
  }

  /**
   * One tick of the controller: claims, then each autoscaler's reconcile, on the Vert.x context.
   */
  private void tick() throws Exception {
    CompletableFuture<Void> done = new CompletableFuture<>();
    context.runOnContext(
        v -> {
          List<String> keys = cluster.autoscalers.keys();
          java.util.Set<String> all = new java.util.TreeSet<>(keys);
          all.addAll(reconciler.knownKeys()); // deleted ones are reconciled once, to forget them
          reconciler.sweepSecrets();
          reconciler.claimTargets(keys);
          io.vertx.core.Future<Void> chain = io.vertx.core.Future.succeededFuture();
          for (String key : all) {
            chain = chain.compose(x -> reconciler.reconcile(key));
          }
          chain.onComplete(r -> done.complete(null));
        });
    done.get(10, TimeUnit.SECONDS);
    clock.advance(TICK);
  }

  private ExecutorAutoscalerStatus status(String key) {
    return cluster.autoscalers.status(key);
  }

  private Integer desired(String key) {
    ExecutorAutoscalerStatus s = status(key);
    return s == null ? null : s.desiredExecutors;
  }

  private Optional<ExecutorAutoscalerStatus.Condition> condition(String key, String type) {
    ExecutorAutoscalerStatus s = status(key);
    return s == null ? Optional.empty() : Conditions.find(s.conditions, type);
  }

  private double actuationErrors(String key, String kind) {
    Double v =
        registry.getSampleValue(
            MetricNames.ACTUATION_ERRORS_TOTAL,
            new String[] {"namespace", "autoscaler", "kind"},
            new String[] {NS, key.substring(key.indexOf('/') + 1), kind});
    return v == null ? 0 : v;
  }

  @Test
  void aNewTargetIsWrittenOnceAnnouncedOnceAndNotWrittenAgainWhileItHolds() throws Exception {
    String key = autoscaler("clicks", spec("clicks"), 2, OptionalInt.of(2));
    signals.kafka(key, 120_000, 5_000, 2_000, 64);

    tick();

    List<TestingScalingRealizer.Write> writes = cluster.realizer.writes();
    assertThat(writes).hasSize(1);
    int target = writes.get(0).executors();
    assertThat(target).isGreaterThan(2);
    assertThat(writes.get(0).object()).isEqualTo("pod/clicks-driver");
    assertThat(status(key).desiredExecutors).isEqualTo(target);
    assertThat(cluster.events.on(key))
        .extracting(TestingEventSink.Event::reason)
        .containsExactly("ScaledUp");
    assertThat(cluster.events.on(key).get(0).message()).startsWith("target 2 -> " + target + ":");

    // The signal goes missing: the target holds; the realizer is asked again (drift would be
    // corrected) but the object already carries it, so nothing is written and nothing announced.
    signals.fail(key, "Kafka lag: no answer within 5000 ms");
    tick();
    tick();

    assertThat(cluster.realizer.calls()).isEqualTo(3);
    assertThat(cluster.realizer.writes()).hasSize(1);
    assertThat(cluster.events.on(key)).hasSize(1);
    assertThat(status(key).desiredExecutors).isEqualTo(target);
  }

  @Test
  void aMissingSignalHoldsTheTargetInForceAndSaysWhyInTheStatus() throws Exception {
    String key = autoscaler("quiet", spec("quiet"), 4, OptionalInt.of(4));
    signals.fail(key, "Kafka lag: no answer within 5000 ms");

    tick();

    assertThat(cluster.realizer.writes()).isEmpty();
    assertThat(status(key).desiredExecutors).isEqualTo(4);
    ExecutorAutoscalerStatus.Condition c =
        condition(key, Conditions.METRICS_AVAILABLE).orElseThrow();
    assertThat(c.status).isEqualTo("False");
    assertThat(c.reason).isEqualTo("SIGNAL_MISSING");
    assertThat(c.message).contains("kafka: Kafka lag: no answer");
    assertThat(cluster.events.on(key)).isEmpty();
  }

  @Test
  void aRecommendOnlyAutoscalerDecidesAndAnnouncesButNeverRealises() throws Exception {
    ExecutorAutoscalerSpec s = spec("advice");
    s.actuation = ExecutorAutoscalerSpec.Actuation.None;
    String key = autoscaler("advice", s, 2, OptionalInt.empty());
    signals.kafka(key, 120_000, 5_000, 2_000, 64);

    tick();

    assertThat(cluster.realizer.calls()).isZero();
    assertThat(status(key).desiredExecutors).isGreaterThan(2);
    assertThat(cluster.events.on(key))
        .extracting(TestingEventSink.Event::reason)
        .containsExactly("Recommended");
    assertThat(condition(key, Conditions.SCALING_ACTIVE).orElseThrow().status).isEqualTo("False");
  }

  @Test
  void aStandbyDecidesButWritesNothingAndTheLeaderActsOnTheSameDecisions() throws Exception {
    String key = autoscaler("clicks", spec("clicks"), 2, OptionalInt.of(2));
    signals.kafka(key, 120_000, 5_000, 2_000, 64);
    cluster.leadership.lose();

    tick();

    assertThat(reconciler.lastDecision(key)).isPresent();
    assertThat(reconciler.lastDecision(key).get().target()).isGreaterThan(2);
    assertThat(cluster.realizer.writes()).isEmpty();
    assertThat(cluster.status.writes()).isEmpty();
    assertThat(cluster.events.on(key)).isEmpty();
    // a standby's refused writes are not errors
    assertThat(actuationErrors(key, "rate_limited")).isZero();
    assertThat(actuationErrors(key, "annotation")).isZero();

    cluster.leadership.win();
    tick();

    assertThat(cluster.realizer.writes()).hasSize(1);
    assertThat(status(key).desiredExecutors)
        .isEqualTo(cluster.realizer.writes().get(0).executors());
    assertThat(cluster.events.on(key))
        .extracting(TestingEventSink.Event::reason)
        .containsExactly("ScaledUp");
  }

  @Test
  void aRefusedWriteIsReportedCountedAndMadeOnTheNextTickThatMayWrite() throws Exception {
    String key = autoscaler("clicks", spec("clicks"), 2, OptionalInt.of(2));
    signals.kafka(key, 120_000, 5_000, 2_000, 64);
    cluster.leadership.refuse("annotation");

    tick();

    assertThat(cluster.realizer.writes()).isEmpty();
    assertThat(actuationErrors(key, "rate_limited")).isEqualTo(1);
    ExecutorAutoscalerStatus.Condition ready = condition(key, Conditions.READY).orElseThrow();
    assertThat(ready.status).isEqualTo("False");
    assertThat(ready.reason).isEqualTo("ActuationFailed");
    assertThat(ready.message).startsWith("rate_limited: annotation: write rate limit reached");

    cluster.leadership.admit("annotation");
    tick();

    assertThat(cluster.realizer.writes()).hasSize(1);
    assertThat(condition(key, Conditions.READY).orElseThrow().status).isEqualTo("True");
  }

  @Test
  void aStatusWriteThatFailsIsMadeOnTheNextTickEvenWhenNothingChanged() throws Exception {
    // A steady autoscaler: the signal is down, the target holds at 4, every tick builds the same
    // status. The failed write must not count as written, or it would never be written.
    String key = autoscaler("steady", spec("steady"), 4, OptionalInt.of(4));
    signals.fail(key, "Kafka lag: no answer within 5000 ms");
    cluster.status.failNext(1);

    tick();

    assertThat(status(key)).isNull();
    assertThat(actuationErrors(key, "status")).isEqualTo(1);

    tick();

    assertThat(status(key)).isNotNull();
    assertThat(status(key).desiredExecutors).isEqualTo(4);
    assertThat(condition(key, Conditions.METRICS_AVAILABLE).orElseThrow().status)
        .isEqualTo("False");
  }

  @Test
  void aScalingEventThatCouldNotBeRecordedIsRecordedOnTheNextTick() throws Exception {
    String key = autoscaler("clicks", spec("clicks"), 2, OptionalInt.of(2));
    signals.kafka(key, 120_000, 5_000, 2_000, 64);
    cluster.events.failNext(1);

    tick();

    assertThat(cluster.events.on(key)).isEmpty();
    int target = status(key).desiredExecutors;
    signals.fail(key, "Kafka lag: no answer within 5000 ms"); // the target holds

    tick();

    assertThat(cluster.events.on(key))
        .extracting(TestingEventSink.Event::reason)
        .containsExactly("ScaledUp");
    assertThat(cluster.events.on(key).get(0).message()).startsWith("target 2 -> " + target);
  }

  @Test
  void autoscalersOnOneTargetAreStoppedAndWarnedOnceWhileARecommendOnlyOneGoesOn()
      throws Exception {
    String a = autoscaler("a", spec("shared"), 2, OptionalInt.of(2));
    String b = autoscaler("b", spec("shared"), 2, OptionalInt.of(2));
    ExecutorAutoscalerSpec advice = spec("shared");
    advice.actuation = ExecutorAutoscalerSpec.Actuation.None;
    String c = autoscaler("c", advice, 2, OptionalInt.of(2));
    for (String key : List.of(a, b, c)) {
      signals.kafka(key, 120_000, 5_000, 2_000, 64);
    }

    tick();
    tick();

    assertThat(cluster.realizer.writes()).isEmpty();
    ExecutorAutoscalerStatus.Condition conflict =
        condition(a, Conditions.TARGET_CONFLICT).orElseThrow();
    assertThat(conflict.status).isEqualTo("True");
    assertThat(conflict.reason).isEqualTo("SharedTarget");
    assertThat(conflict.message).contains("pod/shared-driver is also the target of autoscaler b;");
    assertThat(condition(b, Conditions.TARGET_CONFLICT).orElseThrow().message)
        .contains("also the target of autoscaler a;");
    assertThat(cluster.events.on(a))
        .extracting(e -> e.type() + " " + e.reason())
        .containsExactly(EventSink.Type.Warning + " SharedTarget");
    assertThat(reconciler.lastDecision(a)).isEmpty();
    assertThat(status(c).desiredExecutors).isGreaterThan(2);
    assertThat(condition(c, Conditions.TARGET_CONFLICT).map(x -> x.status)).hasValue("False");
  }

  @Test
  void anInvalidSpecIsReportedOnceAndNothingIsActedOnWhileOthersKeepWorking() throws Exception {
    ExecutorAutoscalerSpec bad = spec("bad");
    bad.minExecutors = 5;
    bad.maxExecutors = 3;
    bad.behavior = new ExecutorAutoscalerSpec.Behavior();
    bad.behavior.scaleDown = new ExecutorAutoscalerSpec.StepBehavior();
    bad.behavior.scaleDown.stabilizationWindow = "five minutes";
    cluster.autoscalers.put(NS, "bad", bad);
    String badKey = NS + "/bad";
    String good = autoscaler("good", spec("good"), 2, OptionalInt.of(2));
    signals.kafka(badKey, 500_000, 50_000, 1_000, 64);
    signals.kafka(good, 120_000, 5_000, 2_000, 64);

    tick();
    tick();

    ExecutorAutoscalerStatus.Condition c = condition(badKey, Conditions.INVALID_SPEC).orElseThrow();
    assertThat(c.status).isEqualTo("True");
    assertThat(c.message)
        .contains("minExecutors (5) must be <= maxExecutors (3)")
        .contains("behavior.scaleDown.stabilizationWindow");
    assertThat(condition(badKey, Conditions.READY).orElseThrow().status).isEqualTo("False");
    assertThat(cluster.events.on(badKey))
        .extracting(TestingEventSink.Event::reason)
        .containsExactly("InvalidSpec");
    assertThat(signals.calls(badKey)).isZero();
    assertThat(cluster.realizer.writes())
        .extracting(TestingScalingRealizer.Write::key)
        .containsOnly(good);
  }

  @Test
  void scalesInOnlyAfterTheStabilizationWindow() throws Exception {
    ExecutorAutoscalerSpec s = spec("night");
    s.behavior = new ExecutorAutoscalerSpec.Behavior();
    s.behavior.scaleDown = new ExecutorAutoscalerSpec.StepBehavior();
    s.behavior.scaleDown.stabilizationWindow = "120s";
    // Its 8 executors: 1–5 on node-a, 6–8 on node-b (where nothing else runs).
    List<ResolvedTarget.Running.Executor> onNodes = new java.util.ArrayList<>();
    for (int i = 1; i <= 8; i++) {
      onNodes.add(
          new ResolvedTarget.Running.Executor(String.valueOf(i), i <= 5 ? "node-a" : "node-b"));
    }
    cluster.autoscalers.put(NS, "night", s);
    cluster.targets.found(
        NS,
        SpecParser.parse(s).spec().orElseThrow().target(),
        TestingTargetLookup.driver(
            NS,
            "night-driver",
            8,
            OptionalInt.empty(),
            new ResolvedTarget.Running(onNodes, Map.of("node-a", 5, "node-b", 3))));
    String key = NS + "/night";
    // Busy: a backlog and 8 executors processing 8000 records/s teach the executor rate.
    signals.kafka(key, 400_000, 8_000, 8_000, 64);
    for (int i = 0; i < 20 && (desired(key) == null || desired(key) < 8); i++) {
      tick();
    }
    assertThat(desired(key)).isGreaterThanOrEqualTo(8);

    // Night: no backlog, little traffic (one executor's worth). Within the window (5 ticks of
    // 10 s) the target stays at the highest recommendation seen in it.
    signals.kafka(key, 0, 500, 500, 64);
    for (int i = 0; i < 5; i++) {
      tick();
    }
    assertThat(desired(key)).isGreaterThan(4);
    assertThat(cluster.events.on(key))
        .extracting(TestingEventSink.Event::reason)
        .contains("ScaledUp")
        .doesNotContain("ScaledDown");

    // After the window the target drops to what the night needs, and the event says why.
    clock.advance(Duration.ofSeconds(121));
    tick();
    assertThat(desired(key)).isLessThanOrEqualTo(2);
    TestingScalingRealizer.Write last =
        cluster.realizer.writes().get(cluster.realizer.writes().size() - 1);
    assertThat(last.executors()).isEqualTo(desired(key));
    // The surplus goes so that nodes empty: node-b's three first, then node-a's newest.
    assertThat(last.preferred())
        .isEqualTo(List.of("8", "7", "6", "5", "4", "3", "2", "1").subList(0, 8 - desired(key)));
    assertThat(cluster.realizer.writes().get(0).preferred()).as("a scale-up names none").isEmpty();
    assertThat(cluster.events.on(key))
        .filteredOn(e -> e.reason().equals("ScaledDown"))
        .extracting(TestingEventSink.Event::message)
        .singleElement()
        .satisfies(m -> assertThat(m).contains("-> " + desired(key) + ":"));
  }

  @Test
  void aMissingTargetIsReportedAndNothingIsWritten() throws Exception {
    ExecutorAutoscalerSpec s = spec("ghost");
    cluster.autoscalers.put(NS, "ghost", s);
    cluster.targets.missing(
        NS, SpecParser.parse(s).spec().orElseThrow().target(), "no live driver pod matches");
    signals.kafka(NS + "/ghost", 120_000, 5_000, 2_000, 64);

    tick();
    tick();

    assertThat(cluster.realizer.calls()).isZero();
    assertThat(condition(NS + "/ghost", Conditions.TARGET_NOT_FOUND).orElseThrow().message)
        .isEqualTo("no live driver pod matches");
    assertThat(cluster.events.on(NS + "/ghost"))
        .extracting(TestingEventSink.Event::reason)
        .containsExactly("TargetNotFound");
  }

  @Test
  void placeholdersAreAskedForFromTheHeldTargetAndNeverBeyondMaxExecutors() throws Exception {
    ExecutorAutoscalerSpec s = spec("room");
    s.capacity = new ExecutorAutoscalerSpec.Capacity();
    s.capacity.placeholders = new ExecutorAutoscalerSpec.Placeholders();
    s.capacity.placeholders.enabled = true;
    s.capacity.placeholders.headroomExecutors = 2;
    String key = autoscaler("room", s, 4, OptionalInt.of(4));
    signals.fail(key, "Kafka lag: no answer within 5000 ms"); // the target holds at 4
    cluster.capacity.placement(key, new ExecutorPlacement(4, 1, 1));

    tick();

    CapacityPlan plan = cluster.capacity.plan(key);
    assertThat(plan.placeholders()).isPresent();
    assertThat(plan.placeholders().get().pods()).isEqualTo(2);
    assertThat(plan.placeholders().get().reason()).contains("configured headroom of 2 executors");
    assertThat(plan.provisioning()).isEmpty();
    assertThat(plan.shuffleProtectionPort()).isEmpty();
    assertThat(status(key).capacity.placeholderPods).isEqualTo(2);
    assertThat(status(key).capacity.pendingExecutors).isEqualTo(1);

    // 4 placed and 1 waiting for a node hold room for 5 of at most 6: one placeholder is all
    s.maxExecutors = 6;
    cluster.autoscalers.put(NS, "room", s);
    tick();

    assertThat(cluster.capacity.plan(key).placeholders().get().pods()).isEqualTo(1);
  }

  @Test
  void aProvisioningRequestAsksRoomForTheTargetLessTheExecutorsOnNodes() throws Exception {
    ExecutorAutoscalerSpec s = spec("burst");
    s.maxExecutors = 6;
    s.capacity = new ExecutorAutoscalerSpec.Capacity();
    s.capacity.provisioningRequest = new ExecutorAutoscalerSpec.ProvisioningRequest();
    s.capacity.provisioningRequest.enabled = true;
    s.capacity.protectShuffle = true;
    String key = autoscaler("burst", s, 1, OptionalInt.of(1));
    signals.kafka(key, 5_000_000, 50_000, 1_000, 64); // far more than 6 executors can take
    cluster.capacity.placement(key, new ExecutorPlacement(1, 0, 0));

    for (int i = 0; i < 20 && !Integer.valueOf(6).equals(desired(key)); i++) {
      tick(); // scale-up is stepped: 1, 2, 4, ... up to maxExecutors
    }

    assertThat(status(key).desiredExecutors).isEqualTo(6);
    CapacityPlan plan = cluster.capacity.plan(key);
    assertThat(plan.provisioning()).hasValue(5); // room for 6, capped at maxExecutors, 1 placed
    assertThat(plan.placeholders()).isEmpty();
    assertThat(plan.shuffleProtectionPort()).hasValue(4040); // Spark's UI port by default
  }

  @Test
  void aDeletedAutoscalerIsForgotten() throws Exception {
    String key = autoscaler("gone", spec("gone"), 2, OptionalInt.of(2));
    signals.kafka(key, 120_000, 5_000, 2_000, 64);
    tick();
    assertThat(reconciler.lastDecision(key)).isPresent();

    cluster.autoscalers.delete(key);
    tick();

    assertThat(reconciler.lastDecision(key)).isEmpty();
    assertThat(reconciler.knownKeys()).doesNotContain(key);
    assertThat(cluster.leadership.forgotten()).containsExactly(key);
    assertThat(cluster.capacity.forgotten()).containsExactly(key);
  }
}
