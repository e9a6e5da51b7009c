package io.stoker.app.keda;

import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.stoker.app.keda.proto.ExternalScalerGrpc;
import io.stoker.app.keda.proto.GetMetricsRequest;
import io.stoker.app.keda.proto.ScaledObjectRef;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A grpc-java client of the KEDA external scaler for tests outside this package, with plain Java
 * results so that they need no gRPC types. Calls the way KEDA does: {@code GetMetrics} then {@code
 * IsActive} with {@code autoscaler: <name>} in the metadata.
 */
public final class ScalerClient implements AutoCloseable {
  private final ManagedChannel channel;
  private final ExternalScalerGrpc.ExternalScalerBlockingStub stub;

  /** What one KEDA poll saw: the metric value (int and float fields) and the activity. */
  public record Poll(long value, double valueFloat, boolean active) {}

  /** Plaintext. */
  public ScalerClient(int port) {
    this(LoopbackChannels.plaintext(port));
  }

  private ScalerClient(ManagedChannel channel) {
    this.channel = channel;
    stub = ExternalScalerGrpc.newBlockingStub(channel);
  }

  /** TLS, trusting the CA certificates in {@code caPem}. */
  public static ScalerClient tls(int port, Path caPem) throws IOException {
    return new ScalerClient(
        Grpc.newChannelBuilderForAddress(
                InetAddress.getLoopbackAddress().getHostAddress(),
                port,
                TlsChannelCredentials.newBuilder().trustManager(caPem.toFile()).build())
            .build());
  }

  /**
   * One poll of {@code namespace/autoscaler}.
   *
   * @throws IllegalStateException with the gRPC status code as message when a call fails
   */
  public Poll poll(String namespace, String autoscaler) {
    ScaledObjectRef ref =
        ScaledObjectRef.newBuilder()
            .setName("so")
            .setNamespace(namespace)
            .putAllScalerMetadata(Map.of("autoscaler", autoscaler))
            .build();
    var s = stub.withDeadlineAfter(10, TimeUnit.SECONDS);
    try {
      var v =
          s.getMetrics(
                  GetMetricsRequest.newBuilder()
                      .setScaledObjectRef(ref)
                      .setMetricName("executors")
                      .build())
              .getMetricValues(0);
      return new Poll(v.getMetricValue(), v.getMetricValueFloat(), s.isActive(ref).getResult());
    } catch (StatusRuntimeException e) {
      throw new IllegalStateException(e.getStatus().getCode().name(), e);
    }
  }

  @Override
  public void close() {
    try {
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
