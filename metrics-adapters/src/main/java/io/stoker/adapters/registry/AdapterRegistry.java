package io.stoker.adapters.registry;

import io.stoker.adapters.kafka.KafkaLagAdapterFactory;
import io.stoker.adapters.promql.PromQueryAdapterFactory;
import io.stoker.adapters.spark.SparkDriverAdapterFactory;
import io.stoker.adapters.spi.AdapterContext;
import io.stoker.adapters.spi.AdapterException;
import io.stoker.adapters.spi.AdapterFactory;
import io.stoker.adapters.spi.SignalAdapter;
import io.stoker.adapters.spi.SignalConfig;
import java.util.List;
import java.util.Map;

/**
 * The explicit list of adapters. Keep it sorted by type: {@code AdapterRegistryTest} fails
 * otherwise (KEDA's sort_scalers idea: no merge conflicts, no duplicates).
 */
public final class AdapterRegistry {
  private static final List<AdapterFactory<?, ?>> FACTORIES =
      List.of(
          new KafkaLagAdapterFactory(), // kafka
          new PromQueryAdapterFactory(), // prometheus
          new SparkDriverAdapterFactory()); // spark

  private AdapterRegistry() {}

  public static List<AdapterFactory<?, ?>> factories() {
    return FACTORIES;
  }

  /** The factory of {@code type}, or INVALID_CONFIG naming the type and the known ones. */
  public static AdapterFactory<?, ?> factory(String type) {
    for (AdapterFactory<?, ?> f : FACTORIES) {
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

  /** Creates the adapter of a validated config (the factory whose config record it is). */
  public static SignalAdapter<?> create(
      SignalConfig config, Map<String, String> secrets, AdapterContext ctx) {
    for (AdapterFactory<?, ?> f : FACTORIES) {
      if (f.configType() == config.getClass()) {
        return create(f, config, secrets, ctx);
      }
    }
    throw new AdapterException(
        AdapterException.Kind.INVALID_CONFIG,
        "no adapter for " + config.getClass().getSimpleName() + " ('" + config.type() + "')");
  }

  /** Validates trigger-style metadata of {@code type} and creates the adapter (the KEDA path). */
  public static SignalAdapter<?> create(
      String type, Map<String, String> metadata, Map<String, String> secrets, AdapterContext ctx) {
    return factory(type).create(metadata, secrets, ctx);
  }

  private static <C extends SignalConfig> SignalAdapter<?> create(
      AdapterFactory<C, ?> f,
      SignalConfig config,
      Map<String, String> secrets,
      AdapterContext ctx) {
    return f.create(f.configType().cast(config), secrets, ctx);
  }
}
