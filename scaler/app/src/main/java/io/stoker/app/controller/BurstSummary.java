package io.stoker.app.controller;

import io.stoker.app.k8s.model.ExecutorAutoscalerStatus;
import io.stoker.app.k8s.model.ExecutorAutoscalerStatus.BurstMemory;
import io.stoker.app.k8s.model.ExecutorAutoscalerStatus.RateEntry;
import io.stoker.core.policy.ScalerState.Burst;
import io.stoker.core.policy.ScalerState.Sample;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code status.burstMemory}: the decision core's burst memory ({@link Burst}: sliding maxima of
 * the arrival rate and of its rises) as a bounded summary a leader hands over. The core keeps one
 * sample per tick that may still become the maximum (up to a day of ticks); the summary keeps the
 * highest of each hour, stamped with the end of that hour: read back, every sample is remembered at
 * least as long as the core would have, at most an hour longer, never lower. At most {@link
 * BurstMemory#MAX_ENTRIES} per list: a longer memory merges its oldest hours (the higher value at
 * the later time). The stamp moves only when an hour ends, so the status changes only when a
 * maximum does or an hour passes.
 */
final class BurstSummary {
  /** Largest rate taken back, records/s: anything above is not a rate Stoker wrote. */
  static final double MAX_RATE = 1e12;

  private static final long HOUR = 3600;

  private BurstSummary() {}

  static BurstMemory write(Burst burst) {
    if (burst.peak().isEmpty() && burst.excess().isEmpty()) {
      return null;
    }
    BurstMemory m = new BurstMemory();
    m.peaks = hourly(burst.peak());
    m.rises = hourly(burst.excess());
    return m;
  }

  private static List<RateEntry> hourly(List<Sample> queue) {
    List<Sample> hours = new ArrayList<>();
    for (Sample s : queue) {
      Instant end =
          Instant.ofEpochSecond(Math.floorDiv(s.at().getEpochSecond(), HOUR) * HOUR + HOUR);
      int last = hours.size() - 1;
      if (last >= 0 && hours.get(last).at().equals(end)) {
        hours.set(last, new Sample(end, Math.max(hours.get(last).value(), s.value())));
      } else {
        hours.add(new Sample(end, s.value()));
      }
    }
    while (hours.size() > BurstMemory.MAX_ENTRIES) {
      Sample a = hours.remove(0);
      Sample b = hours.get(0);
      hours.set(0, new Sample(b.at(), Math.max(a.value(), b.value())));
    }
    List<RateEntry> out = new ArrayList<>(hours.size());
    for (Sample s : hours) {
      RateEntry e = new RateEntry();
      e.rate = s.value();
      e.time = s.at().toString();
      out.add(e);
    }
    return out;
  }

  /**
   * The persisted memory as the core's burst memory, empty when absent. Bounded before any work: at
   * most {@link BurstMemory#MAX_ENTRIES} entries per list are read; an entry without a finite rate
   * in [0, {@value #MAX_RATE}] or a readable time is left out; a time after {@code now} counts as
   * {@code now}.
   */
  static Burst read(ExecutorAutoscalerStatus status, Instant now) {
    if (status == null || status.burstMemory == null) {
      return Burst.NONE;
    }
    return Burst.merge(
        new Burst(samples(status.burstMemory.rises, now), samples(status.burstMemory.peaks, now)),
        Burst.NONE);
  }

  private static List<Sample> samples(List<RateEntry> entries, Instant now) {
    List<Sample> out = new ArrayList<>();
    if (entries == null) {
      return out;
    }
    for (RateEntry e : entries.subList(0, Math.min(entries.size(), BurstMemory.MAX_ENTRIES))) {
      if (e == null
          || e.rate == null
          || !Double.isFinite(e.rate)
          || e.rate < 0
          || e.rate > MAX_RATE
          || e.time == null) {
        continue;
      }
      try {
        Instant at = Instant.parse(e.time);
        out.add(new Sample(at.isAfter(now) ? now : at, e.rate));
      } catch (DateTimeParseException ignored) {
        // an unreadable entry is forgotten: the core learns the burst again
      }
    }
    return out;
  }
}
