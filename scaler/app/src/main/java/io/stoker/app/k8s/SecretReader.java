package io.stoker.app.k8s;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.stoker.app.controller.ports.SecretSource;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * Reads the Secret an autoscaler references for Kafka client settings ({@code authSecretRef}),
 * cached for a while so that thousands of autoscalers do not read it every tick. An entry lives at
 * most {@code ttl} and only while some autoscaler references it ({@link #retain}). Values are never
 * logged or put in status, events or metrics.
 */
public final class SecretReader implements SecretSource {
  private final KubernetesClient client;
  private final Executor blocking;
  private final Clock clock;
  private final Duration ttl;
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();

  private record Cached(Instant at, Optional<Map<String, String>> data) {}

  public SecretReader(KubernetesClient client, Executor blocking, Clock clock, Duration ttl) {
    this.client = client;
    this.blocking = blocking;
    this.clock = clock;
    this.ttl = ttl;
  }

  /** The Secret's data, decoded; empty if it does not exist. */
  @Override
  public CompletableFuture<Optional<Map<String, String>>> read(String namespace, String name) {
    String key = key(namespace, name);
    Cached c = cache.get(key);
    Instant now = clock.instant();
    if (c != null && fresh(c, now)) {
      return CompletableFuture.completedFuture(c.data());
    }
    return CompletableFuture.supplyAsync(
        () -> {
          Secret s = client.secrets().inNamespace(namespace).withName(name).get();
          Optional<Map<String, String>> data = Optional.ofNullable(s).map(SecretReader::decode);
          cache.put(key, new Cached(now, data));
          return data;
        },
        blocking);
  }

  /** The cache key of a Secret: {@code namespace/name}. */
  public static String key(String namespace, String name) {
    return SecretSource.key(namespace, name);
  }

  private boolean fresh(Cached c, Instant now) {
    return c.at().plus(ttl).isAfter(now);
  }

  /**
   * Drops the entries older than the TTL and those of Secrets no autoscaler references any more.
   *
   * @param referenced keys ({@link #key}) of the Secrets autoscalers reference
   */
  @Override
  public void retain(java.util.Set<String> referenced) {
    Instant now = clock.instant();
    cache.entrySet().removeIf(e -> !referenced.contains(e.getKey()) || !fresh(e.getValue(), now));
  }

  /** Keys of the Secrets held in the cache. */
  @Override
  public java.util.Set<String> cached() {
    return java.util.Set.copyOf(cache.keySet());
  }

  private static Map<String, String> decode(Secret s) {
    Map<String, String> out = new LinkedHashMap<>();
    if (s.getData() != null) {
      s.getData()
          .forEach(
              (k, v) ->
                  out.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
    }
    if (s.getStringData() != null) {
      out.putAll(s.getStringData());
    }
    return out;
  }
}
