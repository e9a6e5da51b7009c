package io.stoker.sim;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.OptionalInt;

/**
 * KEDA's Kafka scaler feeding a Kubernetes HPA, with their published defaults (KEDA's
 * kafka_scaler.go, the HPA's documented algorithm): KEDA polls the lag every 30 s and caps it at
 * partitions × lagThreshold with its integer-division test; the HPA syncs every 15 s with an
 * AverageValue target of lagThreshold, tolerance 0.1, no {@code behavior}: the highest
 * recommendation of the last 300 s for scale-down, and a scale-up limit of max(2 × current, 4).
 */
public final class KedaHpaPolicy implements SimPolicy {
  static final int KEDA_POLL_SECONDS = 30;
  static final int HPA_SYNC_SECONDS = 15;
  static final double TOLERANCE = 0.1;
  static final int DOWNSCALE_WINDOW_SECONDS = 300;

  private final long lagThreshold;
  private final boolean publishedDefault;
  private long metric = -1;
  private final Deque<int[]> recommendations = new ArrayDeque<>();

  /**
   * @param lagThreshold the trigger's {@code lagThreshold}
   * @param publishedDefault true for KEDA's default value (10), named so in reports
   */
  public KedaHpaPolicy(long lagThreshold, boolean publishedDefault) {
    if (lagThreshold <= 0) {
      throw new IllegalArgumentException("lagThreshold must be > 0");
    }
    this.lagThreshold = lagThreshold;
    this.publishedDefault = publishedDefault;
  }

  @Override
  public String name() {
    return "keda-hpa[" + setting() + "]";
  }

  @Override
  public String setting() {
    return "lagThreshold=" + lagThreshold + (publishedDefault ? " (KEDA default)" : "");
  }

  /** KEDA's capped lag metric (kafka_scaler.go getTotalLag, default options). */
  static long kedaMetric(long totalLag, long lagThreshold, int partitions) {
    long upperBound = partitions;
    if (totalLag / lagThreshold > upperBound) {
      return upperBound * lagThreshold;
    }
    return totalLag;
  }

  /** HPA replica count for an External AverageValue metric (replica_calculator.go). */
  static int hpaReplicas(long usage, long targetPerPod, int statusReplicas) {
    if (statusReplicas > 0) {
      double ratio = (double) usage / ((double) targetPerPod * statusReplicas);
      // Tolerances.isWithin: (1 - tolerance) <= ratio <= (1 + tolerance), both ends included.
      if (1.0 - TOLERANCE <= ratio && ratio <= 1.0 + TOLERANCE) {
        return statusReplicas;
      }
    }
    return (int) Math.min(Integer.MAX_VALUE, (long) Math.ceil((double) usage / targetPerPod));
  }

  @Override
  public OptionalInt decide(SimView v) {
    int t = v.second();
    Scenario sc = v.scenario();
    if (t % KEDA_POLL_SECONDS == 0) {
      metric = kedaMetric(Math.round(v.backlogRecords()), lagThreshold, sc.partitions());
    }
    if (t % HPA_SYNC_SECONDS != 0 || metric < 0) {
      return OptionalInt.empty();
    }
    int current = v.target();
    int rec = hpaReplicas(metric, lagThreshold, current);
    recommendations.addLast(new int[] {t, rec});
    while (!recommendations.isEmpty()
        && recommendations.peekFirst()[0] < t - DOWNSCALE_WINDOW_SECONDS) {
      recommendations.removeFirst();
    }
    int stabilised = rec;
    for (int[] r : recommendations) {
      stabilised = Math.max(stabilised, r[1]);
    }
    int scaleUpLimit = Math.max(2 * current, 4);
    int max = Math.min(sc.maxExecutors(), scaleUpLimit);
    int min = Math.max(1, sc.minExecutors());
    return OptionalInt.of(Math.max(min, Math.min(stabilised, max)));
  }
}
