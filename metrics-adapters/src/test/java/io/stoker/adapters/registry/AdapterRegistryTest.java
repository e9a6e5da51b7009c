package io.stoker.adapters.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stoker.adapters.spark.SparkDriverConfig;
import io.stoker.adapters.spi.AdapterContext;
import io.stoker.adapters.spi.AdapterException;
import io.stoker.adapters.spi.AdapterFactory;
import io.stoker.adapters.spi.Param;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdapterRegistryTest {
  @Test
  void registryIsSortedByTypeWithoutDuplicates() {
    List<String> types = AdapterRegistry.factories().stream().map(AdapterFactory::type).toList();
    assertThat(types)
        .isSorted()
        .doesNotHaveDuplicates()
        .containsExactly("kafka", "prometheus", "spark");
  }

  @Test
  void everyAdapterDeclaresItsParametersOnce() {
    for (AdapterFactory<?, ?> f : AdapterRegistry.factories()) {
      List<Param<?>> params = f.params().params();
      assertThat(params).as(f.type()).isNotEmpty();
      assertThat(params.stream().map(Param::name).toList()).doesNotHaveDuplicates();
      assertThat(params.stream().filter(Param::required)).as(f.type()).isNotEmpty();
    }
  }

  @Test
  void unknownTypeAndInvalidConfigAreTypedErrors() {
    try (AdapterContext ctx = new AdapterContext(Clock.systemUTC())) {
      assertThatThrownBy(() -> AdapterRegistry.create("cpu", Map.of(), Map.of(), ctx))
          .isInstanceOfSatisfying(
              AdapterException.class,
              e -> assertThat(e.kind()).isEqualTo(AdapterException.Kind.INVALID_CONFIG))
          .hasMessageContaining("'cpu'")
          .hasMessageContaining("[kafka, prometheus, spark]");
      for (AdapterFactory<?, ?> f : AdapterRegistry.factories()) {
        assertThatThrownBy(() -> AdapterRegistry.create(f.type(), Map.of(), Map.of(), ctx))
            .as(f.type())
            .isInstanceOf(AdapterException.class)
            .hasMessageContaining("is required");
      }
      assertThat(
              AdapterRegistry.create(
                      SparkDriverConfig.ofDriver(4040, null, null, false)
                          .withDriverHost("127.0.0.1"),
                      Map.of(),
                      ctx)
                  .type())
          .as("a typed config is built by the factory of its record")
          .isEqualTo("spark");
      assertThatThrownBy(
              () ->
                  AdapterRegistry.create(
                      SparkDriverConfig.ofDriver(4040, null, null, false), Map.of(), ctx))
          .as("the driver's host is not known yet")
          .hasMessage("parameter 'host' is required");
      assertThat(
              AdapterRegistry.create(
                      "spark",
                      Map.of("host", "127.0.0.1", "metricsNamespace", "clickstream"),
                      Map.of(),
                      ctx)
                  .type())
          .isEqualTo("spark");
    }
  }
}
