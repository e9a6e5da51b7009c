package io.stoker.app.signals;

import io.stoker.adapters.spi.Reading;
import io.stoker.core.model.Observation;
import io.stoker.core.model.Observation.MicroBatch;
import java.time.Instant;
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
 * @param readings successful readings, in the order kafka, spark, prometheus
 * @param errors failed signals and why
 */
public record Signals(List<Reading> readings, Map<String, String> errors) {

  public Signals {
    readings = List.copyOf(readings);
    errors = Map.copyOf(errors);
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
