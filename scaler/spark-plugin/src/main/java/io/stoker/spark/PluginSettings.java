package io.stoker.spark;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.SparkConf;
import scala.Tuple2;

/**
 * The plugin's configuration, read once from the driver's {@link SparkConf}. Every key and its
 * default is documented in the module README.
 */
record PluginSettings(
    String annotationKey,
    String preferredAnnotationKey,
    Duration preferredWait,
    int maxExecutors,
    Optional<String> podName,
    String namespace,
    Optional<String> apiServer,
    Duration reconcileInterval,
    Duration backoffInitial,
    Duration backoffMax,
    Duration resyncInterval,
    boolean dynamicAllocationEnabled,
    boolean decommissionEnabled,
    int configuredInstances,
    String decommissionMessage,
    Optional<String> commitGroup,
    Optional<String> kafkaBootstrapServers,
    Map<String, String> kafkaAdminProperties) {

  static final String PREFIX = "spark.stoker.";
  static final String DEFAULT_ANNOTATION = "stoker.io/target-executors";
  static final String DEFAULT_PREFERRED_ANNOTATION = "stoker.io/preferred-executors";
  static final String KAFKA_ADMIN_PREFIX = PREFIX + "kafka.admin.";

  static PluginSettings from(SparkConf conf) {
    Map<String, String> admin = new HashMap<>();
    for (Tuple2<String, String> kv : conf.getAllWithPrefix(KAFKA_ADMIN_PREFIX)) {
      admin.put(kv._1(), kv._2());
    }
    String master = conf.get("spark.master", "");
    // With dynamic allocation off Spark's initial target is spark.executor.instances; on
    // Kubernetes it defaults to 2 (SchedulerBackendUtils.DEFAULT_NUMBER_EXECUTORS).
    int instances = conf.getInt("spark.executor.instances", master.startsWith("k8s://") ? 2 : 0);
    return new PluginSettings(
        conf.get(PREFIX + "target.annotation", DEFAULT_ANNOTATION),
        conf.get(PREFIX + "preferredExecutors.annotation", DEFAULT_PREFERRED_ANNOTATION),
        Duration.ofMillis(conf.getTimeAsMs(PREFIX + "preferredExecutors.wait", "30s")),
        conf.getInt(PREFIX + "maxExecutors", 1000),
        opt(conf, PREFIX + "kubernetes.podName")
            .or(() -> opt(conf, "spark.kubernetes.driver.pod.name")),
        opt(conf, PREFIX + "kubernetes.namespace")
            .or(() -> opt(conf, "spark.kubernetes.namespace"))
            .orElse("default"),
        opt(conf, PREFIX + "kubernetes.apiServer"),
        Duration.ofMillis(conf.getTimeAsMs(PREFIX + "reconcileInterval", "1s")),
        Duration.ofMillis(conf.getTimeAsMs(PREFIX + "kubernetes.backoff.initial", "1s")),
        Duration.ofMillis(conf.getTimeAsMs(PREFIX + "kubernetes.backoff.max", "30s")),
        Duration.ofMillis(conf.getTimeAsMs(PREFIX + "kubernetes.resyncInterval", "60s")),
        conf.getBoolean("spark.dynamicAllocation.enabled", false),
        conf.getBoolean("spark.decommission.enabled", false),
        instances,
        conf.get(PREFIX + "decommission.message", "stoker scale down"),
        opt(conf, PREFIX + "kafka.commitGroup"),
        opt(conf, PREFIX + "kafka.bootstrapServers"),
        Map.copyOf(admin));
  }

  private static Optional<String> opt(SparkConf conf, String key) {
    return conf.contains(key) && !conf.get(key).isBlank()
        ? Optional.of(conf.get(key).trim())
        : Optional.empty();
  }
}
