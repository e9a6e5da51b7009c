package io.stoker.adapters.spi;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What adapters share: the clock and long-lived clients (one Kafka Admin per cluster, one HTTP
 * client per process), created on first use and closed with the context.
 */
public final class AdapterContext implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AdapterContext.class);
  private final Clock clock;
  private final Map<String, AutoCloseable> shared = new ConcurrentHashMap<>();

  public AdapterContext(Clock clock) {
    this.clock = Objects.requireNonNull(clock);
  }

  public Clock clock() {
    return clock;
  }

  /** The shared resource under {@code key}, created once by {@code factory}. */
  public <R extends AutoCloseable> R shared(String key, Class<R> type, Supplier<R> factory) {
    return type.cast(shared.computeIfAbsent(key, k -> factory.get()));
  }

  /** Closes and forgets the shared resource under {@code key}, if any (a new one may follow). */
  public void closeShared(String key) {
    AutoCloseable c = shared.remove(key);
    if (c != null) {
      try {
        c.close();
      } catch (Exception e) {
        LOG.warn("closing shared adapter resource failed: {}", e.getClass().getSimpleName());
      }
    }
  }

  /** How many shared resources are held. */
  public int sharedCount() {
    return shared.size();
  }

  @Override
  public void close() {
    List<AutoCloseable> all = new ArrayList<>(shared.values());
    shared.clear();
    for (AutoCloseable c : all) {
      try {
        c.close();
      } catch (Exception e) {
        LOG.warn("closing shared adapter resource failed: {}", e.getClass().getSimpleName());
      }
    }
  }
}
