package io.stoker.adapters.registry;

import io.stoker.adapters.kafka.KafkaLagAdapterFactory;
import io.stoker.adapters.promql.PromQueryAdapterFactory;
import io.stoker.adapters.spark.SparkDriverAdapterFactory;
import io.stoker.adapters.spi.AdapterContext;
import io.stoker.adapters.spi.AdapterException;
import io.stoker.adapters.spi.AdapterFactory;
import io.stoker.adapters.spi.SignalAdapter;
import java.util.List;
import java.util.Map;

/**
 * The explicit list of adapters. Keep it sorted by type: {@code AdapterRegistryTest} fails
 * otherwise (KEDA's sort_scalers idea: no merge conflicts, no duplicates).
 */
public final class AdapterRegistry {
  private static final List<AdapterFactory> FACTORIES =
      List.of(
          new KafkaLagAdapterFactory(), // kafka
          new PromQueryAdapterFactory(), // prometheus
          new SparkDriverAdapterFactory()); // spark

  private AdapterRegistry() {}

  public static List<AdapterFactory> factories() {
    return FACTORIES;
  }

  /** The factory of {@code type}, or INVALID_CONFIG naming the type and the known ones. */
  public static AdapterFactory factory(String type) {
    for (AdapterFactory f : FACTORIES) {
      if (f.type().equals(type)) {
        return f;
      }
    }
    throw new AdapterException(
        AdapterException.Kind.INVALID_CONFIG,
        "unknown adapter type '"
            + type
            + "'; known: "
            + FACTORIES.stream().map(AdapterFactory::type).toList());
  }

  /** Validates the metadata and creates the adapter. */
  public static SignalAdapter<?> create(
      String type, Map<String, String> metadata, Map<String, String> secrets, AdapterContext ctx) {
    return factory(type).create(metadata, secrets, ctx);
  }
}
