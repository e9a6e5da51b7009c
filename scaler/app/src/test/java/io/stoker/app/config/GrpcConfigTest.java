package io.stoker.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The KEDA external scaler's settings of {@code stoker run}. */
class GrpcConfigTest {
  @Test
  void offByDefaultPlaintextWhenOn() {
    OperatorConfig d = OperatorConfig.defaults(Map.of());
    assertThat(d.get(OperatorConfig.GRPC_PORT)).isEmpty();
    assertThat(d.get(OperatorConfig.GRPC_TLS_CERT)).isEmpty();
    assertThat(d.get(OperatorConfig.GRPC_HEARTBEAT)).isEqualTo(Duration.ofSeconds(10));

    OperatorConfig c =
        OperatorConfig.from(Map.of("grpc-port", "9090"), Map.of("STOKER_GRPC_PORT", "7000"));
    assertThat(c.get(OperatorConfig.GRPC_PORT)).isEqualTo(Optional.of(9090));
  }

  @Test
  void badPortNamesTheFlagAndTheVariable() {
    assertThatThrownBy(() -> OperatorConfig.from(Map.of("grpc-port", "70000"), Map.of()))
        .hasMessageContaining("--grpc-port")
        .hasMessageContaining("STOKER_GRPC_PORT");
  }

  @Test
  void tlsFilesGoTogether() {
    assertThatThrownBy(() -> OperatorConfig.defaults(Map.of("grpc-tls-cert", "/tls/tls.crt")))
        .hasMessageContaining("--grpc-tls-cert and --grpc-tls-key go together");
    assertThatThrownBy(() -> OperatorConfig.defaults(Map.of("grpc-tls-key", "/tls/tls.key")))
        .hasMessageContaining("--grpc-tls-cert and --grpc-tls-key go together");
    assertThatThrownBy(() -> OperatorConfig.defaults(Map.of("grpc-tls-client-ca", "/tls/ca.crt")))
        .hasMessageContaining("--grpc-tls-client-ca needs --grpc-tls-cert");
    OperatorConfig mutual =
        OperatorConfig.defaults(
            Map.of(
                "grpc-tls-cert", "/tls/tls.crt",
                "grpc-tls-key", "/tls/tls.key",
                "grpc-tls-client-ca", "/tls/ca.crt"));
    assertThat(mutual.get(OperatorConfig.GRPC_TLS_CLIENT_CA)).contains("/tls/ca.crt");
  }

  @Test
  void kafkaModeCacheTiming() {
    OperatorConfig d = OperatorConfig.defaults(Map.of());
    assertThat(d.get(OperatorConfig.GRPC_KAFKA_REFRESH)).isEqualTo(Duration.ofSeconds(10));
    assertThat(d.get(OperatorConfig.GRPC_KAFKA_DEADLINE)).isEqualTo(Duration.ofSeconds(2));

    OperatorConfig c =
        OperatorConfig.from(
            Map.of("grpc-kafka-deadline", "500ms"), Map.of("STOKER_GRPC_KAFKA_REFRESH", "30s"));
    assertThat(c.get(OperatorConfig.GRPC_KAFKA_DEADLINE)).isEqualTo(Duration.ofMillis(500));
    assertThat(c.get(OperatorConfig.GRPC_KAFKA_REFRESH)).isEqualTo(Duration.ofSeconds(30));
    assertThatThrownBy(() -> OperatorConfig.from(Map.of("grpc-kafka-deadline", "0s"), Map.of()))
        .hasMessageContaining("--grpc-kafka-deadline");
  }
}
