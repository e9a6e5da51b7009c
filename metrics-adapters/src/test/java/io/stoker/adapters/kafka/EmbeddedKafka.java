package io.stoker.adapters.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
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
 * A real single-node KRaft Kafka broker in the test JVM (broker + controller), on two free loopback
 * ports with a temporary log directory. Start-up takes a few seconds: share one per test class.
 */
public final class EmbeddedKafka implements AutoCloseable {
  private final Path dir;
  private final Properties config;
  private KafkaRaftServer server;
  private boolean running = true;
  private final String bootstrap;
  private final String saslBootstrap;

  /** SASL/PLAIN user accepted on the SASL_PLAINTEXT listener. */
  public static final String SASL_USER = "stoker";

  /** Its password. */
  public static final String SASL_PASSWORD = "s3cr3t-pw";

  private final Admin admin;
  private final KafkaProducer<byte[], byte[]> producer;

  public EmbeddedKafka() throws IOException {
    dir = Files.createTempDirectory("stoker-kafka");
    int port = freePort();
    int controllerPort = freePort();
    int saslPort = freePort();
    bootstrap = "127.0.0.1:" + port;
    saslBootstrap = "127.0.0.1:" + saslPort;
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    p.put(
        "listeners",
        "PLAINTEXT://127.0.0.1:"
            + port
            + ",SASL_PLAINTEXT://127.0.0.1:"
            + saslPort
            + ",CONTROLLER://127.0.0.1:"
            + controllerPort);
    p.put(
        "advertised.listeners",
        "PLAINTEXT://127.0.0.1:" + port + ",SASL_PLAINTEXT://127.0.0.1:" + saslPort);
    p.put("controller.listener.names", "CONTROLLER");
    p.put(
        "listener.security.protocol.map",
        "PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("sasl.enabled.mechanisms", "PLAIN");
    p.put(
        "listener.name.sasl_plaintext.plain.sasl.jaas.config",
        "org.apache.kafka.common.security.plain.PlainLoginModule required user_"
            + SASL_USER
            + "=\""
            + SASL_PASSWORD
            + "\";");
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
    config = p;
    server = new KafkaRaftServer(KafkaConfig.fromProps(p, false), Time.SYSTEM);
    server.startup();
    Map<String, Object> c = new HashMap<>();
    c.put("bootstrap.servers", bootstrap);
    admin = Admin.create(c);
    Map<String, Object> pc = new HashMap<>(c);
    pc.put("key.serializer", ByteArraySerializer.class.getName());
    pc.put("value.serializer", ByteArraySerializer.class.getName());
    pc.put("linger.ms", "0");
    pc.put("request.timeout.ms", "10000");
    pc.put("delivery.timeout.ms", "30000");
    producer = new KafkaProducer<>(pc);
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  public String bootstrap() {
    return bootstrap;
  }

  /** The SASL_PLAINTEXT (PLAIN) listener. */
  public String saslBootstrap() {
    return saslBootstrap;
  }

  public Admin admin() {
    return admin;
  }

  /**
   * Creates a topic and waits until the broker leads every partition (its log answers listOffsets)
   * and the producer's metadata knows every leader, so produce calls go straight to the right
   * place.
   */
  public void createTopic(String topic, int partitions) throws Exception {
    admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (int p = 0; p < partitions; p++) {
      latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
    }
    Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(60))
        .pollInterval(java.time.Duration.ofMillis(50))
        .ignoreExceptions()
        .until(
            () -> {
              admin.listOffsets(latest).all().get();
              return producer.partitionsFor(topic).size() == partitions
                  && producer.partitionsFor(topic).stream().allMatch(i -> i.leader() != null);
            });
  }

  /** Produces {@code count} records to one partition and waits for all acks. */
  public void produce(String topic, int partition, int count) throws Exception {
    java.util.List<java.util.concurrent.Future<?>> fs = new java.util.ArrayList<>();
    for (int i = 0; i < count; i++) {
      fs.add(producer.send(new ProducerRecord<>(topic, partition, null, new byte[] {1})));
    }
    producer.flush();
    for (var f : fs) {
      f.get();
    }
  }

  /** Commits offsets for a group (with no active members) through the Admin API. */
  public void commit(String group, Map<TopicPartition, Long> offsets) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> m = new HashMap<>();
    offsets.forEach((tp, o) -> m.put(tp, new OffsetAndMetadata(o)));
    admin.alterConsumerGroupOffsets(group, m).all().get();
  }

  /**
   * Stops the broker (an outage) and keeps its ports, log directory and clients: {@link
   * #restartBroker()} brings the same broker back with its data.
   */
  public synchronized void stopBroker() {
    server.shutdown();
    server.awaitShutdown();
    running = false;
  }

  /** Starts the broker stopped by {@link #stopBroker()} again, on the same ports and data. */
  public synchronized void restartBroker() {
    server = new KafkaRaftServer(KafkaConfig.fromProps(config, false), Time.SYSTEM);
    server.startup();
    running = true;
  }

  @Override
  public synchronized void close() throws IOException {
    try {
      producer.close(java.time.Duration.ofSeconds(5));
      admin.close(java.time.Duration.ofSeconds(5));
    } finally {
      if (running) {
        server.shutdown();
        server.awaitShutdown();
      }
      try (Stream<Path> s = Files.walk(dir)) {
        s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }
}
