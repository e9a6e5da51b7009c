package io.stoker.app.capacity;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Protect at once, release only after a whole hold of inactivity, never rewrite the same. */
class EvictionHysteresisTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static final Duration HOLD = Duration.ofMinutes(2);

  static Optional<Instant> at(long seconds) {
    return Optional.of(T0.plusSeconds(seconds));
  }

  static Stream<Arguments> cases() {
    Optional<Boolean> none = Optional.empty();
    Optional<Boolean> prot = Optional.of(true);
    Optional<Boolean> rel = Optional.of(false);
    Optional<Instant> never = Optional.empty();
    return Stream.of(
        // name, applied, lastActive, firstSeen (s), now (s), expected
        Arguments.of("active, unannotated: protect at once", none, at(0), 0, 0, prot),
        Arguments.of("active, released before: protect at once", rel, at(100), 0, 100, prot),
        Arguments.of("active, protected: nothing to write", prot, at(100), 0, 100, none),
        Arguments.of("idle for less than the hold: keep", prot, at(0), 0, 119, none),
        Arguments.of("idle for the hold: release", prot, at(0), 0, 120, rel),
        Arguments.of("released and idle: nothing to write", rel, at(0), 0, 500, none),
        Arguments.of("never active, just seen: wait", none, never, 0, 60, none),
        Arguments.of("never active, seen for the hold: release", none, never, 0, 120, rel),
        Arguments.of("new replica, old executor, idle: waits a hold", prot, never, 100, 150, none));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void decides(
      String name,
      Optional<Boolean> applied,
      Optional<Instant> lastActive,
      long firstSeen,
      long now,
      Optional<Boolean> expected) {
    assertThat(
            EvictionHysteresis.decide(
                applied, lastActive, T0.plusSeconds(firstSeen), T0.plusSeconds(now), HOLD))
        .isEqualTo(expected);
  }
}
