package io.stoker.adapters.spi;

import java.util.Map;

/**
 * Creates one kind of adapter from its typed config record. KEDA trigger metadata, which arrive as
 * strings, are parsed into that record by {@link #parse} (KEDA parameter names where KEDA has
 * them).
 *
 * @param <C> the adapter's config record
 * @param <A> the adapter
 */
public interface AdapterFactory<C extends SignalConfig, A extends SignalAdapter<?>> {
  /** Registry key, lower case (for example {@code kafka}). */
  String type();

  /** The config record this factory builds adapters from. */
  Class<C> configType();

  /** The declared parameters of the adapter's config record (its KEDA-metadata spelling). */
  ParamSet params();

  /**
   * Validates trigger-style metadata into the adapter's config record.
   *
   * @throws AdapterException of kind INVALID_CONFIG naming the offending parameter
   */
  C parse(Map<String, String> metadata);

  /**
   * Creates the adapter of a validated config; {@code secrets} are the client settings the
   * controller read from a Secret (only adapters that authenticate use them).
   *
   * @throws AdapterException of kind INVALID_CONFIG when the secrets are invalid
   */
  A create(C config, Map<String, String> secrets, AdapterContext context);

  /** {@link #parse} then {@link #create(SignalConfig, Map, AdapterContext)}: the KEDA path. */
  default A create(
      Map<String, String> metadata, Map<String, String> secrets, AdapterContext context) {
    return create(parse(metadata), secrets, context);
  }
}
