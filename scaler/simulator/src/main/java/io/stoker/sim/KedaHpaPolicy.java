package io.stoker.sim;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.OptionalInt;

/**
 * KEDA's Kafka scaler feeding a Kubernetes HPA (KEDA's {@code pkg/scalers/kafka_scaler.go} and
 * {@code pkg/scaling/scale_handler.go}; the HPA's {@code
 * pkg/controller/podautoscaler/horizontal.go} and {@code replica_calculator.go}). The HPA syncs
 * every 15 s and KEDA's metrics server reads the lag on each of its requests (no {@code
 * useCachedMetrics}); the lag is capped at partitions × lagThreshold with KEDA's integer-division
 * test; an {@code AverageValue} target of lagThreshold gives {@code ceil(lag / lagThreshold)}
 * replicas unless the usage ratio over the pods that exist is within the 0.1 tolerance.
 *
 * <p>With the scale-down stabilization window at the controller's default (300 s) KEDA creates the
 * HPA without {@code behavior}: the legacy path, the highest recommendation of the window, and a
 * scale-up limit of max(2 × target, 4) per sync. Any other window means setting {@code behavior},
 * whose defaults then apply: scale-up not stabilized and limited to max(target + 4, 2 × target) per
 * 15 s period, scale-down to the highest recommendation of the window, 100 % per period.
 */
public final class KedaHpaPolicy implements SimPolicy {
  static final int HPA_SYNC_SECONDS = 15;
  static final double TOLERANCE = 0.1;

  /** The controller's {@code --horizontal-pod-autoscaler-downscale-stabilization} default. */
  static final int DEFAULT_DOWNSCALE_WINDOW_SECONDS = 300;

  private final long lagThreshold;
  private final boolean publishedDefault;
  private final int scaleDownWindow;
  private final Deque<int[]> recommendations = new ArrayDeque<>();

  /**
   * KEDA's default HPA: no {@code behavior}, the controller's 300 s scale-down window.
   *
   * @param lagThreshold the trigger's {@code lagThreshold}
   * @param publishedDefault true for KEDA's default value (10), named so in reports
   */
  public KedaHpaPolicy(long lagThreshold, boolean publishedDefault) {
    this(lagThreshold, publishedDefault, DEFAULT_DOWNSCALE_WINDOW_SECONDS);
  }

  /**
   * @param scaleDownWindow {@code behavior.scaleDown.stabilizationWindowSeconds}; 300 (the
   *     controller's default) means no {@code behavior} at all
   */
  public KedaHpaPolicy(long lagThreshold, boolean publishedDefault, int scaleDownWindow) {
    if (lagThreshold <= 0) {
      throw new IllegalArgumentException("lagThreshold must be > 0");
    }
    if (scaleDownWindow < 0) {
      throw new IllegalArgumentException("scaleDownWindow must be >= 0");
    }
    this.lagThreshold = lagThreshold;
    this.publishedDefault = publishedDefault;
    this.scaleDownWindow = scaleDownWindow;
  }

  /** The HPA scales a StatefulSet of executors: the highest ordinal goes first. */
  @Override
  public Removal removal() {
    return Removal.HIGHEST_ORDINAL;
  }

  @Override
  public String name() {
    return "keda-hpa[lagThreshold=" + lagThreshold + ",scaleDownWindow=" + scaleDownWindow + "]";
  }

  @Override
  public String setting() {
    boolean defaults = publishedDefault && !behavior();
    return "lagThreshold="
        + lagThreshold
        + ", scaleDownWindow="
        + scaleDownWindow
        + "s"
        + (defaults ? " (KEDA and HPA defaults)" : "");
  }

  private boolean behavior() {
    return scaleDownWindow != DEFAULT_DOWNSCALE_WINDOW_SECONDS;
  }

  /** KEDA's capped lag metric (kafka_scaler.go getTotalLag, default options). */
  static long kedaMetric(long totalLag, long lagThreshold, int partitions) {
    long upperBound = partitions;
    if (totalLag / lagThreshold > upperBound) {
      return upperBound * lagThreshold;
    }
    return totalLag;
  }

  /**
   * HPA replica count for an External AverageValue metric (replica_calculator.go
   * GetExternalPerPodMetricReplicas): the tolerance is checked against the pods that exist.
   */
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

  /**
   * The scale-up limit: without {@code behavior} {@code calculateScaleUpLimit}, max(2 × current,
   * 4); with it, the default policies {Pods 4, Percent 100} per 15 s under {@code selectPolicy:
   * Max}, from the replicas at the start of the period, which is the current target since decisions
   * come once per 15 s sync.
   */
  static int scaleUpLimit(int current, boolean behavior) {
    if (!behavior) {
      return Math.max(2 * current, 4);
    }
    return Math.max(current + 4, 2 * current);
  }

  @Override
  public OptionalInt decide(SimView v) {
    int t = v.second();
    if (t % HPA_SYNC_SECONDS != 0) {
      return OptionalInt.empty();
    }
    Scenario sc = v.scenario();
    long metric = kedaMetric(Math.round(v.backlogRecords()), lagThreshold, sc.partitions());
    int current = v.target();
    int pods = v.readyExecutors() + v.pendingExecutors();
    int rec = hpaReplicas(metric, lagThreshold, pods);
    // The legacy path keeps a recommendation exactly as old as the window (it drops those Before
    // the cutoff); the behavior path keeps only those After it.
    while (!recommendations.isEmpty() && recommendations.peekFirst()[0] < t - scaleDownWindow) {
      recommendations.removeFirst();
    }
    int highest = rec;
    for (int[] r : recommendations) {
      if (!behavior() || r[0] > t - scaleDownWindow) {
        highest = Math.max(highest, r[1]);
      }
    }
    recommendations.addLast(new int[] {t, rec});
    int stabilised;
    if (behavior()) {
      // stabilizeRecommendationWithBehaviors: up window 0 (the recommendation itself), down window
      // the highest recommendation in it; the current count is brought within the two.
      stabilised = current < rec ? rec : Math.min(current, highest);
    } else {
      stabilised = highest;
    }
    int max = Math.min(sc.maxExecutors(), scaleUpLimit(current, behavior()));
    int min = Math.max(1, sc.minExecutors());
    return OptionalInt.of(Math.max(min, Math.min(stabilised, max)));
  }
}
