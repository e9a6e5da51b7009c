package io.stoker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.stoker.adapters.kafka.EmbeddedKafka;
import io.stoker.app.controller.Operator;
import io.stoker.app.k8s.model.ExecutorAutoscalerSpec;
import io.stoker.app.metrics.MetricNames;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Leadership under faults, on the real API server and etcd: two controller replicas (in-process,
 * the chart's ServiceAccount token, audited) elect a leader on the real Lease API while the test
 * breaks what they depend on: kube-apiserver killed and restarted, etcd killed and restarted, and
 * the leader cut off from the API server by a TCP proxy that stops passing anything. The
 * autoscaler's target is fixed (min = max = 2) and the test keeps overwriting it on the driver pod,
 * so whoever leads writes about once per tick: every write attempt is recorded as it is sent
 * (answered or not), which shows who wrote when. Each test prints what it measured.
 */
class LeadershipFaultsE2E {
  /** InProcessController's lease settings. */
  private static final Duration LEASE = Duration.ofSeconds(4);

  private static final Duration RENEW_DEADLINE = Duration.ofSeconds(3);

  /** The cut test's lease settings (see there). */
  private static final Duration CUT_LEASE = Duration.ofSeconds(10);

  private static final Duration CUT_RENEW_DEADLINE = Duration.ofSeconds(8);

  private static final String TOPIC = "faults";

  private static ControlPlane cp;
  private static KubernetesClient admin;
  private static EmbeddedKafka kafka;
  private static String token;

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final List<ApiAudit> audits = new ArrayList<>();

  /**
   * A restarted kube-apiserver answers 403 to service-account tokens until its RBAC caches are
   * loaded, for a moment after /readyz; 403s within [from, until] are that, not the chart's RBAC.
   */
  private Instant restartFrom = Instant.MAX;

  private Instant rbacLoaded = Instant.MIN;

  @BeforeAll
  static void start() throws Exception {
    cp = ControlPlane.start();
    admin = cp.adminClient();
    token = ChartInstall.install(admin, Map.of()).token();
    kafka = new EmbeddedKafka();
    kafka.createTopic(TOPIC, 2);
  }

  @AfterAll
  static void stop() throws Exception {
    Closing.all(kafka, admin, cp);
  }

  @AfterEach
  void closeAndCheckAudit() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
    for (ApiAudit a : audits) {
      List<ApiAudit.Call> forbidden =
          a.forbidden().stream()
              .filter(c -> c.at().isBefore(restartFrom) || c.at().isAfter(rbacLoaded))
              .toList();
      assertThat(forbidden).as("calls the controller's RBAC refused").isEmpty();
    }
  }

  /** One controller replica. */
  private record Replica(String name, Operator op, ApiAudit audit) {
    boolean leads() {
      return op.isLeader();
    }

    double leaderMetric() {
      return op.metrics().registry().getSampleValue(MetricNames.LEADER);
    }
  }

  /**
   * Samples who leads every 20 ms from the start, so that the times of the fence and of the
   * takeover do not depend on when the test gets to look; also records any moment with two leaders.
   */
  private static final class Leadership implements AutoCloseable {
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
    private final List<Instant> times = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<String> leaders = new java.util.concurrent.CopyOnWriteArrayList<>();

    Leadership(Replica a, Replica b) {
      sampler.scheduleAtFixedRate(
          () -> {
            String who =
                (a.leads() ? a.name() : "")
                    + (a.leads() && b.leads() ? "+" : "")
                    + (b.leads() ? b.name() : "");
            if (leaders.isEmpty() || !leaders.get(leaders.size() - 1).equals(who)) {
              times.add(Instant.now());
              leaders.add(who);
            }
          },
          0,
          20,
          TimeUnit.MILLISECONDS);
    }

    /** The first sample after {@code t} where {@code who} leads ("" for nobody). */
    Instant first(String who, Instant t) {
      for (int i = 0; i < times.size(); i++) {
        if (times.get(i).isAfter(t) && leaders.get(i).equals(who)) {
          return times.get(i);
        }
      }
      return Instant.MAX;
    }

    /** The first sample after {@code t} where somebody leads. */
    Instant anyone(Instant t) {
      for (int i = 0; i < times.size(); i++) {
        if (times.get(i).isAfter(t) && !leaders.get(i).isEmpty()) {
          return times.get(i);
        }
      }
      return Instant.MAX;
    }

    List<String> history() {
      return List.copyOf(leaders);
    }

    @Override
    public void close() {
      sampler.shutdownNow();
    }
  }

  private Replica replica(String ns, String name, int port) throws Exception {
    return replica(ns, name, port, LEASE, RENEW_DEADLINE);
  }

  private Replica replica(String ns, String name, int port, Duration lease, Duration renewDeadline)
      throws Exception {
    ApiAudit audit = new ApiAudit();
    audits.add(audit);
    KubernetesClient client = cp.clientWithToken(token, audit, port);
    toClose.add(client);
    Map<String, String> flags = new HashMap<>();
    flags.put("namespace", ns);
    flags.put("leader-election", "true");
    flags.put("lease-name", "stoker-" + ns);
    flags.put("lease-duration", lease.toMillis() + "ms");
    flags.put("lease-renew-deadline", renewDeadline.toMillis() + "ms");
    Operator op = InProcessController.start(client, name, InProcessController.flags(flags));
    toClose.add(() -> op.close(Duration.ofSeconds(10)));
    return new Replica(name, op, audit);
  }

  /**
   * A driver with two executors and an autoscaler whose target is always 2; a drift loop keeps
   * setting the annotation to 1, so the leader puts 2 back about once per tick.
   */
  private SparkPods scenario(String ns) {
    SparkPods.namespace(admin, ns);
    SparkPods pods = new SparkPods(admin, ns, "app");
    pods.driver("127.0.0.1", Map.of());
    pods.executor("1");
    pods.executor("2");
    ExecutorAutoscalerSpec spec =
        Autoscalers.onKafkaLag("app", kafka.bootstrap(), "group-" + ns, TOPIC, 2);
    spec.minExecutors = 2;
    Autoscalers.create(admin, ns, "app", spec);
    ScheduledExecutorService drift = Executors.newSingleThreadScheduledExecutor();
    toClose.add(drift::shutdownNow);
    drift.scheduleWithFixedDelay(
        () -> {
          try {
            if ("2".equals(pods.targetAnnotation())) {
              admin
                  .pods()
                  .inNamespace(ns)
                  .withName(pods.driverName())
                  .patch(
                      PatchContext.of(PatchType.JSON_MERGE),
                      "{\"metadata\":{\"annotations\":{\"stoker.io/target-executors\":\"1\"}}}");
            }
          } catch (RuntimeException e) {
            // the API server is down: nothing to drift
          }
        },
        0,
        300,
        TimeUnit.MILLISECONDS);
    return pods;
  }

  private static Instant lastAttempt(Replica r) {
    return r.audit().writeAttempts().stream()
        .map(ApiAudit.Call::at)
        .max(Comparator.naturalOrder())
        .orElse(Instant.MIN);
  }

  private static Instant firstAttemptAfter(Replica r, Instant t) {
    return r.audit().writeAttempts().stream()
        .map(ApiAudit.Call::at)
        .filter(a -> a.isAfter(t))
        .min(Comparator.naturalOrder())
        .orElse(Instant.MAX);
  }

  private static long ms(Instant from, Instant to) {
    return Duration.between(from, to).toMillis();
  }

  private static int healthz(Replica r) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    return http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + r.op().metricsPort() + "/healthz"))
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  @Test
  void aLeaderCutOffStopsWritingWithinTheRenewDeadlineBeforeTheStandbyTakesOver() throws Exception {
    String ns = "cut";
    TcpProxy proxy = new TcpProxy(cp.apiPort());
    toClose.add(proxy);
    // A longer lease than the other tests': the cut-off leader must try to write between the cut
    // and its fence, and it tries only once its stopped Kafka signal has failed (a tick, the signal
    // timeout and the broker's shutdown). With a 3 s renew deadline that window was sometimes too
    // short on a busy machine, and the check below had nothing to check.
    Duration lease = CUT_LEASE;
    Duration renewDeadline = CUT_RENEW_DEADLINE;
    Replica a = replica(ns, "stoker-a", proxy.port(), lease, renewDeadline);
    await("stoker-a leads").atMost(Duration.ofSeconds(30)).until(a::leads);
    Replica b = replica(ns, "stoker-b", cp.apiPort(), lease, renewDeadline);
    Leadership leadership = new Leadership(a, b);
    toClose.add(leadership);
    scenario(ns);
    await("the leader puts the target back")
        .atMost(Duration.ofSeconds(60))
        .until(() -> a.audit().podWrites().size() >= 3);
    assertThat(b.audit().writeAttempts()).as("the standby writes nothing").isEmpty();

    // Cut the leader off, and take its Kafka signal away: its next decisions differ from the
    // status it wrote (MetricsAvailable=False), so it tries to write each tick while it leads.
    Instant cut = Instant.now();
    proxy.cut();
    kafka.stopBroker();
    toClose.add(kafka::restartBroker);
    await("the cut-off leader stops leading")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> leadership.first("", cut) != Instant.MAX);
    Instant fenced = leadership.first("", cut);
    assertThat(a.leaderMetric()).isZero();
    await("stoker-b takes over")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> leadership.first(b.name(), cut) != Instant.MAX);
    Instant takeover = leadership.first(b.name(), cut);
    await("the new leader writes")
        .atMost(Duration.ofSeconds(30))
        .until(() -> !b.audit().podWrites().isEmpty());

    Instant aLast = lastAttempt(a);
    Instant bFirst = firstAttemptAfter(b, Instant.MIN);
    System.out.printf(
        "LeadershipFaultsE2E cut: leader fenced %d ms after the cut (renew deadline %d ms, lease"
            + " %d ms); its last write attempt %d ms after the cut; standby leads %d ms after"
            + " the cut and writes %d ms after it; %d ms between the two replicas' writes%n",
        ms(cut, fenced),
        renewDeadline.toMillis(),
        lease.toMillis(),
        ms(cut, aLast),
        ms(cut, takeover),
        ms(cut, bFirst),
        ms(aLast, bFirst));
    assertThat(ms(cut, fenced))
        .as("the leader stops within the renew deadline of its last renewal (before the cut)")
        .isLessThanOrEqualTo(renewDeadline.plusMillis(1_000).toMillis());
    assertThat(aLast).as("the cut-off leader tried to write while it led").isAfter(cut);
    assertThat(aLast).as("no write attempt once fenced").isBefore(fenced);
    assertThat(bFirst).as("no two replicas write in the same period").isAfter(aLast);
    assertThat(takeover).isAfter(fenced);

    // The network comes back: the old leader is a standby now, healthy, and writes nothing.
    Instant healed = Instant.now();
    proxy.heal();
    await("stoker-a reaches the Lease again")
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                a.audit().leaseCalls().stream()
                        .filter(c -> c.at().isAfter(healed) && c.code() < 300)
                        .count()
                    >= 3);
    assertThat(a.leads()).isFalse();
    assertThat(b.leads()).isTrue();
    assertThat(a.audit().writeAttempts()).allMatch(w -> w.at().isBefore(fenced));
    assertThat(healthz(a)).as("a standby is healthy").isEqualTo(200);
    assertThat(a.leaderMetric()).isZero();
    assertThat(b.leaderMetric()).isEqualTo(1.0);
    assertThat(leadership.history()).as("never two leaders").noneMatch(w -> w.contains("+"));
  }

  @Test
  void leadershipIsRegainedAfterTheApiServerRestarts() throws Exception {
    outage("apiserver", cp::stopApiServer, cp::startApiServer);
  }

  @Test
  void leadershipIsRegainedAfterEtcdRestarts() throws Exception {
    outage("etcd", cp::stopEtcd, cp::startEtcd);
  }

  @FunctionalInterface
  private interface Step {
    void run() throws Exception;
  }

  /**
   * Both replicas lose the API server for three lease durations (the lease expires); after {@code
   * start} one of them leads again within a bound and acts; the other writes nothing.
   */
  private void outage(String what, Step stop, Step start) throws Exception {
    String ns = "outage-" + what;
    Replica a = replica(ns, "stoker-a", cp.apiPort());
    await("stoker-a leads").atMost(Duration.ofSeconds(30)).until(a::leads);
    Replica b = replica(ns, "stoker-b", cp.apiPort());
    Leadership leadership = new Leadership(a, b);
    toClose.add(leadership);
    scenario(ns);
    await("the leader puts the target back")
        .atMost(Duration.ofSeconds(60))
        .until(() -> a.audit().podWrites().size() >= 3);

    Instant stopped = Instant.now();
    stop.run();
    await("the leader stops leading")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> leadership.first("", stopped) != Instant.MAX);
    Instant fenced = leadership.first("", stopped);
    assertThat(healthz(a)).as("a replica without the API server is alive").isEqualTo(200);
    Duration outage = LEASE.multipliedBy(3);
    await(what + " stays down for " + outage)
        .atMost(outage.plusSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> Duration.between(stopped, Instant.now()).compareTo(outage) >= 0);

    Instant restarted = Instant.now();
    restartFrom = restarted;
    start.run();
    Instant ready = Instant.now();
    try (KubernetesClient probe = cp.clientWithToken(token)) {
      await("the API server authorises the chart's token again")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(100))
          .ignoreExceptions()
          .until(() -> probe.pods().inNamespace(ns).list() != null);
    }
    rbacLoaded = Instant.now();
    await("a replica leads again")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> leadership.anyone(restarted) != Instant.MAX);
    Instant regained = leadership.anyone(restarted);
    for (Replica r : List.of(a, b)) {
      await(r.name() + " competes again")
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  r.audit().leaseCalls().stream()
                      .anyMatch(c -> c.at().isAfter(restarted) && c.code() < 300));
    }
    Replica leader = a.leads() ? a : b;
    Replica standby = leader == a ? b : a;
    assertThat(standby.leads()).isFalse();
    await("the new leader acts")
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                leader.audit().podWrites().stream()
                    .anyMatch(w -> w.at().isAfter(ready) && w.code() < 300));
    Instant acted =
        leader.audit().podWrites().stream()
            .map(ApiAudit.Call::at)
            .filter(t -> t.isAfter(ready))
            .min(Comparator.naturalOrder())
            .orElseThrow();
    System.out.printf(
        "LeadershipFaultsE2E %s: leader fenced %d ms after the stop; down %d ms; ready %d ms after"
            + " the restart (RBAC loaded %d ms after ready); %s leads %d ms after ready (%d ms after"
            + " the restart) and writes %d ms after ready%n",
        what,
        ms(stopped, fenced),
        ms(stopped, restarted),
        ms(restarted, ready),
        ms(ready, rbacLoaded),
        leader.name(),
        ms(ready, regained),
        ms(restarted, regained),
        ms(ready, acted));
    assertThat(ms(stopped, fenced))
        .as("the leader stops within the renew deadline")
        .isLessThanOrEqualTo(RENEW_DEADLINE.plusMillis(1_000).toMillis());
    assertThat(standby.audit().writeAttempts())
        .as("the standby writes nothing after the restart")
        .allMatch(w -> w.at().isBefore(fenced));
    assertThat(healthz(leader)).isEqualTo(200);
    assertThat(healthz(standby)).isEqualTo(200);
    assertThat(leader.leaderMetric()).isEqualTo(1.0);
    assertThat(standby.leaderMetric()).isZero();
    assertThat(leadership.history()).as("never two leaders").noneMatch(w -> w.contains("+"));
  }
}
