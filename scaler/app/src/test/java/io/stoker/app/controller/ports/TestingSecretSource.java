package io.stoker.app.controller.ports;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/** In-memory {@link SecretSource}: the Secrets a test put; those read are held until retained. */
public final class TestingSecretSource implements SecretSource {
  private final Map<String, Map<String, String>> secrets = new ConcurrentHashMap<>();
  private final Set<String> held = ConcurrentHashMap.newKeySet();

  public void put(String namespace, String name, Map<String, String> data) {
    secrets.put(SecretSource.key(namespace, name), Map.copyOf(data));
  }

  @Override
  public CompletableFuture<Optional<Map<String, String>>> read(String namespace, String name) {
    String key = SecretSource.key(namespace, name);
    held.add(key);
    return CompletableFuture.completedFuture(Optional.ofNullable(secrets.get(key)));
  }

  @Override
  public void retain(Set<String> referenced) {
    held.retainAll(referenced);
  }

  @Override
  public Set<String> cached() {
    return Set.copyOf(held);
  }
}
