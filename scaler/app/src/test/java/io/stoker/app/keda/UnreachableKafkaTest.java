package io.stoker.app.keda;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.stoker.app.keda.proto.ExternalScalerGrpc;
import io.stoker.app.keda.proto.GetMetricsRequest;
import io.stoker.app.keda.proto.ScaledObjectRef;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 20: a Kafka-mode trigger whose broker cannot be reached is answered {@code UNAVAILABLE}
 * within the server's deadline (the default {@code --grpc-kafka-deadline}), with a description that
 * names the bootstrap address and the cause. It used to say only "the signal did not answer within
 * the deadline" for a broker that accepts connections and never answers.
 */
class UnreachableKafkaTest {
  /** The deadline under test: the server's default, as {@code stoker run} uses it. */
  private static final Duration DEADLINE = ScalerServer.CacheTiming.defaults().deadline();

  /** Generous, for a busy 2-core machine (class loading of the first call included). */
  private static final Duration MARGIN = Duration.ofSeconds(2);

  private ScalerServer server;
  private ManagedChannel channel;
  private ExternalScalerGrpc.ExternalScalerBlockingStub stub;

  @BeforeEach
  void start() throws IOException {
    server =
        ScalerServer.start(
            new ScalerServer.Settings(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                Duration.ofMillis(50),
                Duration.ofHours(1)),
            new TestingDesiredState(),
            ScalerServer.CacheTiming.defaults());
    channel = LoopbackChannels.plaintext(server.port());
    stub = ExternalScalerGrpc.newBlockingStub(channel);
  }

  @AfterEach
  void stop() throws InterruptedException {
    LoopbackChannels.close(channel, server);
  }

  /** A port that accepts connections and never reads nor answers. */
  private static final class Blackhole implements AutoCloseable {
    private final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();

    Blackhole() throws IOException {
      Thread t =
          new Thread(
              () -> {
                while (!socket.isClosed()) {
                  try {
                    accepted.add(socket.accept());
                  } catch (IOException e) {
                    return; // closed
                  }
                }
              },
              "blackhole");
      t.setDaemon(true);
      t.start();
    }

    String address() {
      return "127.0.0.1:" + socket.getLocalPort();
    }

    @Override
    public void close() throws IOException {
      socket.close();
      for (Socket s : accepted) {
        s.close();
      }
    }
  }

  /** A loopback port nothing listens on (bound once, then released). */
  private static String closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return "127.0.0.1:" + s.getLocalPort();
    }
  }

  private record Outcome(Status status, Duration took) {}

  private static ScaledObjectRef ref(String bootstrap) {
    return ScaledObjectRef.newBuilder()
        .setName("so")
        .setNamespace("team-a")
        .putAllScalerMetadata(
            Map.of(
                "scalerAddress", "stoker.stoker:9090",
                "bootstrapServers", bootstrap,
                "consumerGroup", "g",
                "topic", "orders"))
        .build();
  }

  /** One GetMetrics as KEDA sends it (its own deadline far away), timed. */
  private Outcome getMetrics(String bootstrap) {
    // Warm the channel and the parser first (no broker call): the time measured is the reading's.
    stub.withDeadlineAfter(60, TimeUnit.SECONDS).getMetricSpec(ref(bootstrap));
    ScaledObjectRef ref = ref(bootstrap);
    long t0 = System.nanoTime();
    Status s = Status.OK;
    try {
      stub.withDeadlineAfter(60, TimeUnit.SECONDS)
          .getMetrics(
              GetMetricsRequest.newBuilder()
                  .setScaledObjectRef(ref)
                  .setMetricName("kafka-orders")
                  .build());
    } catch (StatusRuntimeException e) {
      s = e.getStatus();
    }
    Outcome o = new Outcome(s, Duration.ofNanos(System.nanoTime() - t0));
    System.out.printf(
        "unreachable Kafka (%s): %s in %d ms (deadline %d ms): %s%n",
        bootstrap,
        o.status().getCode(),
        o.took().toMillis(),
        DEADLINE.toMillis(),
        s.getDescription());
    return o;
  }

  @Test
  void aClosedPortIsUnavailableNamingTheAddressAndConnectionRefused() throws Exception {
    String address = closedPort();

    Outcome o = getMetrics(address);

    assertThat(o.status().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(o.status().getDescription()).contains(address).contains("connection refused");
    assertThat(o.took()).isLessThan(DEADLINE.plus(MARGIN));
  }

  @Test
  void aPortThatAcceptsAndNeverAnswersIsUnavailableWithinTheDeadlineNamingIt() throws Exception {
    try (Blackhole hole = new Blackhole()) {
      Outcome o = getMetrics(hole.address());

      assertThat(o.status().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(o.status().getDescription()).contains(hole.address()).contains("timed out");
      assertThat(o.took()).isLessThan(DEADLINE.plus(MARGIN));
      // Asked again before the next background reading: the same answer, from memory.
      Outcome again = getMetrics(hole.address());
      assertThat(again.status().getDescription()).isEqualTo(o.status().getDescription());
      assertThat(again.took()).isLessThan(DEADLINE);
    }
  }

  @Test
  void aSilentAddressBesideARefusingOneIsNamedWithEachCause() throws Exception {
    String refused = closedPort();
    try (Blackhole hole = new Blackhole()) {
      Outcome o = getMetrics(refused + "," + hole.address());

      assertThat(o.status().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(o.status().getDescription()).contains(refused).contains(hole.address());
      assertThat(o.took()).isLessThan(DEADLINE.plus(MARGIN));
    }
  }
}
