package io.stoker.app.keda;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.stoker.app.keda.proto.ScaledObjectRef;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What a {@link ScaledObjectRef} asks for in the {@code autoscaler:} reference mode, validated:
 * {@code autoscaler: <name>} in the trigger metadata, with the ScaledObject's namespace (the Kafka
 * mode is {@link KafkaTrigger}). A key may carry KEDA's {@code FromEnv} suffix (KEDA keeps the
 * suffix and passes the resolved value).
 *
 * @param namespace the ScaledObject's namespace, where the ExecutorAutoscaler lives
 * @param autoscaler the ExecutorAutoscaler's name
 */
record ScalerRequest(String namespace, String autoscaler) {
  static final String AUTOSCALER = "autoscaler";
  static final String FROM_ENV = "FromEnv";
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

  /**
   * Parses {@code ref}.
   *
   * @throws StatusRuntimeException {@code INVALID_ARGUMENT} naming the missing or bad key
   */
  static ScalerRequest parse(ScaledObjectRef ref) {
    String namespace = ref.getNamespace();
    if (namespace.isEmpty()) {
      throw invalid("namespace: the ScaledObjectRef has no namespace");
    }
    if (namespace.length() > 63 || !DNS_LABEL.matcher(namespace).matches()) {
      throw invalid("namespace: '" + namespace + "' is not a valid namespace name");
    }
    Map<String, String> metadata = ref.getScalerMetadataMap();
    String key = AUTOSCALER;
    String name = metadata.get(key);
    if (name == null) {
      key = AUTOSCALER + FROM_ENV;
      name = metadata.get(key);
    }
    if (name == null) {
      throw invalid(
          "scalerMetadata.autoscaler: required (the name of an ExecutorAutoscaler in the"
              + " ScaledObject's namespace; autoscalerFromEnv is accepted too), or KEDA's"
              + " Kafka-scaler keys (bootstrapServers, consumerGroup, topic, lagThreshold, ...)");
    }
    if (name.isEmpty() || name.length() > 253 || !DNS_SUBDOMAIN.matcher(name).matches()) {
      throw invalid(
          "scalerMetadata." + key + ": '" + name + "' is not a valid ExecutorAutoscaler name");
    }
    return new ScalerRequest(namespace, name);
  }

  static StatusRuntimeException invalid(String message) {
    return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
  }

  @Override
  public String toString() {
    return namespace + "/" + autoscaler;
  }
}
