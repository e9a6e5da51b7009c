package io.stoker.app.decide;

import static org.assertj.core.api.Assertions.assertThat;

import io.stoker.adapters.spi.Reading;
import io.stoker.app.signals.Signals;
import io.stoker.core.model.Decision;
import io.stoker.core.model.ScalingOptions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** Where each tick of the leader and of a standby starts from. */
class DeciderTest {
  private static final ScalingOptions OPTIONS = ScalingOptions.defaults();

  private Instant now = Instant.parse("2026-03-01T00:00:00Z");

  /** A saturated fleet with a backlog: every tick wants more executors. */
  private Decision tick(Decider decider, int onObject, boolean acting) {
    now = now.plusSeconds(10);
    Reading r =
        Reading.empty("kafka", now)
            .withBacklog(200_000)
            .withArrivalRate(10_000)
            .withProcessingRate(4000)
            .withPartitions(128)
            .withBusyFraction(1.0);
    Decider.Fleet fleet = new Decider.Fleet(onObject, 0, 4, OptionalInt.of(onObject));
    return decider
        .decide(new Signals(List.of(r), Map.of()), fleet, OPTIONS, now, acting, List.of())
        .decision();
  }

  @Test
  void theLeaderStartsFromItsOwnTargetAndCorrectsDrift() {
    Decider decider = new Decider();
    assertThat(decider.last()).isEmpty();
    Decision first = tick(decider, 4, true);
    assertThat(first.from()).isEqualTo(4);
    assertThat(first.target()).isGreaterThan(4);
    assertThat(decider.last()).contains(first);
    // the object still shows 4 (someone set it back): the leader's target holds
    assertThat(tick(decider, 4, true).from()).isEqualTo(first.target());
  }

  @Test
  void aStandbyStartsEveryTickFromTheObjectAndSoDoesANewLeader() {
    Decider decider = new Decider();
    Decision first = tick(decider, 4, false);
    assertThat(first.target()).isGreaterThan(4);
    assertThat(decider.last()).as("a standby's decision is published too").contains(first);
    assertThat(tick(decider, 4, false).from()).as("not its own last decision").isEqualTo(4);
    // it takes over: its first tick starts from what the old leader left on the object
    Decision takeover = tick(decider, 6, true);
    assertThat(takeover.from()).isEqualTo(6);
    assertThat(tick(decider, 6, true).from()).isEqualTo(takeover.target());
  }
}
