package io.stoker.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SizingTest {

  /**
   * Headroom: with capacity C during a burst to r, the oldest record is t·(1 − C/r) old after t
   * seconds; the least C keeps that within the objective until capacity arrives.
   */
  @ParameterizedTest(name = "burst {0}/s, L {1}s, warm {2}s, cold {3}s, warm capacity {4}")
  @CsvSource({
    // rate, latency, warm delay, cold delay, warm capacity, expected capacity
    "18000, 60, 60, 60, 0, 0", // executors arrive within the objective: no headroom
    "18000, 60, 90, 90, 0, 6000", // 18000·(1 − 60/90)
    "18000, 60, 80, 240, 20000, 4500", // warm capacity covers the burst: warm delay only
    "18000, 60, 80, 240, 0, 13500", // nothing warm: 18000·(1 − 60/240)
    "18000, 60, 80, 240, 10000, 13500", // warm 10000 cannot carry it: as cold
    "12000, 60, 80, 240, 10000, 7000", // held until 80 s, then 10000 until 240 s: (12000·180 −
    // 10000·160) / 80
    "0, 60, 80, 240, 0, 0"
  })
  void holdsTheLeastCapacityThatKeepsABurstWithinTheObjective(
      double rate, double latency, double warm, double cold, double warmCap, double expected) {
    double c = Sizing.headroomCapacity(rate, latency, warm, cold, warmCap);
    double age = worstAge(rate, latency, warm, cold, warmCap, c);
    assertThat(age).isLessThanOrEqualTo(latency + 1e-6);
    if (c > 0) {
      // and it is the least: 1 % less capacity breaks the objective
      assertThat(worstAge(rate, latency, warm, cold, warmCap, c * 0.99)).isGreaterThan(latency);
    }
    assertThat(c).isCloseTo(expected, within(1.0));
  }

  /**
   * Placeholders: with {@code held} capacity until executors on warm room start and C after that,
   * the oldest record is {@code cold − (held·warm + C·(cold − warm)) / r} old just before new nodes
   * bring the rest; the least C keeps that within the objective.
   */
  /**
   * Rule "first come": until executors asked for now arrive, the ready capacity works the backlog,
   * then the capacity on its way; what goes beyond λ·f drains it, a shortfall grows it.
   */
  @ParameterizedTest(name = "backlog {0}, λ {1}/s, ready {2}/s, coming {3}/s, due in {4}s")
  @CsvSource({
    // backlog, forecast, ready capacity, coming capacity, pending s, delay s, expected left
    "500000, 15500, 14000, 22000, 5, 60, 244722", // +1500·5, then −(22000 − 17222)·55
    "500000, 15500, 14000, 22000, 60, 60, 590000", // nothing arrives in time: +1500·60
    "500000, 15500, 22000, 22000, 0, 60, 213333", // −4778·60
    "100000, 15500, 22000, 22000, 0, 60, 0", // worked off before then
    "100000, 10000, 10500, 10500, 0, 60, 100000", // within λ·f: kept for the arrivals
    "0, 15500, 14000, 14000, 0, 60, 90000" // a shortfall grows it from nothing
  })
  void theBacklogLeftWhenExecutorsAskedForNowArrive(
      double backlog,
      double forecast,
      double ready,
      double coming,
      double pending,
      double delay,
      double expected) {
    assertThat(Sizing.backlogLeft(backlog, forecast, 1 / 0.9, ready, coming, pending, delay))
        .isCloseTo(expected, within(1.0));
  }

  @ParameterizedTest(name = "burst {0}/s, L {1}s, warm {2}s, cold {3}s, held {4}")
  @CsvSource({
    // rate, latency, warm delay, cold delay, held, expected capacity after the warm delay
    "18000, 60, 70, 220, 5000, 16867", // (18000·160 − 5000·70) / 150
    "18000, 60, 70, 220, 12000, 13600", // (18000·160 − 12000·70) / 150
    "18000, 60, 70, 60, 0, 0", // a new node arrives within the objective
    "18000, 60, 70, 220, 18000, 0", // what is held carries the burst
    "0, 60, 70, 220, 0, 0"
  })
  void warmCapacityIsTheLeastThatKeepsABurstWithinTheObjectiveUntilNewNodes(
      double rate, double latency, double warm, double cold, double held, double expected) {
    double c = Sizing.warmCapacityForBurst(rate, latency, warm, cold, held);
    assertThat(c).isCloseTo(expected, within(1.0));
    if (c > held) {
      assertThat(worstAge(rate, latency, warm, cold, c, held)).isLessThanOrEqualTo(latency + 0.1);
      assertThat(worstAge(rate, latency, warm, cold, c * 0.99, held)).isGreaterThan(latency);
    }
  }

  /**
   * The executors held as headroom are the only warm capacity counted: the fewest that carry the
   * burst with themselves as the warm capacity, at most the cap.
   */
  @ParameterizedTest(name = "burst {0}/s, warm {1}s, cold {2}s, cap {3}")
  @CsvSource({
    // rate, warm delay, cold delay, cap, expected executors (μ 1000/s, L 60 s)
    "15000, 70, 230, 40, 12", // 11 held fall short: 15000·(1 − 60/230) = 11087/s
    "15000, 70, 70, 40, 3", // no cold delay: 15000·(1 − 60/70) = 2143/s
    "15000, 50, 50, 40, 0", // executors arrive within the objective
    "15000, 70, 230, 8, 12", // beyond the cap: what the cap cannot reach is still reported
    "0, 70, 230, 40, 0"
  })
  void heldHeadroomCountsOnlyTheExecutorsHeldAsWarm(
      double rate, double warm, double cold, int cap, int expected) {
    int n = Sizing.heldHeadroom(rate, 60, warm, cold, 1000, cap);
    assertThat(n).isEqualTo(expected);
    if (n > 0 && n <= cap) {
      assertThat(n)
          .isGreaterThanOrEqualTo(
              Sizing.ceil(Sizing.headroomCapacity(rate, 60, warm, cold, n * 1000.0) / 1000));
      assertThat(n - 1)
          .isLessThan(
              Sizing.ceil(Sizing.headroomCapacity(rate, 60, warm, cold, (n - 1) * 1000.0) / 1000));
    }
  }

  @org.junit.jupiter.api.Test
  void warmCapacityNeverExceedsTheBurstRate() {
    // executors on warm room arrive almost as late as new nodes: even the whole rate is not enough
    assertThat(Sizing.warmCapacityForBurst(18000, 60, 150, 160, 0)).isEqualTo(18000);
  }

  /** The oldest record's age just before capacity catches up, by brute force in 0.1 s steps. */
  private static double worstAge(
      double rate, double latency, double warm, double cold, double warmCap, double held) {
    double processed = 0;
    double worst = 0;
    for (double t = 0; t <= cold + 1; t += 0.1) {
      double cap = t < warm ? held : t < cold ? Math.max(held, warmCap) : rate;
      if (cap >= rate && processed >= rate * t - 1e-9) {
        break;
      }
      processed = Math.min(rate * t, processed + cap * 0.1);
      worst = Math.max(worst, t - processed / rate);
    }
    return worst;
  }

  @ParameterizedTest
  @CsvSource({"0.5, 1", "9.2, 10", "10.0, 10", "0, 0", "-3, 0"})
  void roundsUpAndNeverBelowZero(double v, int expected) {
    assertThat(Sizing.ceil(v)).isEqualTo(expected);
  }
}
