package io.stoker.adapters.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stoker.adapters.spi.AdapterException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SparkDriverConfigTest {
  @Test
  void defaultsMatchTheCrd() {
    SparkDriverConfig c = SparkDriverConfig.fromMap(Map.of("host", "10.0.0.7"));
    assertThat(c.port()).isEqualTo(4040);
    assertThat(c.path()).isEqualTo("/metrics/prometheus/");
    assertThat(c.executorsPath()).isEqualTo("/metrics/executors/prometheus");
    assertThat(c.metricsNamespace()).isNull();
    assertThat(c.stages()).isTrue();
    assertThat(c.timeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.baseUrl()).isEqualTo("http://10.0.0.7:4040");
    assertThat(SparkDriverConfig.fromMap(Map.of("host", "::1")).baseUrl())
        .isEqualTo("http://[::1]:4040");
  }

  static Stream<Arguments> invalid() {
    return Stream.of(
        Arguments.of(Map.of(), "'host' is required"),
        Arguments.of(Map.of("host", "h", "port", "0"), "'port' must be between"),
        Arguments.of(Map.of("host", "h", "port", "x"), "'port': invalid value"),
        Arguments.of(Map.of("host", "h", "path", "metrics"), "'path' must start with '/'"),
        Arguments.of(Map.of("host", "h", "scheme", "ftp"), "must be http or https"),
        Arguments.of(Map.of("host", "h", "timeout", "0s"), "'timeout' must be positive"),
        Arguments.of(Map.of("host", "h", "stages", "perhaps"), "'stages'"),
        Arguments.of(Map.of("host", "h", "namespace", "x"), "unknown parameter(s) [namespace]"));
  }

  @ParameterizedTest
  @MethodSource("invalid")
  void rejects(Map<String, String> meta, String message) {
    assertThatThrownBy(() -> SparkDriverConfig.fromMap(new HashMap<>(meta)))
        .isInstanceOf(AdapterException.class)
        .hasMessageContaining(message);
  }
}
