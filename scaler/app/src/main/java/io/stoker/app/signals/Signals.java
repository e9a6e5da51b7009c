package io.stoker.app.signals;

import io.stoker.adapters.spi.Reading;
import io.stoker.core.model.Observation;
import io.stoker.core.model.Observation.MicroBatch;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * Everything collected for one autoscaler at one tick: the readings that arrived and, per signal
 * that failed, a message (never containing a secret).
 *
 * @param readings successful readings, put in the order kafka, spark, prometheus (then any other,
 *     as given) whatever the order they arrive in
 * @param errors failed signals and why
 */
public record Signals(List<Reading> readings, Map<String, String> errors) {

  /** Which source a field comes from when several have it: the first of these that has it. */
  static final List<String> PRECEDENCE = List.of("kafka", "spark", "prometheus");

  public Signals {
    // The order decides which source's backlog and arrival rate the decision uses: the Kafka
    // group's lag moves as records arrive, the driver's per-batch figures only when a batch ends.
    // Collectors read the signals in the order of a map that need not keep the spec's order (an
    // immutable Map's order changes from one JVM to the next), so the order is set here.
    readings =
        readings.stream()
            .sorted(Comparator.comparingInt((Reading r) -> precedence(r.signal())))
            .toList();
    errors = Map.copyOf(errors);
  }

  private static int precedence(String signal) {
    int i = PRECEDENCE.indexOf(signal);
    return i < 0 ? PRECEDENCE.size() : i;
  }

  /**
   * Fills an observation builder's signal fields: each field from the first reading that has it
   * (kafka before spark before prometheus). The observation time is the oldest reading that
   * supplied backlog or arrival rate, so a stale source makes the observation stale.
   */
  public Observation.Builder observation(Instant now) {
    Instant at = now;
    for (Reading r : readings) {
      if ((r.backlog().isPresent() || r.arrivalRate().isPresent()) && r.at().isBefore(at)) {
        at = r.at();
      }
    }
    Observation.Builder b = Observation.at(at);
    firstLong(Reading::backlog).ifPresent(b::backlog);
    firstDouble(Reading::arrivalRate).ifPresent(b::arrivalRate);
    firstDouble(Reading::processingRate).ifPresent(b::processingRate);
    firstInt(Reading::partitions).ifPresent(b::partitions);
    firstDouble(Reading::busyFraction).ifPresent(b::busyFraction);
    firstInt(Reading::taskBacklog).ifPresent(b::taskBacklog);
    lastBatch().ifPresent(b::lastBatch);
    return b;
  }

  /** The query's last completed micro-batch, if the driver plugin published a fresh, sane one. */
  public Optional<MicroBatch> lastBatch() {
    return readings.stream()
        .map(Reading::lastBatch)
        .filter(Optional::isPresent)
        .map(Optional::get)
        .findFirst()
        .map(
            m ->
                new MicroBatch(
                    m.inputRows(),
                    m.seconds(),
                    m.taskSeconds(),
                    m.triggerIntervalSeconds(),
                    m.taskSlotSeconds()));
  }

  /** The Kafka lag, if a source reported a backlog. */
  public OptionalLong backlog() {
    return firstLong(Reading::backlog);
  }

  /** The processing rate, if a source reported one. */
  public OptionalDouble processingRate() {
    return firstDouble(Reading::processingRate);
  }

  public Optional<Reading> reading(String signal) {
    return readings.stream().filter(r -> r.signal().equals(signal)).findFirst();
  }

  private OptionalLong firstLong(Function<Reading, OptionalLong> f) {
    return readings.stream()
        .map(f)
        .filter(OptionalLong::isPresent)
        .findFirst()
        .orElse(OptionalLong.empty());
  }

  private OptionalDouble firstDouble(Function<Reading, OptionalDouble> f) {
    return readings.stream()
        .map(f)
        .filter(OptionalDouble::isPresent)
        .findFirst()
        .orElse(OptionalDouble.empty());
  }

  private OptionalInt firstInt(Function<Reading, OptionalInt> f) {
    return readings.stream()
        .map(f)
        .filter(OptionalInt::isPresent)
        .findFirst()
        .orElse(OptionalInt.empty());
  }
}
