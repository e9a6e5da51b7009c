package io.stoker.app.reconcile;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Time;
import org.awaitility.Awaitility;

/**
 * A real single-node KRaft broker in the benchmark's JVM on loopback (the approach of
 * metrics-adapters' {@code EmbeddedKafka}, PLAINTEXT only): format a temporary log directory, start
 * {@link KafkaRaftServer}, talk to it with one Admin client and one producer.
 */
final class BenchKafka implements AutoCloseable {
  private final Path dir;
  private final KafkaRaftServer server;
  private final String bootstrap;
  private final Admin admin;
  private final KafkaProducer<byte[], byte[]> producer;

  BenchKafka() throws IOException {
    dir = Files.createTempDirectory("stoker-bench-kafka");
    int port = freePort();
    int controllerPort = freePort();
    bootstrap = "127.0.0.1:" + port;
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    p.put(
        "listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
    p.put("controller.listener.names", "CONTROLLER");
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("log.dirs", dir.resolve("logs").toString());
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "4");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("num.partitions", "1");
    p.put("auto.create.topics.enable", "false");
    Path cfg = dir.resolve("server.properties");
    try (OutputStream out = Files.newOutputStream(cfg)) {
      p.store(out, null);
    }
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    int rc =
        StorageTool.execute(
            new String[] {"format", "-t", Uuid.randomUuid().toString(), "-c", cfg.toString()},
            new PrintStream(log, true, StandardCharsets.UTF_8));
    if (rc != 0) {
      throw new IllegalStateException("kafka storage format failed: " + log);
    }
    server = new KafkaRaftServer(KafkaConfig.fromProps(p, false), Time.SYSTEM);
    server.startup();
    Map<String, Object> c = new HashMap<>();
    c.put("bootstrap.servers", bootstrap);
    admin = Admin.create(c);
    Map<String, Object> pc = new HashMap<>(c);
    pc.put("key.serializer", ByteArraySerializer.class.getName());
    pc.put("value.serializer", ByteArraySerializer.class.getName());
    pc.put("linger.ms", "5");
    producer = new KafkaProducer<>(pc);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  String bootstrap() {
    return bootstrap;
  }

  /** Creates a topic and waits until every partition has a leader that answers listOffsets. */
  void createTopic(String topic, int partitions) throws Exception {
    admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (int i = 0; i < partitions; i++) {
      latest.put(new TopicPartition(topic, i), OffsetSpec.latest());
    }
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(50))
        .ignoreExceptions()
        .until(
            () -> {
              admin.listOffsets(latest).all().get();
              return producer.partitionsFor(topic).stream().allMatch(i -> i.leader() != null);
            });
  }

  /** Produces {@code count} one-byte records to every partition and waits for the acks. */
  void produce(String topic, int partitions, int count) throws Exception {
    List<Future<?>> acks = new ArrayList<>();
    for (int part = 0; part < partitions; part++) {
      for (int i = 0; i < count; i++) {
        acks.add(producer.send(new ProducerRecord<>(topic, part, null, new byte[] {1})));
      }
    }
    producer.flush();
    for (Future<?> f : acks) {
      f.get();
    }
  }

  /** Commits {@code offset} on every partition for each group (groups without members). */
  void commit(List<String> groups, String topic, int partitions, long offset) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> m = new HashMap<>();
    for (int part = 0; part < partitions; part++) {
      m.put(new TopicPartition(topic, part), new OffsetAndMetadata(offset));
    }
    List<org.apache.kafka.common.KafkaFuture<Void>> pending = new ArrayList<>();
    for (String group : groups) {
      pending.add(admin.alterConsumerGroupOffsets(group, m).all());
      if (pending.size() == 200) {
        org.apache.kafka.common.KafkaFuture.allOf(
                pending.toArray(org.apache.kafka.common.KafkaFuture[]::new))
            .get();
        pending.clear();
      }
    }
    org.apache.kafka.common.KafkaFuture.allOf(
            pending.toArray(org.apache.kafka.common.KafkaFuture[]::new))
        .get();
  }

  @Override
  public void close() throws IOException {
    try {
      producer.close(Duration.ofSeconds(5));
      admin.close(Duration.ofSeconds(5));
    } finally {
      server.shutdown();
      server.awaitShutdown();
      try (Stream<Path> s = Files.walk(dir)) {
        s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }
}
