package io.stoker.app.capacity;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Whether an executor pod should be protected from node scale-down, with hysteresis (pure). An
 * executor is active while it runs tasks, holds cached blocks, or wrote shuffle data since the last
 * look. It is protected ({@code safe-to-evict: "false"}) as soon as it is active, and released
 * ({@code "true"}) only after it has been inactive for the whole {@code hold}: a release happens at
 * most once per hold, so annotations never flap at the tick rate.
 */
public final class EvictionHysteresis {
  private EvictionHysteresis() {}

  /**
   * The annotation to write now, if any.
   *
   * @param applied the protection the pod carries now ({@code true}: safe-to-evict "false"), empty
   *     when it carries none of ours
   * @param lastActive when the executor was last seen active, empty if never
   * @param firstSeen when this replica first saw the executor
   * @param now the tick's time
   * @param hold how long inactivity must last before a release
   * @return true to protect, false to release, empty to leave the pod as it is
   */
  public static Optional<Boolean> decide(
      Optional<Boolean> applied,
      Optional<Instant> lastActive,
      Instant firstSeen,
      Instant now,
      Duration hold) {
    Instant quietSince = lastActive.orElse(firstSeen);
    boolean protect =
        lastActive.isPresent() && Duration.between(lastActive.get(), now).compareTo(hold) < 0;
    boolean releasable = Duration.between(quietSince, now).compareTo(hold) >= 0;
    if (protect) {
      return applied.equals(Optional.of(true)) ? Optional.empty() : Optional.of(true);
    }
    if (releasable && !applied.equals(Optional.of(false))) {
      return Optional.of(false);
    }
    return Optional.empty();
  }
}
