package io.stoker.adapters.http;

import io.stoker.adapters.spi.AdapterContext;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionException;

/**
 * Run in a small-heap JVM by {@link HttpFetcherTest}: GETs {@code args[0]} once through the shared
 * fetcher (deadline {@code args[1]} ms), prints the outcome and the peak heap, exits 0.
 */
public final class FetchOnce {
  private FetchOnce() {}

  public static void main(String[] args) {
    String outcome;
    try (AdapterContext ctx = new AdapterContext(Clock.systemUTC())) {
      try {
        outcome =
            "body "
                + HttpFetcher.shared(ctx)
                    .get(args[0], Map.of(), Duration.ofMillis(Long.parseLong(args[1])))
                    .join()
                    .length();
      } catch (CompletionException e) {
        outcome = "error " + e.getCause();
      }
    }
    long old = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP
          && (pool.getName().contains("Old") || pool.getName().contains("Tenured"))) {
        old = pool.getPeakUsage().getUsed();
      }
    }
    System.out.println("outcome " + outcome);
    System.out.println("peakOldGenBytes " + old);
  }
}
