package io.stoker.app.commands;

import io.stoker.core.model.ScalingOptions;
import io.stoker.core.model.ScalingOptions.Behavior;
import io.stoker.sim.InputException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * Stoker's knobs for {@code stoker simulate --stoker KEY=VALUE}: tune the policy offline on your
 * own traffic. Bounds and the latency objective come from the scenario (they define the world and
 * the SLA every policy is measured against).
 */
final class StokerOptions {
  private StokerOptions() {}

  private static final Map<String, BiConsumer<ScalingOptions.Builder, String>> KEYS =
      new TreeMap<>();

  static {
    KEYS.put("targetUtilization", (b, v) -> b.targetUtilization(number(v)));
    KEYS.put("tolerance", (b, v) -> b.tolerance(number(v)));
    KEYS.put("maxSignalAge", (b, v) -> b.maxSignalAge(seconds(v)));
    KEYS.put("executorStartup", (b, v) -> b.executorStartup(seconds(v)));
    KEYS.put("burstMemory", (b, v) -> b.burstMemory(seconds(v)));
    KEYS.put("capacityRetention", (b, v) -> b.capacityRetention(seconds(v)));
    KEYS.put("ineffectiveThreshold", (b, v) -> b.ineffectiveThreshold(number(v)));
    KEYS.put("ineffectiveHold", (b, v) -> b.ineffectiveHold(seconds(v)));
    KEYS.put("rateSettleTime", (b, v) -> b.rateSettleTime(seconds(v)));
    KEYS.put("initialExecutorRate", (b, v) -> b.initialExecutorRate(number(v)));
  }

  /** Keys accepted, sorted, for help and error messages. */
  static final List<String> NAMES =
      List.of(
          "burstMemory",
          "capacityRetention",
          "executorStartup",
          "ineffectiveHold",
          "ineffectiveThreshold",
          "initialExecutorRate",
          "maxSignalAge",
          "rateSettleTime",
          "scaleDown.maxStepExecutors",
          "scaleDown.maxStepPercent",
          "scaleDown.stabilizationWindow",
          "scaleUp.maxStepExecutors",
          "scaleUp.maxStepPercent",
          "scaleUp.stabilizationWindow",
          "targetUtilization",
          "tolerance");

  /**
   * Builds Stoker's options from the defaults and {@code KEY=VALUE} overrides; durations in
   * seconds.
   *
   * @throws InputException naming an unknown key, a bad value or a broken rule
   */
  static ScalingOptions parse(Map<String, String> overrides) throws InputException {
    ScalingOptions.Builder b = ScalingOptions.defaults().toBuilder();
    Behavior up = ScalingOptions.defaults().scaleUp();
    Behavior down = ScalingOptions.defaults().scaleDown();
    for (Map.Entry<String, String> e : new TreeMap<>(overrides).entrySet()) {
      String key = e.getKey();
      String value = e.getValue();
      try {
        if (key.startsWith("scaleUp.")) {
          up = behavior(up, key.substring("scaleUp.".length()), value, key);
        } else if (key.startsWith("scaleDown.")) {
          down = behavior(down, key.substring("scaleDown.".length()), value, key);
        } else if (KEYS.containsKey(key)) {
          KEYS.get(key).accept(b, value);
        } else {
          throw new InputException(unknown(key));
        }
      } catch (NumberFormatException ex) {
        throw new InputException("--stoker " + key + ": not a number: '" + value + "'");
      }
    }
    ScalingOptions options = b.scaleUp(up).scaleDown(down).build();
    List<String> errors = options.validate();
    if (!errors.isEmpty()) {
      throw new InputException("--stoker: " + String.join("; ", errors));
    }
    return options;
  }

  private static Behavior behavior(Behavior b, String field, String value, String key)
      throws InputException {
    switch (field) {
      case "stabilizationWindow":
        return b.withWindow(seconds(value));
      case "maxStepPercent":
        return b.withMaxStepPercent(whole(value));
      case "maxStepExecutors":
        return b.withMaxStepExecutors(whole(value));
      default:
        throw new InputException(unknown(key));
    }
  }

  private static String unknown(String key) {
    return "--stoker: unknown key '" + key + "' (known: " + String.join(", ", NAMES) + ")";
  }

  private static double number(String v) {
    double d = Double.parseDouble(v.strip());
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      throw new NumberFormatException(v);
    }
    return d;
  }

  private static int whole(String v) {
    return Integer.parseInt(v.strip());
  }

  private static Duration seconds(String v) {
    return Duration.ofMillis(
        Math.round(number(v.strip().toLowerCase(Locale.ROOT).replaceFirst("s$", "")) * 1000));
  }
}
