package io.stoker.adapters.spi;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * An immutable reading produced by an adapter: the value and the instant the upstream data was
 * read.
 *
 * @param value the adapter-specific, immutable value
 * @param at when the upstream answered (from the adapter's clock)
 * @param <T> value type
 */
public record Sample<T>(T value, Instant at) {
  public Sample {
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(at, "at");
  }

  /** Age of this sample at {@code now}; never negative. */
  public Duration age(Instant now) {
    Duration d = Duration.between(at, now);
    return d.isNegative() ? Duration.ZERO : d;
  }
}
