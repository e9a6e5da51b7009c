package io.stoker.app.keda;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.stoker.adapters.kafka.EmbeddedKafka;
import io.stoker.adapters.kafka.NotKafkaListener;
import io.stoker.app.keda.proto.ExternalScalerGrpc;
import io.stoker.app.keda.proto.ScaledObjectRef;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The Kafka mode of the gRPC port under hostile callers (issue 17 items 2 and 7), against a real
 * KRaft broker: a bootstrap address that speaks HTTP, and hundreds of distinct triggers and
 * clusters from one caller.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileGrpcTest {
  private static final int MAX_TRIGGERS = 50;
  private static final int MAX_CLUSTERS = 5;
  private EmbeddedKafka kafka;
  private ScalerServer server;
  private final AtomicLong ticker = new AtomicLong();
  private ManagedChannel channel;
  private ExternalScalerGrpc.ExternalScalerBlockingStub stub;

  @BeforeAll
  void startKafka() throws Exception {
    kafka = new EmbeddedKafka();
  }

  @AfterAll
  void stopKafka() throws Exception {
    kafka.close();
  }

  private void start(Duration idle) throws Exception {
    server =
        ScalerServer.start(
            new ScalerServer.Settings(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                Duration.ofMillis(50),
                Duration.ofHours(1)),
            new TestingDesiredState(),
            new ScalerServer.CacheTiming(Duration.ofMillis(500), Duration.ofSeconds(10), idle),
            new ScalerServer.KafkaLimits(MAX_TRIGGERS, MAX_CLUSTERS),
            RequestObserver.NONE,
            ticker::get);
    channel = LoopbackChannels.plaintext(server.port());
    stub = ExternalScalerGrpc.newBlockingStub(channel);
  }

  @AfterEach
  void stop() throws Exception {
    LoopbackChannels.close(channel, server);
  }

  private static ScaledObjectRef ref(String bootstrap, String group) {
    Map<String, String> m = new HashMap<>();
    m.put("scalerAddress", "stoker.stoker:9090");
    m.put("bootstrapServers", bootstrap);
    m.put("consumerGroup", group);
    m.put("topic", "t");
    return ScaledObjectRef.newBuilder()
        .setName("so")
        .setNamespace("team-a")
        .putAllScalerMetadata(m)
        .build();
  }

  private Status isActive(ScaledObjectRef r) {
    try {
      stub.withDeadlineAfter(30, TimeUnit.SECONDS).isActive(r);
      return Status.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus();
    }
  }

  private static long adminThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("kafka-admin-client-thread"))
        .count();
  }

  private static long liveThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).count();
  }

  private static long rssKb() throws Exception {
    for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (l.startsWith("VmRSS:")) {
        return Long.parseLong(l.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }

  @Test
  void anHttpListenerAsBootstrapIsUnavailableNamingItAndTheServerStaysUp() throws Exception {
    start(Duration.ofHours(1));
    try (NotKafkaListener http = new NotKafkaListener()) {
      Status s = isActive(ref(http.address(), "g"));
      assertThat(s.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(s.getDescription())
          .contains("Kafka bootstrap address " + http.address() + " does not speak Kafka")
          .contains("\"HTTP\"");
    }
    // Still serving: a trigger on the real broker gets its answer (the topic does not exist).
    assertThat(isActive(ref(kafka.bootstrap(), "g")).getCode()).isEqualTo(Status.Code.NOT_FOUND);
  }

  @Test
  void manyTriggersAndClustersAreBoundedAndIdleClustersAreClosed() throws Exception {
    // The cache's clock stands still while the 600 requests are made, however long a busy machine
    // takes for them: no trigger may expire (and free its cluster's place) in the middle.
    start(Duration.ofSeconds(3));
    long admins = adminThreads();
    long threads = liveThreads();
    long rss = rssKb();
    // 300 clusters (each bootstrap list names the real broker and a distinct closed port).
    int refused = 0;
    for (int i = 0; i < 300; i++) {
      String bootstrap = kafka.bootstrap() + ",127.0.0.1:" + (1 + i);
      Status s = isActive(ref(bootstrap, "g"));
      if (s.getCode() == Status.Code.RESOURCE_EXHAUSTED) {
        assertThat(s.getDescription()).contains("--grpc-kafka-max-clusters");
        refused++;
      }
    }
    assertThat(refused).isEqualTo(300 - MAX_CLUSTERS);
    // 300 groups on one cluster: past MAX_TRIGGERS triggers in all, refused.
    int refusedTriggers = 0;
    for (int i = 0; i < 300; i++) {
      Status s = isActive(ref(kafka.bootstrap(), "group-" + i));
      if (s.getCode() == Status.Code.RESOURCE_EXHAUSTED) {
        refusedTriggers++;
      }
    }
    assertThat(refusedTriggers).isGreaterThanOrEqualTo(300 - MAX_TRIGGERS);
    long adminsAfter = adminThreads();
    long threadsAfter = liveThreads();
    long rssAfter = rssKb();
    System.out.printf(
        "hostile input: 300 clusters + 300 triggers over gRPC (limits %d triggers, %d clusters):"
            + " +%d Kafka admin threads, +%d threads in all, RSS %d -> %d MB%n",
        MAX_TRIGGERS,
        MAX_CLUSTERS,
        adminsAfter - admins,
        threadsAfter - threads,
        rss / 1024,
        rssAfter / 1024);
    assertThat(adminsAfter - admins).isLessThanOrEqualTo(MAX_CLUSTERS + 1);
    assertThat(server.kafkaTriggers()).isLessThanOrEqualTo(MAX_TRIGGERS);
    // Nobody asks any more: once the expiry has passed, the triggers expire and their clusters'
    // clients are closed. The clients close one after another, each waiting up to 5 s for its
    // calls in flight (the refreshes run every 500 ms): on a busy machine the last of the
    // MAX_CLUSTERS + 1 can take half a minute, so the bound leaves room beyond that.
    ticker.addAndGet(Duration.ofSeconds(4).toNanos());
    Awaitility.await()
        .atMost(Duration.ofMinutes(2))
        .until(() -> server.kafkaTriggers() == 0 && adminThreads() == admins);
  }
}
