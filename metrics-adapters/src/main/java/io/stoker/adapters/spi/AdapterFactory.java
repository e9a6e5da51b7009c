package io.stoker.adapters.spi;

import java.util.Map;

/**
 * Creates one kind of adapter from its trigger-style metadata (KEDA parameter names where KEDA has
 * them) and a separate map of secret settings (filled by the controller from a Secret).
 */
public interface AdapterFactory {
  /** Registry key, lower case (for example {@code kafka}). */
  String type();

  /** The declared parameters of the adapter's config record. */
  ParamSet params();

  /**
   * Validates the metadata into the adapter's config record and creates the adapter.
   *
   * @throws AdapterException of kind INVALID_CONFIG naming the offending parameter
   */
  SignalAdapter<?> create(
      Map<String, String> metadata, Map<String, String> secrets, AdapterContext context);
}
