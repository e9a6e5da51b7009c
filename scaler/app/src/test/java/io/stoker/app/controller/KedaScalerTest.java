package io.stoker.app.controller;

import static io.stoker.app.controller.Fixtures.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.stoker.app.keda.ScalerClient;
import io.stoker.app.metrics.MetricNames;
import io.stoker.app.signals.TestingSignalCollector;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code stoker run --grpc-port}: the KEDA external scaler serves the controller's decisions. */
@EnableKubernetesMockClient(crud = true)
class KedaScalerTest {
  KubernetesMockServer server;
  KubernetesClient client;

  private final TestingClock clock = new TestingClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final TestingSignalCollector signals = new TestingSignalCollector(clock);
  private Operator operator;
  private ScalerClient keda;

  @BeforeEach
  void setUp() throws Exception {
    Fixtures.installCrd(client);
  }

  @AfterEach
  void tearDown() throws Exception {
    if (keda != null) {
      keda.close();
    }
    if (operator != null) {
      operator.close(Duration.ofSeconds(5));
    }
  }

  @Test
  void servesTheDesiredExecutorsOfTheAutoscaler() throws Exception {
    Fixtures.driver(client, "clicks");
    Fixtures.executors(client, "clicks", 2);
    Fixtures.create(client, "clicks", Fixtures.spec("clicks"));
    signals.kafka(NS + "/clicks", 120_000, 5_000, 2_000, 64);
    Map<String, String> flags = new HashMap<>(Fixtures.fastConfig());
    flags.put("grpc-address", "127.0.0.1");
    flags.put("grpc-port", "0");
    operator = Fixtures.start(client, flags, "test", clock, signals);
    keda = new ScalerClient(operator.grpcPort().orElseThrow());

    await().atMost(Duration.ofSeconds(20)).until(() -> Fixtures.target(client, "clicks") > 2);
    await()
        .atMost(Duration.ofSeconds(10))

        // the status is written after the realise step: it may not be there yet
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              int desired = Fixtures.status(client, "clicks").desiredExecutors;
              assertThat(keda.poll(NS, "clicks"))
                  .isEqualTo(new ScalerClient.Poll(desired, desired, true));
            });
    assertThatThrownBy(() -> keda.poll(NS, "unknown")).hasMessage("NOT_FOUND");
    assertThatThrownBy(() -> keda.poll("elsewhere", "clicks")).hasMessage("NOT_FOUND");

    // Every call is counted by method and code, and timed by method.
    assertThat(kedaRequests("GetMetrics", "OK")).isPositive();
    assertThat(kedaRequests("IsActive", "OK")).isPositive();
    assertThat(kedaRequests("GetMetrics", "NOT_FOUND")).isEqualTo(2.0);
    assertThat(
            operator
                .metrics()
                .registry()
                .getSampleValue(
                    MetricNames.KEDA_REQUEST_DURATION_SECONDS + "_count",
                    new String[] {"method"},
                    new String[] {"GetMetrics"}))
        .isEqualTo(kedaRequests("GetMetrics", "OK") + 2.0);
  }

  private double kedaRequests(String method, String code) {
    Double v =
        operator
            .metrics()
            .registry()
            .getSampleValue(
                MetricNames.KEDA_REQUESTS_TOTAL,
                new String[] {"method", "code"},
                new String[] {method, code});
    return v == null ? 0 : v;
  }

  @Test
  void servesOverTlsFromPemFiles() throws Exception {
    Fixtures.driver(client, "clicks");
    Fixtures.executors(client, "clicks", 2);
    Fixtures.create(client, "clicks", Fixtures.spec("clicks"));
    signals.kafka(NS + "/clicks", 120_000, 5_000, 2_000, 64);
    Map<String, String> flags = new HashMap<>(Fixtures.fastConfig());
    flags.put("grpc-address", "127.0.0.1");
    flags.put("grpc-port", "0");
    flags.put("grpc-tls-cert", pem("server.pem").toString());
    flags.put("grpc-tls-key", pem("server.key").toString());
    operator = Fixtures.start(client, flags, "test", clock, signals);
    keda = ScalerClient.tls(operator.grpcPort().orElseThrow(), pem("ca.pem"));

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(keda.poll(NS, "clicks").active()).isTrue());
  }

  private static Path pem(String name) throws Exception {
    return Path.of(KedaScalerTest.class.getResource("/grpc-tls/" + name).toURI());
  }

  @Test
  void noServerWithoutGrpcPort() throws Exception {
    operator = Fixtures.start(client, Fixtures.fastConfig(), "test", clock, signals);

    assertThat(operator.grpcPort()).isEmpty();
  }
}
