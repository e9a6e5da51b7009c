package io.stoker.app.controller;

import io.stoker.app.decide.Decider;

/**
 * What the controller remembers about one autoscaler between ticks. Touched only by that
 * autoscaler's reconcile, which the {@link Controller} runs one at a time per key.
 */
final class KeyState {
  /** The decide step's memory (core state, target in force): the target in force lives there. */
  final Decider decider = new Decider();

  /**
   * The last target an Event was recorded for, or null: the baseline of the next event, not the
   * target in force. The two differ after an event could not be recorded (the baseline stays, so
   * that the next tick announces the change again) and after a restart or a takeover (the baseline
   * is the status's {@code desiredExecutors}).
   */
  Integer announced;

  /** The last Warning event recorded (condition type and message), or null. */
  String warned;

  /** The Secret ({@code namespace/name}) the spec referenced at the last reconcile, or null. */
  String secret;

  /**
   * The last status written (as a JSON tree), to compare the next one with while the cache catches
   * up; null when unknown.
   */
  com.fasterxml.jackson.databind.node.ObjectNode written;

  /** The same status as an object (the base of the next status), or null. */
  io.stoker.app.k8s.model.ExecutorAutoscalerStatus writtenStatus;

  /** When {@link #written} was written (this controller's clock), or null. */
  java.time.Instant writtenAt;
}
