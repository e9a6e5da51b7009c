package io.stoker.app.signals;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What to collect for one autoscaler at one tick.
 *
 * @param key {@code namespace/name} of the autoscaler
 * @param signals adapter metadata per signal type (from the spec)
 * @param driverHost the driver pod's IP, needed by the {@code spark} signal
 * @param secrets Kafka client settings read from the referenced Secret; never logged
 */
public record SignalRequest(
    String key,
    Map<String, Map<String, String>> signals,
    Optional<String> driverHost,
    Map<String, String> secrets) {

  public SignalRequest {
    Objects.requireNonNull(key, "key");
    signals = Map.copyOf(signals);
    Objects.requireNonNull(driverHost, "driverHost");
    secrets = Map.copyOf(secrets);
  }

  /** Never prints secret values. */
  @Override
  public String toString() {
    return "SignalRequest[key="
        + key
        + ", signals="
        + signals.keySet()
        + ", driverHost="
        + driverHost.orElse("-")
        + ", secrets="
        + secrets.keySet()
        + "]";
  }
}
