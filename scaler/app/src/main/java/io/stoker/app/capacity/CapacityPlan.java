package io.stoker.app.capacity;

import io.stoker.adapters.spark.SparkDriverConfig;
import io.stoker.app.spec.ParsedSpec;
import io.stoker.core.model.Decision;
import io.stoker.core.policy.Headroom;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What the capacity features of one autoscaler ask the cluster for at one tick ({@code
 * spec.capacity}, docs/capacity.md). Decided here, from the spec, the tick's decision and where the
 * executors are; the Kubernetes adapter ({@code io.stoker.app.k8s.capacity}) only carries it out.
 *
 * @param placeholders how many placeholder pods, and why (from the core's {@link Headroom}); empty
 *     when the feature is off (any placeholders left are removed)
 * @param provisioning executors a ProvisioningRequest asks room for; empty when the feature is off
 *     (any request left is removed)
 * @param shuffleProtectionPort the driver's UI port, whose executor states decide which executors
 *     are protected from node scale-down; empty when the feature is off
 */
public record CapacityPlan(
    Optional<Placeholders> placeholders,
    OptionalInt provisioning,
    OptionalInt shuffleProtectionPort) {

  /**
   * Placeholder pods to keep.
   *
   * @param pods how many
   * @param reason why that many, for the pods' annotation and the status
   */
  public record Placeholders(int pods, String reason) {
    public Placeholders {
      Objects.requireNonNull(reason);
    }
  }

  /** Spark's UI port when {@code signals.spark.port} is not set. */
  static final int SPARK_UI_PORT = 4040;

  public CapacityPlan {
    Objects.requireNonNull(placeholders);
    Objects.requireNonNull(provisioning);
    Objects.requireNonNull(shuffleProtectionPort);
  }

  /** The plan of an autoscaler whose executors are placed as {@code seen}. */
  public static CapacityPlan of(ParsedSpec spec, Decision decision, ExecutorPlacement seen) {
    ParsedSpec.Capacity cap = spec.capacity();
    int maxExecutors = spec.options().maxExecutors();
    Optional<Placeholders> placeholders = Optional.empty();
    if (cap.placeholders()) {
      Headroom.Plan p =
          Headroom.placeholders(
              Headroom.Input.of(
                  decision,
                  seen.placed(),
                  seen.unschedulable(),
                  cap.headroomExecutors(),
                  maxExecutors));
      placeholders = Optional.of(new Placeholders(p.placeholders(), p.reason()));
    }
    OptionalInt provisioning = OptionalInt.empty();
    if (cap.provisioningRequest()) {
      // room for the larger of the target and the forecast, less the executors already on nodes
      int wanted = Math.max(decision.target(), decision.inputs().forecastExecutors());
      provisioning = OptionalInt.of(Math.max(0, Math.min(wanted, maxExecutors) - seen.placed()));
    }
    OptionalInt port = cap.protectShuffle() ? OptionalInt.of(sparkPort(spec)) : OptionalInt.empty();
    return new CapacityPlan(placeholders, provisioning, port);
  }

  /** {@code signals.spark.port}, else Spark's UI default. */
  private static int sparkPort(ParsedSpec spec) {
    return spec.signal(SparkDriverConfig.class).map(SparkDriverConfig::port).orElse(SPARK_UI_PORT);
  }
}
