package io.stoker.adapters.spark;

import io.stoker.adapters.spi.AdapterException;
import io.stoker.adapters.spi.Param;
import io.stoker.adapters.spi.ParamSet;
import io.stoker.adapters.spi.SignalConfig;
import java.time.Duration;
import java.util.Map;

/**
 * Configuration of the Spark driver adapter (the CRD's {@code signals.spark}). The controller
 * builds it with {@link #ofDriver} and a null host, and aims it at the driver pod's IP at each
 * collection ({@link #withDriverHost}); trigger-style metadata are parsed by {@link #fromMap}. The
 * record's constructor checks every field.
 *
 * @param host driver host (pod IP or service); null until the controller knows the driver
 * @param port driver UI port
 * @param path PrometheusServlet path
 * @param executorsPath executors endpoint path
 * @param metricsNamespace {@code spark.metrics.namespace} if the app sets it, else null
 * @param stages whether to read the REST stages endpoint (batch backlog)
 * @param scheme http or https
 * @param timeout deadline of one collection
 */
public record SparkDriverConfig(
    String host,
    int port,
    String path,
    String executorsPath,
    String metricsNamespace,
    boolean stages,
    String scheme,
    Duration timeout)
    implements SignalConfig {

  public static final Param<String> HOST =
      Param.string("host", "driver host name or IP").asRequired();
  public static final Param<Long> PORT = Param.int64("port", "driver UI port").withDefault(4040L);
  public static final Param<String> PATH =
      Param.string("path", "PrometheusServlet path").withDefault("/metrics/prometheus/");
  public static final Param<String> EXECUTORS_PATH =
      Param.string("executorsPath", "executor metrics path")
          .withDefault("/metrics/executors/prometheus");
  public static final Param<String> METRICS_NAMESPACE =
      Param.string("metricsNamespace", "spark.metrics.namespace if the application sets one");
  public static final Param<Boolean> STAGES =
      Param.bool("stages", "read /api/v1/applications/{id}/stages for batch backlog")
          .withDefault(true);
  public static final Param<String> SCHEME =
      Param.custom(
              "scheme",
              "http|https",
              "URL scheme of the driver UI",
              s -> {
                String v = s.trim();
                if (!v.equals("http") && !v.equals("https")) {
                  throw new IllegalArgumentException("must be http or https");
                }
                return v;
              })
          .withDefault("http");
  public static final Param<Duration> TIMEOUT =
      Param.duration("timeout", "deadline of one collection").withDefault(Duration.ofSeconds(5));

  public static final ParamSet PARAMS =
      ParamSet.of(HOST, PORT, PATH, EXECUTORS_PATH, METRICS_NAMESPACE, STAGES, SCHEME, TIMEOUT);

  /**
   * Checks every field, each message naming the parameter.
   *
   * @throws AdapterException of kind INVALID_CONFIG
   */
  public SparkDriverConfig {
    ParamSet.reject(port < 1 || port > 65535, "parameter 'port' must be between 1 and 65535");
    ParamSet.reject(path == null || !path.startsWith("/"), "parameter 'path' must start with '/'");
    ParamSet.reject(
        executorsPath == null || !executorsPath.startsWith("/"),
        "parameter 'executorsPath' must start with '/'");
    ParamSet.reject(
        timeout == null || timeout.isZero() || timeout.isNegative(),
        "parameter 'timeout' must be positive");
    ParamSet.reject(
        !"http".equals(scheme) && !"https".equals(scheme),
        "parameter 'scheme': must be http or https");
  }

  /** Parses and validates trigger-style metadata. */
  public static SparkDriverConfig fromMap(Map<String, String> metadata) {
    ParamSet.Values v = PARAMS.parse(metadata, true);
    long port = v.get(PORT);
    ParamSet.reject(port < 1 || port > 65535, "parameter 'port' must be between 1 and 65535");
    return new SparkDriverConfig(
        v.get(HOST),
        (int) port,
        v.get(PATH),
        v.get(EXECUTORS_PATH),
        v.get(METRICS_NAMESPACE),
        v.get(STAGES),
        v.get(SCHEME),
        v.get(TIMEOUT));
  }

  /**
   * The config of the autoscaler's own driver, whose host is not known yet; a null argument takes
   * the default.
   *
   * @param stages whether to read the REST stages endpoint (two more requests per collection)
   */
  public static SparkDriverConfig ofDriver(
      Integer port, String path, String metricsNamespace, boolean stages) {
    return new SparkDriverConfig(
        null,
        port == null ? PORT.defaultValue().intValue() : port,
        path == null ? PATH.defaultValue() : path,
        EXECUTORS_PATH.defaultValue(),
        metricsNamespace,
        stages,
        SCHEME.defaultValue(),
        TIMEOUT.defaultValue());
  }

  @Override
  public String type() {
    return SparkDriverAdapter.TYPE;
  }

  /** Reads the driver of the autoscaler, whose IP the controller knows at collection time. */
  @Override
  public boolean needsDriverHost() {
    return true;
  }

  /** This config aimed at the driver at {@code host}. */
  @Override
  public SparkDriverConfig withDriverHost(String host) {
    return new SparkDriverConfig(
        host, port, path, executorsPath, metricsNamespace, stages, scheme, timeout);
  }

  /** Base URL of the driver UI, without a trailing slash. */
  public String baseUrl() {
    String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    return scheme + "://" + h + ":" + port;
  }
}
