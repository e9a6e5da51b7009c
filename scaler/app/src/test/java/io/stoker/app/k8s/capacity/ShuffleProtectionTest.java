package io.stoker.app.k8s.capacity;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.stoker.adapters.spark.SparkExecutorStates.ExecutorState;
import io.stoker.app.controller.TestingClock;
import io.stoker.app.k8s.WriteGuard;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Eviction annotations on executor pods (mock server, CRUD mode), with hysteresis. */
@EnableKubernetesMockClient(crud = true)
class ShuffleProtectionTest {
  static final String NS = "spark-jobs";
  static final String KEY = NS + "/etl";
  static final ExecutorState BUSY = new ExecutorState(2, 0, 0, 1000);
  static final ExecutorState IDLE = new ExecutorState(0, 0, 0, 1000);

  KubernetesClient client;

  private final TestingClock clock = new TestingClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final Map<String, ExecutorState> driver = new ConcurrentHashMap<>();
  private volatile boolean driverUp = true;
  private WriteGuard guard;

  @BeforeEach
  void setUp() {
    guard = guard(1000);
    for (int i = 1; i <= 2; i++) {
      client
          .pods()
          .resource(
              new PodBuilder()
                  .withNewMetadata()
                  .withNamespace(NS)
                  .withName("etl-exec-" + i)
                  .addToLabels("spark-role", "executor")
                  .addToLabels("spark-exec-id", String.valueOf(i))
                  .endMetadata()
                  .withNewStatus()
                  .withPhase("Running")
                  .endStatus()
                  .build())
          .create();
    }
  }

  private static WriteGuard guard(int perMinute) {
    return new WriteGuard(
        new WriteGuard.Limits(1000, 1000, perMinute, Duration.ZERO, 1, Duration.ofMillis(1)),
        () -> true);
  }

  private ShuffleProtection protection(boolean karpenter) {
    return new ShuffleProtection(
        client,
        guard,
        clock,
        (host, port) -> driverUp ? Optional.of(Map.copyOf(driver)) : Optional.empty(),
        Duration.ofMinutes(2),
        karpenter);
  }

  private List<Pod> pods() {
    return client.pods().inNamespace(NS).list().getItems();
  }

  private String annotation(int exec, String key) {
    Map<String, String> a =
        client
            .pods()
            .inNamespace(NS)
            .withName("etl-exec-" + exec)
            .get()
            .getMetadata()
            .getAnnotations();
    return a == null ? null : a.get(key);
  }

  private String safeToEvict(int exec) {
    return annotation(exec, CapacityLabels.SAFE_TO_EVICT);
  }

  private ShuffleProtection.Result tick(ShuffleProtection p, Duration after) {
    clock.advance(after);
    return p.reconcile(KEY, pods(), Optional.of("10.0.0.1"), 4040);
  }

  @Test
  void busyExecutorsAreProtectedAtOnceAndIdleOnesReleasedAfterTheHold() {
    ShuffleProtection p = protection(false);
    driver.put("1", BUSY);
    driver.put("2", IDLE);

    ShuffleProtection.Result r = tick(p, Duration.ZERO);
    assertThat(safeToEvict(1)).isEqualTo("false");
    assertThat(safeToEvict(2)).as("idle, but not for a whole hold yet").isNull();
    assertThat(r.protectedExecutors()).isEqualTo(1);
    assertThat(r.condition().status()).isTrue();

    tick(p, Duration.ofSeconds(60));
    assertThat(safeToEvict(2)).isNull();
    tick(p, Duration.ofSeconds(60));
    assertThat(safeToEvict(2)).isEqualTo("true");
    assertThat(safeToEvict(1)).isEqualTo("false");

    // Executor 1 goes idle: released only after two minutes of idleness.
    driver.put("1", IDLE);
    tick(p, Duration.ofSeconds(10));
    tick(p, Duration.ofSeconds(100));
    assertThat(safeToEvict(1)).isEqualTo("false");
    tick(p, Duration.ofSeconds(20));
    assertThat(safeToEvict(1)).isEqualTo("true");

    // New shuffle data on executor 2 protects it at once.
    driver.put("2", new ExecutorState(0, 0, 0, 5000));
    r = tick(p, Duration.ofSeconds(10));
    assertThat(safeToEvict(2)).isEqualTo("false");
    assertThat(r.protectedExecutors()).isEqualTo(1);
    assertThat(guard.writesByKind().get("eviction"))
        .as("one write per flip: 1 protect, 2 release, 1 release, 2 protect")
        .isEqualTo(4);
  }

