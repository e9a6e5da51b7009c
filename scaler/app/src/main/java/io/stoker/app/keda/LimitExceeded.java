package io.stoker.app.keda;

/** A bound of the external scaler was reached; answered {@code RESOURCE_EXHAUSTED}. */
final class LimitExceeded extends RuntimeException {
  private static final long serialVersionUID = 1L;

  LimitExceeded(String message) {
    super(message, null, false, false);
  }
}
