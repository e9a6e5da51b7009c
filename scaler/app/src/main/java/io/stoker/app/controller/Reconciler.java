package io.stoker.app.controller;

import io.stoker.adapters.kafka.KafkaLagAdapter;
import io.stoker.adapters.kafka.KafkaLagConfig;
import io.stoker.adapters.spi.SignalConfig;
import io.stoker.app.capacity.CapacityPlan;
import io.stoker.app.capacity.CapacityRequest;
import io.stoker.app.capacity.ScaleInChoice;
import io.stoker.app.controller.ports.ClusterPorts;
import io.stoker.app.controller.ports.EventSink;
import io.stoker.app.controller.ports.SecretSource;
import io.stoker.app.controller.ports.TargetLookup;
import io.stoker.app.decide.Decider;
import io.stoker.app.k8s.ResolvedTarget;
import io.stoker.app.k8s.WriteRefused;
import io.stoker.app.k8s.model.ExecutorAutoscaler;
import io.stoker.app.k8s.model.ExecutorAutoscalerStatus;
import io.stoker.app.logging.LogFields;
import io.stoker.app.metrics.OperatorMetrics;
import io.stoker.app.signals.SignalCollector;
import io.stoker.app.signals.SignalRequest;
import io.stoker.app.spec.ParsedSpec;
import io.stoker.app.spec.SpecParser;
import io.stoker.core.model.Decision;
import io.stoker.core.model.Direction;
import io.stoker.core.policy.Recommender;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One reconcile of one autoscaler, as a flat chain of named steps (as Strimzi's reconcilers): load
 * → parse spec → resolve target → read secret → collect signals → decide → realise → capacity →
 * announce → write status → record metrics. Steps run on the Vert.x context; the cluster is reached
 * only through the {@link ClusterPorts} (fabric8 behind them, or in-memory fakes in tests), whose
 * calls complete CompletableFutures. The caller ({@link Controller}) runs at most one reconcile per
 * key at a time.
 */
public final class Reconciler {
  private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);

  private final Context context;
  private final ClusterPorts kube;
  private final SignalCollector collector;
  private final OperatorMetrics metrics;
  private final Clock clock;
  private final Duration signalDeadline;
  private final Duration statusRefresh;
  private final Map<String, KeyState> states = new ConcurrentHashMap<>();
  private final Map<String, LastDecision> decisions = new ConcurrentHashMap<>();
  private volatile TargetLookup.Claims claims = TargetLookup.Claims.NONE;

  /**
   * The last decision of one autoscaler, published for readers outside the reconcile (the KEDA
   * external scaler). Not a memory of its own: no tick reads it back. Each decide step builds it
   * from the decide loop's last decision ({@link Decider#last()}, the target in force on the
   * leader) together with the lag of the same tick, in one immutable value, so that a reader on
   * another thread sees both from one tick; it is withdrawn while the target is in conflict.
   *
   * @param target the desired executors
   * @param backlogRecords the Kafka lag seen at that decision, if read
   * @param activationLagThreshold {@code signals.kafka.activationLagThreshold}, 0 when unset
   */
  public record LastDecision(
      int target, OptionalLong backlogRecords, long activationLagThreshold) {}

  public Reconciler(
      Context context,
      ClusterPorts kube,
      SignalCollector collector,
      OperatorMetrics metrics,
      Clock clock,
      Duration signalDeadline,
      Duration statusRefresh) {
    this.context = context;
    this.kube = kube;
    this.collector = collector;
    this.metrics = metrics;
    this.clock = clock;
    this.signalDeadline = signalDeadline;
    this.statusRefresh = statusRefresh;
  }

  /** Reconciles {@code key} ({@code namespace/name}); never fails (errors are logged). */
  public Future<Void> reconcile(String key) {
    long started = System.nanoTime();
    Optional<ExecutorAutoscaler> eas = kube.autoscalers().autoscaler(key);
    if (eas.isEmpty()) {
      forget(key);
      return Future.succeededFuture();
    }
    kube.leadership().begin(key); // this cycle writes only in the leadership term it begins in
    return Future.succeededFuture(Cycle.start(key, clock.instant(), eas.get()))
        .map(this::parseSpec)
        .compose(this::resolveTarget)
        .compose(this::readSecret)
        .compose(this::collectSignals)
        .map(this::decide)
        .compose(this::realise)
        .compose(this::capacity)
        .compose(this::announce)
        .compose(this::writeStatus)
        .map(this::recordMetrics)
        .<Void>mapEmpty()
        .otherwise(e -> failed(key, e))
        .onComplete(x -> metrics.reconcileSeconds((System.nanoTime() - started) / 1e9));
  }

  private Cycle parseSpec(Cycle c) {
    SpecParser.Result r = SpecParser.parse(c.eas().getSpec());
    return r.valid()
        ? c.withSpec(r.spec().orElseThrow())
        : c.withStop(new Cycle.Stop.InvalidSpec(r.errors()));
  }

  /**
   * Which object every autoscaler acts on, from the cached autoscalers {@code keys}: called at the
   * start of each tick, before its reconciles, so that all of them see the same claims.
   */
  void claimTargets(java.util.List<String> keys) {
    Map<String, io.stoker.app.spec.ParsedSpec.Target> acting = new HashMap<>();
    for (String key : keys) {
      kube.autoscalers()
          .autoscaler(key)
          .flatMap(eas -> SpecParser.actingTarget(eas.getSpec()))
          .ifPresent(t -> acting.put(key, t));
    }
    claims = kube.targets().claims(acting);
  }

  private Future<Cycle> resolveTarget(Cycle c) {
    if (c.stopped()) {
      return Future.succeededFuture(c);
    }
    return await(kube.targets().resolve(c.namespace(), c.spec().target())).map(l -> resolved(c, l));
  }

  private Cycle resolved(Cycle c, ResolvedTarget.Lookup lookup) {
    if (lookup instanceof ResolvedTarget.Lookup.Missing m) {
      return c.withStop(new Cycle.Stop.TargetNotFound(m.message()));
    }
    if (lookup instanceof ResolvedTarget.Lookup.Ambiguous a) {
      decisions.remove(c.key());
      return c.withStop(
          new Cycle.Stop.Conflict(Cycle.Stop.Conflict.AMBIGUOUS_SELECTOR, a.message()));
    }
    ResolvedTarget t = ((ResolvedTarget.Lookup.Found) lookup).target();
    if (c.spec().actuation() == ParsedSpec.Actuation.NONE) {
      return c.withTarget(t);
    }
    List<String> others = claims.others(c.key(), c.spec().target(), t);
    if (others.isEmpty()) {
      return c.withTarget(t);
    }
    decisions.remove(c.key());
    List<String> names = others.stream().map(k -> k.substring(k.indexOf('/') + 1)).toList();
    return c.withStop(
        new Cycle.Stop.Conflict(
            Cycle.Stop.Conflict.SHARED_TARGET,
            t.description()
                + " is also the target of "
                + (names.size() == 1 ? "autoscaler " : names.size() + " autoscalers: ")
                + TargetLookup.firstOf(names)
                + "; autoscalers acting on one target would undo each other's writes, so none"
                + " acts until only one does (actuation None keeps a recommend-only one)"));
  }

  private Future<Cycle> readSecret(Cycle c) {
    if (c.stopped() || c.spec().kafkaSecret().isEmpty()) {
      KeyState state = states.get(c.key());
      if (state != null) {
        state.secret = null;
      }
      return Future.succeededFuture(c);
    }
    states.computeIfAbsent(c.key(), k -> new KeyState()).secret =
        SecretSource.key(c.namespace(), c.spec().kafkaSecret().get());
    return await(kube.secrets().read(c.namespace(), c.spec().kafkaSecret().get()))
        .map(data -> data.map(c::withSecrets).orElse(c));
  }

  private Future<Cycle> collectSignals(Cycle c) {
    if (c.stopped()) {
      return Future.succeededFuture(c);
    }
    List<SignalConfig> wanted = c.spec().signals();
    Map<String, String> problems = new LinkedHashMap<>();
    if (c.spec().kafkaSecret().isPresent() && c.secrets().isEmpty()) {
      wanted = wanted.stream().filter(s -> s.getClass() != KafkaLagConfig.class).toList();
      problems.put(
          KafkaLagAdapter.TYPE,
          "Secret " + c.spec().kafkaSecret().get() + " (authSecretRef) not found or empty");
    }
    SignalRequest request =
        new SignalRequest(c.key(), wanted, c.target().driverHost(), c.secrets());
    return await(collector.collect(request, signalDeadline))
        .map(
            s -> {
              Map<String, String> errors = new HashMap<>(s.errors());
              errors.putAll(problems);
              return c.withSignals(new io.stoker.app.signals.Signals(s.readings(), errors));
            });
  }

  private Cycle decide(Cycle c) {
    if (c.stopped()) {
      return c;
    }
    KeyState state = states.computeIfAbsent(c.key(), k -> new KeyState());
    ParsedSpec spec = c.spec();
    ResolvedTarget t = c.target();
    Decider.Fleet fleet =
        new Decider.Fleet(
            t.executors().ready(),
            t.executors().pending(),
            spec.executorCores().orElse(t.executors().cores().orElse(1)),
            inForce(c));
    boolean acting = kube.leadership().acting(c.key());
    if (!acting) {
      // a standby announces nothing; at takeover, the status is the baseline
      state.announced = null;
    }
    Recommender.Evaluation e =
        state.decider.decide(
            c.signals(),
            fleet,
            spec.options(),
            c.now(),
            acting,
            HeldWindow.read(c.eas().getStatus(), c.now()),
            BurstSummary.read(c.eas().getStatus(), c.now()),
            () -> LearnedSummary.read(c.eas().getStatus(), c.key()));
    decisions.put(
        c.key(),
        new LastDecision(
            state.decider.last().orElseThrow().target(),
            c.signals().backlog(),
            activationLagThreshold(spec)));
    return c.withDecision(e.decision());
  }

  /**
   * The target in force as the scaled object carries it; recommend-only autoscalers carry none but
   * the status the leader wrote.
   */
  private static java.util.OptionalInt inForce(Cycle c) {
    ExecutorAutoscalerStatus s = c.eas().getStatus();
    if (c.target().requested().isPresent()
        || c.spec().actuation() != ParsedSpec.Actuation.NONE
        || s == null
        || s.desiredExecutors == null) {
      return c.target().requested();
    }
    return java.util.OptionalInt.of(s.desiredExecutors);
  }

  private Future<Cycle> realise(Cycle c) {
    if (c.stopped()) {
      return Future.succeededFuture(c);
    }
    if (c.spec().actuation() == ParsedSpec.Actuation.NONE) {
      return Future.succeededFuture(
          c.withActuation(new Cycle.Actuation(Cycle.Outcome.RECOMMEND_ONLY, "actuation None")));
    }
    int target = c.decision().target();
    List<String> preferred = ScaleInChoice.preferred(c.target().running(), target);
    return await(kube.realizer().realize(c.key(), c.target(), target, preferred))
        .map(
            wrote ->
                c.withActuation(
                    new Cycle.Actuation(
                        wrote ? Cycle.Outcome.APPLIED : Cycle.Outcome.UNCHANGED, "")))
        .otherwise(e -> c.withActuation(actuationFailure(c, e)));
  }

  /**
   * Placeholder pods and node-group hints (spec.capacity). Never fails the cycle: a feature's
   * problem becomes its condition.
   */
  private Future<Cycle> capacity(Cycle c) {
    if (c.stopped()) {
      return Future.succeededFuture(c);
    }
    CapacityRequest r = new CapacityRequest(c.key(), c.eas(), c.spec(), c.target(), c.decision());
    return await(
            kube.capacity()
                .reconcile(r, placement -> CapacityPlan.of(c.spec(), c.decision(), placement)))
        .map(c::withCapacity)
        .otherwise(
            e -> {
              LogFields.autoscaler(LOG.atWarn(), c.key())
                  .log("capacity step failed: {}", unwrap(e).toString());
              return c;
            });
  }

  private Cycle.Actuation actuationFailure(Cycle c, Throwable e) {
    Throwable t = unwrap(e);
    if (t instanceof WriteRefused r && r.why() == WriteRefused.Why.NOT_LEADER) {
      return new Cycle.Actuation(Cycle.Outcome.STANDBY, "standby replica: the leader writes");
    }
    String kind =
        t instanceof WriteRefused
            ? "rate_limited"
            : c.target().driverPod().isPresent() ? "annotation" : "scale";
    metrics.actuationError(c.namespace(), c.name(), kind);
    LOG.atWarn()
        .addKeyValue("namespace", c.namespace())
        .addKeyValue("autoscaler", c.name())
        .addKeyValue("kind", kind)
        .log(
            "could not apply target {} to {}: {}",
            c.decision().target(),
            c.target().description(),
            t.getMessage());
    return new Cycle.Actuation(Cycle.Outcome.FAILED, kind + ": " + t.getMessage());
  }

  /** Records an Event for a change of target, or for a newly invalid spec or missing target. */
  private Future<Cycle> announce(Cycle c) {
    KeyState state = states.computeIfAbsent(c.key(), k -> new KeyState());
    ExecutorAutoscalerStatus prev = c.eas().getStatus();
    if (c.stop() != null) {
      return announceStop(c, prev, state);
    }
    state.warned = null;
    Decision d = c.decision();
    // The baseline is the last target announced; after a restart, the one the status shows. Not
    // the status alone: it is written even when the event failed, which would lose the event. Not
    // the decide loop's target in force either: after a failed event the two differ until an event
    // for the new target is recorded.
    int before =
        state.announced != null
            ? state.announced
            : prev != null && prev.desiredExecutors != null ? prev.desiredExecutors : d.from();
    if (d.target() == before) {
      state.announced = before;
      return Future.succeededFuture(c);
    }
    Direction dir = Direction.of(before, d.target());
    String reason =
        c.spec().actuation() == ParsedSpec.Actuation.NONE
            ? "Recommended"
            : dir == Direction.UP ? "ScaledUp" : "ScaledDown";
    String message = "target " + before + " -> " + d.target() + ": " + d.reason();
    return event(c, EventSink.Type.Normal, reason, message)
        .map(
            ok -> {
              // on failure keep the old baseline, so the next tick announces again
              state.announced = ok ? d.target() : before;
              return c;
            });
  }

  private Future<Cycle> announceStop(Cycle c, ExecutorAutoscalerStatus prev, KeyState state) {
    String type;
    String reason;
    String message;
    if (c.stop() instanceof Cycle.Stop.InvalidSpec i) {
      type = Conditions.INVALID_SPEC;
      reason = type;
      message = String.join("; ", i.errors());
    } else if (c.stop() instanceof Cycle.Stop.Conflict conflict) {
      type = Conditions.TARGET_CONFLICT;
      reason = conflict.reason();
      message = conflict.message();
    } else {
      type = Conditions.TARGET_NOT_FOUND;
      reason = type;
      message = ((Cycle.Stop.TargetNotFound) c.stop()).message();
    }
    boolean already =
        prev != null
            && Conditions.find(prev.conditions, type)
                .filter(x -> "True".equals(x.status) && message.equals(x.message))
                .isPresent();
    String warning = type + ": " + message;
    if (already || warning.equals(state.warned)) {
      return Future.succeededFuture(c);
    }
    return event(c, EventSink.Type.Warning, reason, message)
        .map(
            ok -> {
              if (ok) {
                state.warned = warning;
              }
              return c;
            });
  }

  private Future<Boolean> event(Cycle c, EventSink.Type type, String reason, String message) {
    return await(kube.events().record(c.eas(), type, reason, message))
        .map(x -> true)
        .otherwise(e -> writeFailed(c, "event", e));
  }

  /**
   * Writes the status when {@link StatusWrites} says it is worth it: at once for a change of
   * decision, conditions or counts, per {@code --status-refresh-interval} for moved lag and rates.
   */
  private Future<Cycle> writeStatus(Cycle c) {
    KeyState state = states.computeIfAbsent(c.key(), k -> new KeyState());
    ExecutorAutoscalerStatus status = StatusBuilder.build(c, state.writtenStatus);
    if (!c.stopped()) {
      status.scaleDownWindow = HeldWindow.write(state.decider.heldWindow());
      status.burstMemory = BurstSummary.write(state.decider.burst());
      status.learned = LearnedSummary.write(state.decider.state());
    }
    // Compared with what this controller last wrote (the cache may not show it yet), else with
    // what the cache shows (first tick after a start or a takeover).
    com.fasterxml.jackson.databind.node.ObjectNode next = StatusWrites.tree(status);
    com.fasterxml.jackson.databind.node.ObjectNode last =
        state.written != null ? state.written : StatusWrites.tree(c.eas().getStatus());
    StatusWrites.Verdict verdict =
        StatusWrites.decide(
            last, state.writtenAt, next, c.now(), StatusWrites.refreshFor(c.key(), statusRefresh));
    if (verdict == StatusWrites.Verdict.NONE) {
      return Future.succeededFuture(c);
    }
    return await(kube.status().update(c.eas(), status))
        .map(
            wrote -> {
              state.written = next;
              state.writtenStatus = status;
              state.writtenAt = c.now();
              return c;
            })
        .otherwise(
            e -> {
              // Compare with the cache next time (a standby's or a refused write left nothing).
              state.written = null;
              state.writtenStatus = null;
              writeFailed(c, "status", e);
              return c;
            });
  }

  private boolean writeFailed(Cycle c, String kind, Throwable e) {
    Throwable t = unwrap(e);
    if (t instanceof WriteRefused r && r.why() == WriteRefused.Why.NOT_LEADER) {
      return false;
    }
    metrics.actuationError(c.namespace(), c.name(), kind);
    LOG.atWarn()
        .addKeyValue("namespace", c.namespace())
        .addKeyValue("autoscaler", c.name())
        .log("{} write failed: {}", kind, t.getMessage());
    return false;
  }

  private Cycle recordMetrics(Cycle c) {
    String ns = c.namespace();
    String name = c.name();
    if (c.stopped()) {
      return c;
    }
    Decision d = c.decision();
    metrics.executors(ns, name, d.target(), c.target().executors().total(), d.recommended());
    metrics.signals(
        ns,
        name,
        c.signals().backlog(),
        d.inputs().arrivalRate() >= 0
            ? java.util.OptionalDouble.of(d.inputs().arrivalRate())
            : java.util.OptionalDouble.empty(),
        c.signals().processingRate());
    metrics.executorRate(ns, name, d.inputs().executorRate());
    if (c.capacity() != null) {
      metrics.capacity(
          ns,
          name,
          c.capacity().placeholderPods(),
          c.capacity().pendingExecutors(),
          c.capacity().nodeHints());
    }
    metrics.targetLatency(ns, name, c.spec().options().targetLatency().toMillis() / 1000.0);
    String direction = d.direction().name().toLowerCase(java.util.Locale.ROOT);
    metrics.decision(ns, name, direction, d.reasonCode().label());
    if (d.isChange()) {
      metrics.scaled(ns, name, direction, d.reasonCode().label(), d.at().toEpochMilli() / 1000.0);
    }
    c.signals().errors().keySet().forEach(sig -> metrics.signalError(ns, name, sig));
    c.signals()
        .readings()
        .forEach(
            r ->
                metrics.signalAge(
                    ns, name, r.signal(), Duration.between(r.at(), c.now()).toMillis() / 1000.0));
    if (d.isChange()) {
      // a standby's decisions are not acted on: only the leader's are news
      (kube.leadership().acting(c.key()) ? LOG.atInfo() : LOG.atDebug())
          .addKeyValue("namespace", ns)
          .addKeyValue("autoscaler", name)
          .addKeyValue("from", d.from())
          .addKeyValue("to", d.target())
          .addKeyValue("reason", d.reasonCode().label())
          .log(d.reason());
    }
    return c;
  }

  private Void failed(String key, Throwable e) {
    Throwable t = unwrap(e);
    LogFields.autoscaler(LOG.atError(), key)
        .setCause(t)
        .log("reconcile failed: {}; retrying next tick", t.toString());
    return null;
  }

  /** The last decision of {@code key} ({@code namespace/name}); read-only, from any thread. */
  public Optional<LastDecision> lastDecision(String key) {
    return Optional.ofNullable(decisions.get(key));
  }

  private static long activationLagThreshold(ParsedSpec spec) {
    return spec.signal(KafkaLagConfig.class).map(KafkaLagConfig::activationLagThreshold).orElse(0L);
  }

  /** Forgets a deleted autoscaler. */
  void forget(String key) {
    decisions.remove(key);
    kube.forget(key);
    if (states.remove(key) != null) {
      collector.forget(key);
      int slash = key.indexOf('/');
      metrics.forget(key.substring(0, slash), key.substring(slash + 1));
    }
  }

  /** Drops cached Secrets that are expired or that no remembered autoscaler references. */
  void sweepSecrets() {
    java.util.Set<String> referenced = new java.util.HashSet<>();
    states
        .values()
        .forEach(
            s -> {
              if (s.secret != null) {
                referenced.add(s.secret);
              }
            });
    kube.secrets().retain(referenced);
  }

  /** Keys with remembered state. */
  java.util.Set<String> knownKeys() {
    return states.keySet();
  }

  private <T> Future<T> await(CompletableFuture<T> f) {
    return VertxUtil.await(f, context);
  }

  private static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  Instant now() {
    return clock.instant();
  }
}