  @Test
  void aStateThatFlickersWithinTheHoldNeverFlapsTheAnnotation() {
    ShuffleProtection p = protection(false);
    for (int i = 0; i < 20; i++) {
      driver.put("1", i % 2 == 0 ? BUSY : IDLE);
      driver.put("2", IDLE);
      tick(p, Duration.ofSeconds(30));
    }
    assertThat(safeToEvict(1)).isEqualTo("false");
    assertThat(guard.writesByKind().get("eviction"))
        .as("executor 1 protected once, executor 2 released once")
        .isEqualTo(2);
  }

  @Test
  void aPodWithoutAnExecutorIdIsLeftAlone() {
    client
        .pods()
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withNamespace(NS)
                .withName("etl-exec-new")
                .addToLabels("spark-role", "executor")
                .endMetadata()
                .withNewStatus()
                .withPhase("Pending")
                .endStatus()
                .build())
        .create();
    ShuffleProtection p = protection(false);
    driver.put("1", BUSY);
    ShuffleProtection.Result r = tick(p, Duration.ZERO);
    assertThat(r.condition().status()).isTrue();
    assertThat(safeToEvict(1)).isEqualTo("false");
  }

  @Test
  void cachedBlocksKeepAnExecutorProtected() {
    ShuffleProtection p = protection(false);
    driver.put("1", new ExecutorState(0, 12, 4096, 0));
    tick(p, Duration.ZERO);
    tick(p, Duration.ofMinutes(10));
    assertThat(safeToEvict(1)).isEqualTo("false");
  }

  @Test
  void karpenterDoNotDisruptFollowsWhenEnabled() {
    ShuffleProtection p = protection(true);
    driver.put("1", BUSY);
    tick(p, Duration.ZERO);
    assertThat(annotation(1, CapacityLabels.DO_NOT_DISRUPT)).isEqualTo("true");
    driver.put("1", IDLE);
    tick(p, Duration.ofSeconds(121));
    assertThat(safeToEvict(1)).isEqualTo("true");
    assertThat(annotation(1, CapacityLabels.DO_NOT_DISRUPT)).isNull();
  }

  @Test
  void anUnreadableDriverChangesNothing() {
    ShuffleProtection p = protection(false);
    driver.put("1", BUSY);
    tick(p, Duration.ZERO);
    driverUp = false;
    ShuffleProtection.Result r = tick(p, Duration.ofMinutes(10));
    assertThat(safeToEvict(1)).as("no release on a missing signal").isEqualTo("false");
    assertThat(r.condition().status()).isFalse();
    assertThat(r.condition().reason()).isEqualTo("ExecutorMetricsUnavailable");
    assertThat(r.protectedExecutors()).isEqualTo(1);
  }

  @Test
  void writesAreRateLimitedAndFinishedOnLaterTicks() {
    guard = guard(1);
    ShuffleProtection p = protection(false);
    driver.put("1", BUSY);
    driver.put("2", BUSY);
    ShuffleProtection.Result r = tick(p, Duration.ZERO);
    assertThat(r.protectedExecutors()).isEqualTo(1);
    assertThat(r.condition().message()).contains("rate limit");
    assertThat(guard.writesByKind().get("eviction")).isEqualTo(1);
  }
}
