package io.stoker.app.reconcile;

import io.stoker.core.model.ScalingOptions;
import io.stoker.core.policy.Recommender;
import io.stoker.core.policy.ScalerState;
import java.util.Objects;

/**
 * What the controller remembers about one autoscaler between ticks. Touched only by that
 * autoscaler's reconcile, which the {@link Controller} runs one at a time per key.
 */
final class KeyState {
  private Recommender recommender;
  ScalerState scalerState = ScalerState.initial();

  /** The last target decided, or null before the first decision. */
  Integer lastTarget;

  /** The last target an Event was recorded for, or null. */
  Integer announced;

  /** The last Warning event recorded (condition type and message), or null. */
  String warned;

  /** The Secret ({@code namespace/name}) the spec referenced at the last reconcile, or null. */
  String secret;

  /** The last status written, to skip rewriting it while the cache catches up. */
  io.stoker.app.k8s.model.ExecutorAutoscalerStatus written;

  Recommender recommender(ScalingOptions options) {
    if (recommender == null || !Objects.equals(recommender.options(), options)) {
      recommender = new Recommender(options);
    }
    return recommender;
  }
}
