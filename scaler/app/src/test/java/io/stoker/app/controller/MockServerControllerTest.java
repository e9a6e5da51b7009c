package io.stoker.app.controller;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.stoker.app.signals.TestingSignalCollector;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The set-up the controller's tests on the fabric8 mock server share: the mock server in CRUD mode
 * with the CRD installed, a test clock, test signals, and the operator a test starts (closed after
 * it).
 */
@EnableKubernetesMockClient(crud = true)
abstract class MockServerControllerTest {
  KubernetesMockServer server;
  KubernetesClient client;

  final TestingClock clock = new TestingClock(Instant.parse("2026-01-01T00:00:00Z"));
  final TestingSignalCollector signals = new TestingSignalCollector(clock);
  Operator operator;

  @BeforeEach
  void installCrd() throws Exception {
    Fixtures.installCrd(client);
  }

  @AfterEach
  void closeOperator() {
    if (operator != null) {
      operator.close(Duration.ofSeconds(5));
    }
  }
}
