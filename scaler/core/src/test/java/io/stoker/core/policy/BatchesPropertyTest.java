package io.stoker.core.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.stoker.core.model.Observation.MicroBatch;
import java.util.Optional;
import java.util.OptionalDouble;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;

/**
 * The rules of {@link Batches} over any trigger, overhead, objective and target utilisation. Rules
 * "batch fit" and "slack": the capacity per record/s is finite, at least what fits the batches (f
 * at u = 1), keeps at least half of the utilisation margin and never more than all of it, and a
 * lower target never asks for less. Rules "standing backlog" and "batch in flight": what waits as a
 * matter of course is between none and an objective of arrivals, the batch in flight never counts
 * shorter than the last batch, and more capacity never makes more records stand. Rule "read cap":
 * one batch never makes a cap, and a capped batch's executors run it within its interval.
 */
class BatchesPropertyTest {
  private static final double EPS = 1e-9;

  @Property
  void keepsBetweenHalfAndAllOfTheMargin(
      @ForAll("batches") Optional<MicroBatch> batch,
      @ForAll @DoubleRange(min = 1, max = 3600) double latency,
      @ForAll @DoubleRange(min = 0.05, max = 1) double u) {
    double fit = Batches.capacityFactor(batch, latency, 1.0);
    double f = Batches.capacityFactor(batch, latency, u);
    double margin = 1 / u - 1;
    assertThat(f).isFinite();
    assertThat(fit).isGreaterThanOrEqualTo(1.0);
    assertThat(f).isGreaterThanOrEqualTo(fit * (1 + margin / 2) - EPS);
    assertThat(f).isLessThanOrEqualTo(fit * (1 + margin) + EPS);
  }

  @Property
  void aLowerTargetNeverAsksForLess(
      @ForAll("batches") Optional<MicroBatch> batch,
      @ForAll @DoubleRange(min = 1, max = 3600) double latency,
      @ForAll @DoubleRange(min = 0.05, max = 1) double u,
      @ForAll @DoubleRange(min = 0.01, max = 0.5) double lower) {
    double u2 = Math.max(0.01, u - lower);
    assertThat(Batches.capacityFactor(batch, latency, u2))
        .isGreaterThanOrEqualTo(Batches.capacityFactor(batch, latency, u) - EPS);
  }

  @Property
  void oneBatchNeverMakesAReadCap(
      @ForAll("batches") Optional<MicroBatch> batch,
      @ForAll @DoubleRange(min = 0, max = 1e9) double excess,
      @ForAll @DoubleRange(min = 0, max = 1e6) double arrival,
      @ForAll @DoubleRange(min = 0, max = 1e7) double capacity) {
    java.time.Instant at = java.time.Instant.parse("2026-03-01T00:00:00Z");
    ScalerState.ReadCap cap = Batches.readCap(null, batch, excess, arrival, capacity, at);
    assertThat(Batches.readCapped(cap, at)).isFalse();
    if (cap != null) {
      // the next observation of the same batch, one interval later, is not enough either
      double interval = batch.orElseThrow().intervalSeconds();
      java.time.Instant next = at.plusMillis(Math.round(interval * 1000));
      ScalerState.ReadCap again = Batches.readCap(cap, batch, excess, arrival, capacity, next);
      assertThat(Batches.readCapped(again, next)).isFalse();
    }
  }

  @Property
  void aCappedBatchsExecutorsRunItWithinItsInterval(
      @ForAll("batches") Optional<MicroBatch> batch,
      @ForAll @DoubleRange(min = 1, max = 1e6) double executorRate,
      @ForAll @DoubleRange(min = 0.05, max = 1) double u) {
    if (batch.isEmpty()) {
      return;
    }
    MicroBatch b = batch.get();
    int n = Batches.readCapExecutors(b.inputRows(), b, executorRate, u);
    if (b.intervalSeconds() > b.overheadSeconds()) {
      assertThat(n).isPositive();
      if (n < Integer.MAX_VALUE) { // else unbounded: too little room to count executors in an int
        assertThat(b.overheadSeconds() + b.inputRows() / ((double) n * executorRate))
            .isLessThanOrEqualTo(b.intervalSeconds() + EPS);
      }
    } else {
      assertThat(n).isEqualTo(Integer.MAX_VALUE);
    }
  }

  @Property
  void theStandingBacklogIsBoundedAndFallsWithCapacity(
      @ForAll("batches") Optional<MicroBatch> batch,
      @ForAll @DoubleRange(min = 0, max = 1e6) double arrival,
      @ForAll @DoubleRange(min = 1, max = 3600) double latency,
      @ForAll @DoubleRange(min = 0.05, max = 1) double u,
      @ForAll @DoubleRange(min = 0, max = 1e7) double capacity,
      @ForAll @DoubleRange(min = 0, max = 1e7) double more) {
    double unknown = Batches.standingBacklog(batch, arrival, latency, u, Double.NaN);
    double known = Batches.standingBacklog(batch, arrival, latency, u, capacity);
    double larger = Batches.standingBacklog(batch, arrival, latency, u, capacity + more);
    assertThat(known).isBetween(0.0, arrival * latency * (1 + EPS));
    assertThat(known).isGreaterThanOrEqualTo(unknown - EPS * Math.max(1, unknown));
    assertThat(larger).isLessThanOrEqualTo(known + EPS * Math.max(1, known));
  }

  @Provide
  Arbitrary<Optional<MicroBatch>> batches() {
    Arbitrary<Double> overhead = Arbitraries.doubles().between(0, 300).ofScale(3);
    Arbitrary<Double> tasks = Arbitraries.doubles().between(0.001, 300).ofScale(4);
    Arbitrary<Double> interval = Arbitraries.doubles().between(0.5, 600).ofScale(3).injectNull(0.3);
    Arbitrary<Optional<MicroBatch>> some =
        Combinators.combine(overhead, tasks, interval)
            .as(
                (o, t, i) ->
                    Optional.of(
                        new MicroBatch(
                            1000,
                            o + t,
                            OptionalDouble.of(t),
                            i == null ? OptionalDouble.empty() : OptionalDouble.of(i),
                            OptionalDouble.empty())));
    return Arbitraries.oneOf(some, Arbitraries.just(Optional.empty()));
  }
}
