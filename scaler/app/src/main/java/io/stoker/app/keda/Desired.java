package io.stoker.app.keda;

import java.util.OptionalLong;

/**
 * What the controller last decided for one autoscaler, as the KEDA external scaler serves it.
 *
 * @param executors the desired executors (the controller's last target)
 * @param lag the Kafka lag seen at that decision, if the autoscaler reads one
 * @param activationLagThreshold lag above which the autoscaler counts as active (KEDA's {@code
 *     activationLagThreshold}, 0 when unset)
 */
public record Desired(int executors, OptionalLong lag, long activationLagThreshold) {
  public Desired {
    if (executors < 0) {
      throw new IllegalArgumentException("executors must be >= 0, got " + executors);
    }
  }

  /** Active when executors are wanted, or the lag is above the activation threshold. */
  public boolean active() {
    return executors > 0 || (lag.isPresent() && lag.getAsLong() > activationLagThreshold);
  }
}
