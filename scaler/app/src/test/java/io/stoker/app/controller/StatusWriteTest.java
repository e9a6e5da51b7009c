package io.stoker.app.controller;

import static io.stoker.app.controller.Fixtures.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.stoker.app.k8s.model.ExecutorAutoscalerStatus;
import io.stoker.app.signals.TestingSignalCollector;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * When the controller writes an autoscaler's status, as the API server (fabric8 mock, CRUD mode)
 * sees it: a change of decision or condition at once; lag and rates that moved only slightly never;
 * lag and rates that moved beyond the tolerance once per refresh interval (between one and two
 * {@code --status-refresh-interval}, fixed per autoscaler).
 */
@EnableKubernetesMockClient(crud = true)
class StatusWriteTest {
  private static final String NAME = "steady";
  private static final String KEY = NS + "/" + NAME;

  KubernetesMockServer server;
  KubernetesClient client;

  private final TestingClock clock = new TestingClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final TestingSignalCollector signals = new TestingSignalCollector(clock);
  private int statusPuts;
  private Operator operator;

  @BeforeEach
  void setUp() throws Exception {
    Fixtures.installCrd(client);
    Fixtures.driver(client, NAME);
    Fixtures.executors(client, NAME, 4);
    // min = max = 4: the decision cannot move, whatever the lag does.
    var spec = Fixtures.spec(NAME);
    spec.minExecutors = 4;
    spec.maxExecutors = 4;
    Fixtures.create(client, NAME, spec);
    signals.kafka(KEY, 100_000, 4_000, 4_000, 64);
    Map<String, String> flags = Fixtures.fastConfig();
    flags.put("status-refresh-interval", "60s");
    operator = Fixtures.start(client, flags, "test", clock, signals);
    await()
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .until(() -> Fixtures.status(client, NAME).lagRecords == 100_000L);
    // The backlog keeps the 4 executors saturated: once that has lasted the core's rate settle
    // time (60 s), it learns their rate and the decision's reason changes once. Let that happen
    // before the tests count writes.
    clock.advance(Duration.ofSeconds(61));
    await()
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .until(() -> Fixtures.status(client, NAME).lastDecision.reason.contains("at 1000/s each"));
    quiet();
  }

  @AfterEach
  void tearDown() {
    if (operator != null) {
      operator.close(Duration.ofSeconds(5));
    }
  }

  @Test
  void lagMovingSlightlyWritesNoStatus() throws Exception {
    int before = statusPuts();
    signals.kafka(KEY, 104_000, 4_100, 3_950, 64);
    ticks(5);
    assertThat(statusPuts()).isEqualTo(before);
    assertThat(Fixtures.status(client, NAME).lagRecords).isEqualTo(100_000L);
  }

  @Test
  void lagMovingALotIsRefreshedOncePerInterval() throws Exception {
    int before = statusPuts();
    ExecutorAutoscalerStatus written = Fixtures.status(client, NAME);
    signals.kafka(KEY, 150_000, 4_000, 4_000, 64);
    ticks(5);
    // Within the interval since the last write: not yet. This autoscaler's interval is between
    // one and two --status-refresh-interval (fixed per autoscaler, so that many spread out).
    Duration interval = StatusWrites.refreshFor(KEY, Duration.ofSeconds(60));
    clock.advance(interval.minusSeconds(2));
    ticks(5);
    assertThat(statusPuts()).isEqualTo(before);

    clock.advance(Duration.ofSeconds(3));
    await()
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptions()
        .until(() -> Fixtures.status(client, NAME).lagRecords == 150_000L);
    ticks(5);
    assertThat(statusPuts()).isEqualTo(before + 1);
    ExecutorAutoscalerStatus refreshed = Fixtures.status(client, NAME);
    assertThat(refreshed.desiredExecutors).isEqualTo(written.desiredExecutors);
    assertThat(refreshed.lastDecision).isEqualTo(written.lastDecision);
  }

  @Test
  void aChangedConditionIsWrittenAtOnce() throws Exception {
    int before = statusPuts();
    signals.fail(KEY, "Kafka lag: no answer within 5000 ms");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> Fixtures.conditionIs(client, NAME, Conditions.METRICS_AVAILABLE, "False"));
    ticks(5);
    assertThat(statusPuts()).isEqualTo(before + 1);
  }

  @Test
  void aChangedDecisionIsWrittenAtOnce() throws Exception {
    int before = statusPuts();
    Fixtures.editSpec(
        client,
        NAME,
        s -> {
          s.minExecutors = 6;
          s.maxExecutors = 6;
        });
    await()
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptions()
        .until(() -> Fixtures.status(client, NAME).desiredExecutors == 6);
    // Written at once (the step may be reported in two decisions: deferred, then demand; each is
    // a change of lastDecision), then no more writes while nothing changes.
    assertThat(statusPuts()).isGreaterThan(before);
    quiet();
    assertThat(Fixtures.status(client, NAME).observedGeneration).isEqualTo(2L);
  }

  /** Waits until reconciles go by without a status write (the first decisions settled). */
  private void quiet() throws Exception {
    for (int round = 0; round < 20; round++) {
      int puts = statusPuts();
      ticks(5);
      if (statusPuts() == puts) {
        return;
      }
    }
    throw new AssertionError("the status never settled: " + statusPuts + " writes");
  }

  /** Waits for {@code n} more reconciles of the autoscaler (and the one running to finish). */
  private void ticks(int n) {
    int calls = signals.calls(KEY);
    await().atMost(Duration.ofSeconds(10)).until(() -> signals.calls(KEY) >= calls + n + 1);
  }

  /** Status PUTs of the autoscaler the mock server has received so far. */
  private int statusPuts() throws InterruptedException {
    for (var r = server.takeRequest(1, TimeUnit.MILLISECONDS);
        r != null;
        r = server.takeRequest(1, TimeUnit.MILLISECONDS)) {
      if (r.getMethod().equals("PUT") && r.getPath().contains("/" + NAME + "/status")) {
        statusPuts++;
      }
    }
    return statusPuts;
  }
}
