package io.stoker.app.controller.ports;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The Secrets autoscalers reference for Kafka client settings ({@code authSecretRef}). Values are
 * never logged or put in status, events or metrics.
 */
public interface SecretSource {

  /** The Secret's data, decoded; empty if it does not exist. */
  CompletableFuture<Optional<Map<String, String>>> read(String namespace, String name);

  /**
   * Drops what is held of the Secrets no autoscaler references any more.
   *
   * @param referenced keys ({@link #key}) of the Secrets autoscalers reference
   */
  void retain(Set<String> referenced);

  /** Keys of the Secrets held. */
  Set<String> cached();

  /** The key of a Secret: {@code namespace/name}. */
  static String key(String namespace, String name) {
    return namespace + "/" + name;
  }
}
