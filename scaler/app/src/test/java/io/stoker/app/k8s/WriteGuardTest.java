package io.stoker.app.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The global write limit: its burst is its own setting, not the per-second rate. */
class WriteGuardTest {

  private static WriteGuard guard(int perSecond, int burst) {
    return new WriteGuard(
        new WriteGuard.Limits(perSecond, burst, 1000, Duration.ZERO, 1, Duration.ofMillis(10)),
        () -> true);
  }

  private static int writesAtOnce(WriteGuard g, int tries) {
    int done = 0;
    for (int i = 0; i < tries; i++) {
      try {
        g.write("ns/a" + i, "status", () -> null);
        done++;
      } catch (WriteRefused e) {
        assertThat(e.why()).isEqualTo(WriteRefused.Why.RATE_LIMITED);
      }
    }
    return done;
  }

  @Test
  void aBurstLargerThanTheRateIsLetThroughAtOnce() {
    // 1 write per second with a burst of 6: the bucket refills every 6 s, so 6 pass now.
    assertThat(writesAtOnce(guard(1, 6), 10)).isEqualTo(6);
  }

  @Test
  void aBurstOfOneLetsOneWriteThrough() {
    // 1 per second, burst 1: one write now, the rest refused (no wait allowed).
    assertThat(writesAtOnce(guard(1, 1), 5)).isEqualTo(1);
  }

  @Test
  void aZeroBurstIsRefused() {
    assertThatThrownBy(() -> guard(10, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
