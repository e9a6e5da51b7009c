package io.stoker.app.keda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.stoker.app.keda.proto.ExternalScalerGrpc;
import io.stoker.app.keda.proto.ScaledObjectRef;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * TLS and mutual TLS from PEM files (test-only certificates in {@code grpc-tls/}, see its {@code
 * generate.sh}), driven by grpc-java clients on loopback.
 */
class ScalerServerTlsTest {
  private static final ScaledObjectRef REF =
      ScaledObjectRef.newBuilder()
          .setName("so")
          .setNamespace("team-a")
          .putScalerMetadata("autoscaler", "etl")
          .build();
  private final TestingDesiredState state = new TestingDesiredState().put("team-a", "etl", 3);
  private final List<ManagedChannel> channels = new ArrayList<>();
  private ScalerServer server;

  @AfterEach
  void stop() throws InterruptedException {
    for (ManagedChannel c : channels) {
      c.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.close();
    }
  }

  private static Path pem(String name) throws Exception {
    return Path.of(ScalerServerTlsTest.class.getResource("/grpc-tls/" + name).toURI());
  }

  private void start(Optional<Path> clientCa) throws Exception {
    server =
        ScalerServer.start(
            new ScalerServer.Settings(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                Duration.ofMillis(10),
                Duration.ofHours(1),
                Optional.of(new ScalerServer.Tls(pem("server.pem"), pem("server.key"), clientCa))),
            state);
  }

  private boolean isActive(ChannelCredentials credentials) {
    ManagedChannel c =
        Grpc.newChannelBuilderForAddress(
                InetAddress.getLoopbackAddress().getHostAddress(), server.port(), credentials)
            .build();
    channels.add(c);
    return ExternalScalerGrpc.newBlockingStub(c)
        .withDeadlineAfter(30, TimeUnit.SECONDS)
        .isActive(REF)
        .getResult();
  }

  private Status.Code failure(ChannelCredentials credentials) {
    return catchThrowableOfType(StatusRuntimeException.class, () -> isActive(credentials))
        .getStatus()
        .getCode();
  }

  private static TlsChannelCredentials.Builder trusting() throws Exception {
    return TlsChannelCredentials.newBuilder().trustManager(pem("ca.pem").toFile());
  }

  @Test
  void tlsServesClientsThatTrustTheCaAndRefusesPlaintext() throws Exception {
    start(Optional.empty());

    assertThat(isActive(trusting().build())).isTrue();
    assertThat(failure(InsecureChannelCredentials.create())).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(
            failure(
                TlsChannelCredentials.newBuilder()
                    .trustManager(pem("other-ca.pem").toFile())
                    .build()))
        .isEqualTo(Status.Code.UNAVAILABLE);
  }

  @Test
  void mutualTlsRequiresAClientCertificateSignedByTheClientCa() throws Exception {
    start(Optional.of(pem("ca.pem")));

    assertThat(
            isActive(
                trusting()
                    .keyManager(pem("client.pem").toFile(), pem("client.key").toFile())
                    .build()))
        .isTrue();
    assertThat(failure(trusting().build())).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(
            failure(
                trusting()
                    .keyManager(pem("stranger.pem").toFile(), pem("stranger.key").toFile())
                    .build()))
        .isEqualTo(Status.Code.UNAVAILABLE);
  }
}
