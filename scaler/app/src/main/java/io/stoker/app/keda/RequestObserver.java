package io.stoker.app.keda;

/**
 * Told of every finished call of the KEDA external-scaler service (the controller counts them in
 * {@code stoker_keda_requests_total} and {@code stoker_keda_request_duration_seconds}).
 */
@FunctionalInterface
public interface RequestObserver {
  /** Observes nothing. */
  RequestObserver NONE = (method, code, seconds) -> {};

  /**
   * @param method the bare gRPC method name ({@code GetMetrics}, {@code IsActive}, ...)
   * @param code the gRPC status code name ({@code OK}, {@code NOT_FOUND}, {@code CANCELLED}, ...)
   * @param seconds from the call's start to its end (a stream's whole life)
   */
  void completed(String method, String code, double seconds);
}
