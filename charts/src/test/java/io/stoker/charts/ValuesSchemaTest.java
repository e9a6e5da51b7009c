package io.stoker.charts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stoker.app.config.ConfigParameter;
import io.stoker.app.config.OperatorConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code values.schema.json} refuses bad values: Helm validates the values against it before it
 * renders anything, and the error names the value.
 */
class ValuesSchemaTest {

  static Stream<Arguments> badValues() {
    return Stream.of(
        Arguments.of(Chart.sets("replicas", 0), "'/replicas': minimum"),
        Arguments.of(Chart.sets("replicas", "two"), "'/replicas': got string, want integer"),
        Arguments.of(Chart.sets("replica", 2), "additional properties 'replica' not allowed"),
        Arguments.of(Chart.sets("metrics.port", 70000), "'/metrics/port': maximum"),
        Arguments.of(Chart.sets("metrics.port", "http"), "'/metrics/port': got string"),
        Arguments.of(Chart.sets("grpc.port", 0), "'/grpc/port': minimum"),
        Arguments.of(
            Chart.sets("replicas", 2, "leaderElection.enabled", false),
            "'/leaderElection/enabled': value must be true"),
        Arguments.of(
            Chart.sets("config.namespace", "team-a"),
            "'/config': additional properties 'namespace' not allowed"),
        Arguments.of(Chart.sets("config.tick-interval", "soon"), "'/config/tick-interval': 'soon'"),
        Arguments.of(
            Chart.sets("config.kube-writes-per-second", 0),
            "'/config/kube-writes-per-second': minimum"),
        Arguments.of(
            Chart.sets(
                "rbac.scaleTargets[0].apiGroup", "apps", "rbac.scaleTargets[0].resource", "*"),
            "'/rbac/scaleTargets/0/resource'"),
        Arguments.of(
            Chart.sets("rbac.scaleTargets[0].resource", "statefulsets"),
            "'/rbac/scaleTargets/0': missing property 'apiGroup'"),
        Arguments.of(Chart.sets("watchNamespace", "Team_A"), "'/watchNamespace'"),
        Arguments.of(Chart.sets("watchNamespaces[0]", "Team_A"), "'/watchNamespaces/0'"),
        Arguments.of(
            Chart.sets("watchNamespaces[0]", "team-a", "watchNamespaces[1]", "team-a"),
            "'/watchNamespaces'"),
        Arguments.of(
            Chart.sets("grpc.enabled", true), "'/networkPolicy/grpcFromNamespaces': minItems"),
        Arguments.of(
            Chart.sets("metrics.serviceMonitor.enabled", true),
            "'/networkPolicy/metricsFromNamespaces': minItems"),
        Arguments.of(
            Chart.sets("networkPolicy.egress.kafka.ports[0]", 70000),
            "'/networkPolicy/egress/kafka/ports/0': maximum"),
        Arguments.of(
            Chart.sets("networkPolicy.egress.ldap.ports[0]", 389),
            "'/networkPolicy/egress': additional properties 'ldap' not allowed"),
        Arguments.of(
            Chart.sets("grpc.tls.clientCa.secretName", "keda-ca"), "'/grpc/tls/secretName'"),
        Arguments.of(Chart.sets("image.pullPolicy", "Sometimes"), "'/image/pullPolicy'"),
        Arguments.of(
            Chart.sets("networkPolicy.grpcFromNamespaces[0]", "Not A Namespace"),
            "'/networkPolicy/grpcFromNamespaces/0'"),
        Arguments.of(
            Chart.sets("shuffleProtection.evictionHold", "2 minutes"),
            "'/shuffleProtection/evictionHold'"),
        Arguments.of(Chart.sets("nodeHints.enabled", "yes"), "'/nodeHints/enabled'"));
  }

  @ParameterizedTest
  @MethodSource("badValues")
  void schemaRejectsBadValuesNamingThem(Map<String, Object> sets, String message) {
    assertThatThrownBy(() -> Chart.template(sets).call())
        .hasMessageContaining("values don't meet the specifications of the schema")
        .hasMessageContaining(message);
  }

  @Test
  void schemaAcceptsTheDefaultsTheExamplesAndEveryFeature() {
    assertThat(Chart.defaults().objects()).isNotEmpty();
    assertThat(Chart.allFeatures().objects()).isNotEmpty();
    assertThat(Chart.render(Map.of(), Chart.PRODUCTION_EXAMPLE).objects()).isNotEmpty();
    // gRPC and the ServiceMonitor are fine without the NetworkPolicy, or with their namespaces.
    assertThat(
            Chart.render(
                    Chart.sets(
                        "grpc.enabled", true,
                        "metrics.serviceMonitor.enabled", true,
                        "networkPolicy.enabled", false))
                .objects())
        .isNotEmpty();
    // Two replicas are fine with leader election (on by default).
    assertThat(Chart.render(Map.of("replicas", 2)).deployment().getSpec().getReplicas())
        .isEqualTo(2);
  }

  /** Each key allowed under {@code config} is checked as its setting's type. */
  @Test
  void configValuesAreCheckedAsTheirSettingsType() {
    Map<String, Object> config = properties("config");
    assertThat(config).isNotEmpty();
    for (Map.Entry<String, Object> e : config.entrySet()) {
      ConfigParameter<?> p =
          OperatorConfig.PARAMETERS.stream()
              .filter(x -> x.key().equals(e.getKey()))
              .findFirst()
              .orElseThrow(() -> new AssertionError("config." + e.getKey() + " is no setting"));
      String expected =
          switch (p.type()) {
            case "duration" -> "{$ref=#/definitions/duration}";
            case "integer" -> "{$ref=#/definitions/positiveInteger}";
            case "boolean" -> "{type=boolean}";
            case "host" -> "{$ref=#/definitions/host}";
            case "bytes" -> "{$ref=#/definitions/bytes}";
            default -> "a schema for type " + p.type();
          };
      assertThat(e.getValue()).as("config.%s", e.getKey()).hasToString(expected);
    }
  }

  /** The keys {@code config} accepts. */
  static List<String> configKeys() {
    return new ArrayList<>(properties("config").keySet());
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> properties(String value) {
    Map<String, Object> top = (Map<String, Object>) schema().get("properties");
    Map<String, Object> v = (Map<String, Object>) top.get(value);
    return (Map<String, Object>) v.get("properties");
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> schema() {
    try {
      return Chart.SERIALIZATION.unmarshal(
          Files.readString(Chart.DIR.resolve("values.schema.json")), Map.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
