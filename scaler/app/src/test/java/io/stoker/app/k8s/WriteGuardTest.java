package io.stoker.app.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The global write limit: its burst is its own setting, not the per-second rate. Leadership: a
 * reconcile writes only in the term it began in.
 */
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

  @Test
  void aReconcileWritesOnlyInTheLeadershipTermItBeganIn() {
    java.util.concurrent.atomic.AtomicLong term = new java.util.concurrent.atomic.AtomicLong(-1);
    WriteGuard g =
        new WriteGuard(
            new WriteGuard.Limits(1000, 1000, 1000, Duration.ZERO, 1, Duration.ofMillis(10)),
            term::get);
    // Began as a standby: refused even though the replica leads by the time it writes.
    g.begin("ns/a");
    assertThat(g.acting("ns/a")).isFalse();
    term.set(1);
    assertThatThrownBy(() -> g.write("ns/a", "annotation", () -> null))
        .isInstanceOfSatisfying(
            WriteRefused.class, e -> assertThat(e.why()).isEqualTo(WriteRefused.Why.NOT_LEADER));
    // Began as the leader of term 1: written.
    g.begin("ns/a");
    assertThat(g.acting("ns/a")).isTrue();
    assertThat(g.write("ns/a", "annotation", () -> "ok")).isEqualTo("ok");
    // Fenced (not renewed in time), then leading again in term 2: the term-1 reconcile is refused.
    term.set(-1);
    assertThatThrownBy(() -> g.write("ns/a", "status", () -> null))
        .isInstanceOf(WriteRefused.class);
    term.set(2);
    assertThatThrownBy(() -> g.write("ns/a", "status", () -> null))
        .isInstanceOf(WriteRefused.class);
    g.begin("ns/a");
    assertThat(g.write("ns/a", "status", () -> "ok")).isEqualTo("ok");
  }
}
