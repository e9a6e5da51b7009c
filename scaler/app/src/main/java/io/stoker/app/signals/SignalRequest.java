package io.stoker.app.signals;

import io.stoker.adapters.spi.SignalConfig;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What to collect for one autoscaler at one tick.
 *
 * @param key {@code namespace/name} of the autoscaler
 * @param signals the validated config of each signal to read (from the spec)
 * @param driverHost the driver pod's IP, needed by signals that read the driver
 * @param secrets Kafka client settings read from the referenced Secret; never logged
 */
public record SignalRequest(
    String key,
    List<SignalConfig> signals,
    Optional<String> driverHost,
    Map<String, String> secrets) {

  public SignalRequest {
    Objects.requireNonNull(key, "key");
    signals = List.copyOf(signals);
    Objects.requireNonNull(driverHost, "driverHost");
    secrets = Map.copyOf(secrets);
  }

  /** Never prints secret values. */
  @Override
  public String toString() {
    return "SignalRequest[key="
        + key
        + ", signals="
        + signals.stream().map(SignalConfig::type).toList()
        + ", driverHost="
        + driverHost.orElse("-")
        + ", secrets="
        + secrets.keySet()
        + "]";
  }
}
