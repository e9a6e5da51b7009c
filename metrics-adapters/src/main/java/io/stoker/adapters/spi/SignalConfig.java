package io.stoker.adapters.spi;

/**
 * The validated, typed configuration of one signal adapter (one record per adapter, such as {@code
 * KafkaLagConfig}). A config is built either from the controller's typed spec or, on the KEDA path,
 * from trigger metadata by its factory's {@link AdapterFactory#parse}; the registry turns it into
 * an adapter ({@code AdapterRegistry.create}).
 */
public interface SignalConfig {

  /** The adapter type this config is for, the registry key (for example {@code kafka}). */
  String type();

  /**
   * True when the adapter reads the Spark driver of the autoscaler, whose address the controller
   * knows only at collection time ({@link #withDriverHost}).
   */
  default boolean needsDriverHost() {
    return false;
  }

  /** This config aimed at the driver at {@code host}; the config itself when it needs none. */
  default SignalConfig withDriverHost(String host) {
    return this;
  }
}
