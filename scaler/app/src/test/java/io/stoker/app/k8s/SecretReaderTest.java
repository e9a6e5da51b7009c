package io.stoker.app.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.stoker.app.controller.TestingClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Secret cache: reused within the TTL, dropped after it or when no longer referenced. */
@EnableKubernetesMockClient(crud = true)
class SecretReaderTest {
  private static final String NS = "spark-jobs";

  KubernetesClient client;

  private final TestingClock clock = new TestingClock(Instant.parse("2026-01-01T00:00:00Z"));
  private SecretReader reader;

  @BeforeEach
  void setUp() {
    reader = new SecretReader(client, Runnable::run, clock, Duration.ofSeconds(60));
    for (String name : new String[] {"kafka-a", "kafka-b"}) {
      client
          .secrets()
          .resource(
              new SecretBuilder()
                  .withNewMetadata()
                  .withNamespace(NS)
                  .withName(name)
                  .endMetadata()
                  .withStringData(Map.of("sasl.password", name + "-pw"))
                  .build())
          .create();
    }
  }

  private Optional<Map<String, String>> read(String name) throws Exception {
    return reader.read(NS, name).get(10, TimeUnit.SECONDS);
  }

  @Test
  void aCachedSecretIsReusedWithinTheTtlAndExpiresAfterIt() throws Exception {
    assertThat(read("kafka-a")).isPresent();
    client.secrets().inNamespace(NS).withName("kafka-a").delete();
    assertThat(read("kafka-a")).as("within the TTL the cached copy is used").isPresent();

    String a = SecretReader.key(NS, "kafka-a");
    reader.retain(Set.of(a));
    assertThat(reader.cached()).as("fresh and referenced: kept").containsExactly(a);

    clock.advance(Duration.ofSeconds(61));
    reader.retain(Set.of(a));
    assertThat(reader.cached()).as("expired: dropped though referenced").isEmpty();
    assertThat(read("kafka-a")).as("read again after the TTL: gone").isEmpty();
  }

  @Test
  void aSecretNoAutoscalerReferencesIsDropped() throws Exception {
    read("kafka-a");
    read("kafka-b");
    assertThat(reader.cached())
        .containsExactlyInAnyOrder(
            SecretReader.key(NS, "kafka-a"), SecretReader.key(NS, "kafka-b"));

    reader.retain(Set.of(SecretReader.key(NS, "kafka-b")));

    assertThat(reader.cached()).containsExactly(SecretReader.key(NS, "kafka-b"));
  }
}
