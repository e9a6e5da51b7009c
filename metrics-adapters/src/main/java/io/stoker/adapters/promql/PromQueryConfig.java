package io.stoker.adapters.promql;

import io.stoker.adapters.spi.AdapterException;
import io.stoker.adapters.spi.Param;
import io.stoker.adapters.spi.ParamSet;
import io.stoker.adapters.spi.SignalConfig;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Configuration of the PromQL adapter with KEDA's Prometheus-scaler parameter names and defaults
 * (kedacore/keda {@code pkg/scalers/prometheus_scaler.go}).
 *
 * @param serverAddress Prometheus base URL, e.g. {@code http://prometheus:9090}
 * @param query PromQL instant query; must return 0 or 1 series
 * @param threshold HPA target value
 * @param activationThreshold active iff value &gt; this
 * @param ignoreNullValues empty result or NaN/Inf → 0 (true, KEDA's default) or an error (false)
 * @param namespace appended as {@code &namespace=} (Thanos tenancy), or null
 * @param customHeaders extra request headers
 * @param queryParameters extra query-string parameters
 * @param timeout request deadline (KEDA_HTTP_DEFAULT_TIMEOUT is 3 s)
 */
public record PromQueryConfig(
    String serverAddress,
    String query,
    double threshold,
    double activationThreshold,
    boolean ignoreNullValues,
    String namespace,
    Map<String, String> customHeaders,
    Map<String, String> queryParameters,
    Duration timeout)
    implements SignalConfig {

  public static final Param<String> SERVER_ADDRESS =
      Param.string("serverAddress", "Prometheus base URL").asRequired();
  public static final Param<String> QUERY =
      Param.string("query", "PromQL instant query returning 0 or 1 series").asRequired();
  public static final Param<Double> THRESHOLD =
      Param.float64("threshold", "target value per replica").asRequired();
  public static final Param<Double> ACTIVATION_THRESHOLD =
      Param.float64("activationThreshold", "active iff value > this").withDefault(0.0);
  public static final Param<Boolean> IGNORE_NULL_VALUES =
      Param.bool("ignoreNullValues", "empty result or NaN counts as 0 instead of an error")
          .withDefault(true);
  public static final Param<Boolean> UNSAFE_SSL =
      Param.bool("unsafeSsl", "skip TLS verification (not supported: must be false)");
  public static final Param<String> NAMESPACE =
      Param.string("namespace", "appended as &namespace= (Thanos)");
  public static final Param<Map<String, String>> CUSTOM_HEADERS =
      Param.custom("customHeaders", "k=v,...", "extra request headers", PromQueryConfig::pairs);
  public static final Param<Map<String, String>> QUERY_PARAMETERS =
      Param.custom(
          "queryParameters", "k=v,...", "extra query-string parameters", PromQueryConfig::pairs);
  public static final Param<Duration> TIMEOUT =
      Param.duration("timeout", "request deadline").withDefault(Duration.ofSeconds(3));

  public static final ParamSet PARAMS =
      ParamSet.of(
          SERVER_ADDRESS,
          QUERY,
          THRESHOLD,
          ACTIVATION_THRESHOLD,
          IGNORE_NULL_VALUES,
          UNSAFE_SSL,
          NAMESPACE,
          CUSTOM_HEADERS,
          QUERY_PARAMETERS,
          TIMEOUT);

  /**
   * Checks the fields, each message naming the parameter; drops a trailing '/' of the address.
   *
   * @throws AdapterException of kind INVALID_CONFIG
   */
  public PromQueryConfig {
    ParamSet.reject(
        serverAddress == null
            || (!serverAddress.startsWith("http://") && !serverAddress.startsWith("https://")),
        "parameter 'serverAddress' must be an http:// or https:// URL");
    ParamSet.reject(query == null || query.isBlank(), "parameter 'query' is required");
    ParamSet.reject(
        timeout == null || timeout.isZero() || timeout.isNegative(),
        "parameter 'timeout' must be positive");
    serverAddress =
        serverAddress.endsWith("/")
            ? serverAddress.substring(0, serverAddress.length() - 1)
            : serverAddress;
    customHeaders = customHeaders == null ? Map.of() : Map.copyOf(customHeaders);
    queryParameters = queryParameters == null ? Map.of() : Map.copyOf(queryParameters);
  }

  @Override
  public String type() {
    return PromQueryAdapter.TYPE;
  }

  /** Parses and validates trigger metadata ({@code metricType} is accepted and ignored). */
  public static PromQueryConfig fromMap(Map<String, String> metadata) {
    Map<String, String> m = new LinkedHashMap<>(metadata);
    m.remove("metricType");
    ParamSet.Values v = PARAMS.parse(m, true);
    String address = v.get(SERVER_ADDRESS);
    ParamSet.reject(
        !address.startsWith("http://") && !address.startsWith("https://"),
        "parameter 'serverAddress' must be an http:// or https:// URL");
    ParamSet.reject(v.get(UNSAFE_SSL), "parameter 'unsafeSsl': true is not supported");
    return new PromQueryConfig(
        address,
        v.get(QUERY),
        v.get(THRESHOLD),
        v.get(ACTIVATION_THRESHOLD),
        v.get(IGNORE_NULL_VALUES),
        v.get(NAMESPACE),
        v.get(CUSTOM_HEADERS),
        v.get(QUERY_PARAMETERS),
        v.get(TIMEOUT));
  }

  /**
   * A query from typed values, KEDA's defaults for the rest; the address and the query are checked
   * as the parameters {@code serverAddress} and {@code query} are, the threshold as {@code
   * threshold} (its text, as KEDA takes it; absent is 1).
   */
  public static PromQueryConfig of(String serverAddress, String query, String threshold) {
    return new PromQueryConfig(
        SERVER_ADDRESS.parseOrDefault(serverAddress),
        QUERY.parseOrDefault(query),
        THRESHOLD.parseOrDefault(threshold == null ? "1" : threshold),
        ACTIVATION_THRESHOLD.defaultValue(),
        IGNORE_NULL_VALUES.defaultValue(),
        null,
        Map.of(),
        Map.of(),
        TIMEOUT.defaultValue());
  }

  /** KEDA's {@code key1=value1,key2=value2} map syntax. */
  static Map<String, String> pairs(String raw) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String part : raw.split(",")) {
      if (part.isBlank()) {
        continue;
      }
      int eq = part.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("expected key=value pairs separated by commas");
      }
      out.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
    }
    return out;
  }
}
