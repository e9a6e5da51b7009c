package io.stoker.core.model;

/**
 * Machine-readable cause of a decision; it is the {@code reason} label of {@code
 * stoker_scaling_decisions_total}. The human-readable sentence is {@link Decision#reason()}.
 */
public enum Reason {
  /** Sized for the forecast arrival rate and the backlog. */
  DEMAND("demand"),
  /** Sized to absorb a burst of the magnitude observed recently. */
  BURST_HEADROOM("burst_headroom"),
  /** The change is within the tolerance band: keep the current target. */
  WITHIN_TOLERANCE("within_tolerance"),
  /** A scale-down is deferred by the down-scale stabilisation window or step limits. */
  STABILISING("stabilising"),
  /** A required signal is missing: hold the last target. */
  SIGNAL_MISSING("signal_missing"),
  /** A required signal is older than allowed: hold the last target. */
  SIGNAL_STALE("signal_stale"),
  /** The last scale-up did not raise throughput as expected: no further scale-up. */
  INEFFECTIVE_SCALE_UP("ineffective_scale_up"),
  /**
   * The source caps what each micro-batch reads (Kafka's {@code maxOffsetsPerTrigger}): sized for
   * the capped batches, as more executors would not process more.
   */
  READ_CAPPED("read_capped"),
  /** The executor rate is not known yet and there is no backlog to learn it from. */
  LEARNING("learning");

  private final String label;

  Reason(String label) {
    this.label = label;
  }

  /** The Prometheus label value. */
  public String label() {
    return label;
  }
}
