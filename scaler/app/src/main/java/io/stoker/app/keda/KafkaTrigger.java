package io.stoker.app.keda;

import io.grpc.StatusRuntimeException;
import io.stoker.adapters.kafka.KafkaLagConfig;
import io.stoker.adapters.spi.AdapterException;
import io.stoker.adapters.spi.Param;
import io.stoker.adapters.spi.ParamSet;
import io.stoker.core.model.ScalingOptions;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The KEDA Kafka-scaler mode of the external scaler: the trigger metadata carries KEDA's Kafka
 * scaler keys ({@code bootstrapServers}, {@code consumerGroup}, {@code topic}, {@code
 * lagThreshold}, ...) and the answers are those of KEDA's Kafka scaler (metric name, value, cap,
 * activity), computed by the Kafka adapter of metrics-adapters. With {@code mode: rate}, the metric
 * is Stoker's rate-based recommendation of replicas (target 1) instead of the lag.
 *
 * <p>Every key may carry KEDA's {@code FromEnv} suffix (KEDA keeps the suffix and passes the value
 * resolved from the workload's environment); the plain key wins when both are present, as in KEDA.
 * The external-scaler keys KEDA copies into the metadata ({@code scalerAddress}, {@code enableTLS},
 * {@code unsafeSsl}) are ignored.
 *
 * @param config the Kafka scaler settings (KEDA's names, defaults and validation)
 * @param rate the rate-mode settings, empty in the default lag mode
 * @param kafkaMetadata the Kafka part of the metadata ({@code FromEnv} resolved), as written: part
 *     of the trigger's identity (the adapter is created from {@code config})
 */
record KafkaTrigger(KafkaLagConfig config, Optional<Rate> rate, Map<String, String> kafkaMetadata) {
  KafkaTrigger {
    kafkaMetadata = Map.copyOf(kafkaMetadata);
  }

  /** Triggers with the same settings are one (however they were spelled): one cache entry. */
  @Override
  public boolean equals(Object o) {
    return o instanceof KafkaTrigger t && config.equals(t.config) && rate.equals(t.rate);
  }

  @Override
  public int hashCode() {
    return config.hashCode() * 31 + rate.hashCode();
  }

  static final String MODE = "mode";

  /** Keys that select this mode. */
  private static final Set<String> SELECTORS = Set.of("bootstrapServers", "consumerGroup");

  /** Keys of the external scaler trigger itself, not of the Kafka scaler. */
  private static final Set<String> EXTERNAL_KEYS = Set.of("scalerAddress", "enableTLS");

  /** {@code mode: lag} (KEDA's Kafka scaler, the default) or {@code mode: rate}. */
  enum Mode {
    LAG,
    RATE
  }

  /**
   * Rate mode: Stoker's recommender over the group's backlog, arrival and consume rates, with
   * replicas in place of executors.
   *
   * @param options the recommender's options (bounds, latency objective, initial replica rate)
   */
  record Rate(ScalingOptions options) {}

  static final Param<Mode> MODE_PARAM =
      Param.oneOf(MODE, Mode.class, "lag: KEDA's Kafka scaler; rate: Stoker's recommendation")
          .withDefault(Mode.LAG);
  static final Param<Duration> TARGET_LATENCY =
      Param.duration("targetLatency", "rate mode: the oldest record must be younger than this")
          .withDefault(Duration.ofSeconds(60));
  static final Param<Double> REPLICA_RATE =
      Param.float64("replicaRate", "rate mode: records/s one replica processes, until measured");
  static final Param<Long> MIN_REPLICAS =
      Param.int64("minReplicas", "rate mode: lower bound of the recommendation").withDefault(0L);
  static final Param<Long> MAX_REPLICAS =
      Param.int64("maxReplicas", "rate mode: upper bound of the recommendation").withDefault(100L);
  private static final ParamSet RATE_PARAMS =
      ParamSet.of(MODE_PARAM, TARGET_LATENCY, REPLICA_RATE, MIN_REPLICAS, MAX_REPLICAS);

  /** True when {@code metadata} asks for the Kafka mode (it has a Kafka scaler selector key). */
  static boolean applies(Map<String, String> metadata) {
    for (String k : SELECTORS) {
      if (metadata.containsKey(k) || metadata.containsKey(k + ScalerRequest.FROM_ENV)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Parses KEDA trigger metadata.
   *
   * @throws StatusRuntimeException {@code INVALID_ARGUMENT} naming the bad or unknown key
   */
  static KafkaTrigger parse(Map<String, String> metadata) {
    Map<String, String> plain = resolveFromEnv(metadata);
    plain.keySet().removeAll(EXTERNAL_KEYS);
    Map<String, String> rateKeys = new HashMap<>();
    for (var p : RATE_PARAMS.params()) {
      String v = plain.remove(p.name());
      if (v != null) {
        rateKeys.put(p.name(), v);
      }
    }
    try {
      KafkaLagConfig config = KafkaLagConfig.fromMap(plain);
      ParamSet.Values r = RATE_PARAMS.parse(rateKeys, true);
      if (r.get(MODE_PARAM) == Mode.LAG) {
        for (String k : rateKeys.keySet()) {
          ParamSet.reject(!k.equals(MODE), "parameter '" + k + "' needs mode: rate");
        }
        return new KafkaTrigger(config, Optional.empty(), plain);
      }
      return new KafkaTrigger(config, Optional.of(new Rate(rateOptions(r))), plain);
    } catch (AdapterException | IllegalArgumentException e) {
      throw ScalerRequest.invalid("scalerMetadata: " + e.getMessage());
    }
  }

  private static ScalingOptions rateOptions(ParamSet.Values r) {
    long min = r.get(MIN_REPLICAS);
    long max = r.get(MAX_REPLICAS);
    ParamSet.reject(min < 0, "parameter 'minReplicas' must be >= 0");
    ParamSet.reject(max < 1 || max > 10_000, "parameter 'maxReplicas' must be in [1, 10000]");
    ParamSet.reject(min > max, "parameter 'minReplicas' must be <= maxReplicas");
    Duration latency = r.get(TARGET_LATENCY);
    ParamSet.reject(
        latency.isZero() || latency.isNegative(), "parameter 'targetLatency' must be > 0");
    ScalingOptions.Builder b =
        ScalingOptions.defaults().toBuilder().bounds((int) min, (int) max).targetLatency(latency);
    Double replicaRate = r.get(REPLICA_RATE);
    if (replicaRate != null) {
      ParamSet.reject(!(replicaRate > 0), "parameter 'replicaRate' must be > 0");
      b.initialExecutorRate(replicaRate);
    }
    return b.build();
  }

  /**
   * The metadata with every {@code xFromEnv} key renamed to {@code x}; a plain key present too
   * wins, as in KEDA (trigger metadata before resolved environment).
   */
  static Map<String, String> resolveFromEnv(Map<String, String> metadata) {
    Map<String, String> out = new HashMap<>();
    for (Map.Entry<String, String> e : metadata.entrySet()) {
      String k = e.getKey();
      if (k.endsWith(ScalerRequest.FROM_ENV) && k.length() > ScalerRequest.FROM_ENV.length()) {
        String plain = k.substring(0, k.length() - ScalerRequest.FROM_ENV.length());
        if (!metadata.containsKey(plain)) {
          out.put(plain, e.getValue());
        }
      } else {
        out.put(k, e.getValue());
      }
    }
    return out;
  }

  /**
   * The metric KEDA sees (before its {@code sN-} prefix): KEDA's Kafka-scaler name ({@code
   * kafka-<topic>} or {@code kafka-<group>-topics}); in rate mode the same name with {@code -rate}.
   */
  String metricName() {
    return rate.isPresent() ? config.metricName() + "-rate" : config.metricName();
  }

  /** The HPA target: KEDA's {@code lagThreshold}, or 1 replica in rate mode. */
  long target() {
    return rate.isPresent() ? 1 : config.lagThreshold();
  }

  @Override
  public String toString() {
    return "kafka group '"
        + config.consumerGroup()
        + "'"
        + (config.topics().isEmpty() ? "" : " topic '" + String.join(",", config.topics()) + "'")
        + rate.map(r -> " (mode rate)").orElse("")
        + " at "
        + config.bootstrapServers();
  }
}
