package io.stoker.app.k8s;

/** A Kubernetes write that was not attempted: this replica is not the leader, or a limit is hit. */
public final class WriteRefused extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why. */
  public enum Why {
    NOT_LEADER,
    RATE_LIMITED
  }

  private final Why why;

  public WriteRefused(Why why, String message) {
    super(message);
    this.why = why;
  }

  public Why why() {
    return why;
  }
}
