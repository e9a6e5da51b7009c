package io.stoker.app.controller;

import static io.stoker.app.controller.Fixtures.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.stoker.app.k8s.model.ExecutorAutoscalerSpec;
import io.stoker.app.signals.TestingSignalCollector;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The controller's logs as shipped (the jar's {@code logback.xml}): one JSON object per line on
 * stderr, lines about an autoscaler carry {@code namespace} and {@code autoscaler}, and the Kafka
 * credentials read from the referenced Secret never appear.
 */
@EnableKubernetesMockClient(crud = true)
class JsonLogsTest {
  private static final String PASSWORD = "s3cr3t-Kafka-pa55word";

  KubernetesClient client;

  private final TestingClock clock = new TestingClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final TestingSignalCollector signals = new TestingSignalCollector(clock);
  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
  private PrintStream stderr;
  private Operator operator;

  @BeforeEach
  void shippedLogConfiguration() throws Exception {
    stderr = System.err;
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    configure("/logback.xml");
  }

  @AfterEach
  void restore() throws Exception {
    if (operator != null) {
      operator.close(Duration.ofSeconds(5));
    }
    System.setErr(stderr);
    configure("/logback-test.xml");
  }

  private static void configure(String resource) throws Exception {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    ctx.reset();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(ctx);
    configurator.doConfigure(JsonLogsTest.class.getResource(resource));
  }

  @Test
  void everyLineIsAJsonObjectWithTheAutoscalerAndNoCredentials() throws Exception {
    Fixtures.installCrd(client);
    client
        .secrets()
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withNamespace(NS)
                .withName("clicks-kafka")
                .endMetadata()
                .withStringData(
                    Map.of(
                        "sasl.mechanism",
                        "PLAIN",
                        "sasl.jaas.config",
                        "org.apache.kafka.common.security.plain.PlainLoginModule required"
                            + " username=\"u\" password=\""
                            + PASSWORD
                            + "\";"))
                .build())
        .create();
    Fixtures.driver(client, "clicks");
    Fixtures.executors(client, "clicks", 2);
    ExecutorAutoscalerSpec spec = Fixtures.spec("clicks");
    spec.signals.kafka.authSecretRef = new ExecutorAutoscalerSpec.SecretRef();
    spec.signals.kafka.authSecretRef.name = "clicks-kafka";
    Fixtures.create(client, "clicks", spec);
    signals.kafka(NS + "/clicks", 120_000, 5_000, 2_000, 64);
    operator = Fixtures.start(client, Fixtures.fastConfig(), "test", clock, signals);

    // The scale-out decision is logged at INFO with its autoscaler.
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> lines().stream().anyMatch(l -> about(l, "clicks") && l.has("formattedMessage")));
    operator.close(Duration.ofSeconds(5));
    operator = null;

    String text = captured.toString(StandardCharsets.UTF_8);
    assertThat(text).doesNotContain(PASSWORD);
    List<JsonNode> lines = lines();
    assertThat(lines).isNotEmpty();
    for (JsonNode line : lines) {
      assertThat(line.path("level").asText()).isNotEmpty();
      assertThat(line.path("loggerName").asText()).isNotEmpty();
      assertThat(line.path("formattedMessage").asText()).isNotEmpty();
    }
    JsonNode decision = lines.stream().filter(l -> about(l, "clicks")).findFirst().orElseThrow();
    assertThat(kvp(decision))
        .containsEntry("namespace", NS)
        .containsEntry("autoscaler", "clicks")
        .containsEntry("from", "2");
    assertThat(decision.path("formattedMessage").asText()).startsWith("scale up 2 → ");
  }

  /** Every captured line, each parsed as one JSON object (a line that is not one fails). */
  private List<JsonNode> lines() throws Exception {
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> out = new ArrayList<>();
    for (String line : captured.toString(StandardCharsets.UTF_8).split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode node = json.readTree(line);
      assertThat(node.isObject()).as("a JSON object per line: " + line).isTrue();
      out.add(node);
    }
    return out;
  }

  private static boolean about(JsonNode line, String autoscaler) {
    return autoscaler.equals(kvp(line).get("autoscaler"));
  }

  /** The line's key-value pairs ({@code kvpList}: one single-entry object per pair). */
  private static Map<String, String> kvp(JsonNode line) {
    Map<String, String> out = new HashMap<>();
    line.path("kvpList")
        .forEach(
            pair -> pair.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText())));
    return out;
  }
}
