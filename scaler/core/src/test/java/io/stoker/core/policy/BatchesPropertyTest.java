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
 * shorter than the last batch, and more capacity never makes more records stand.
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
