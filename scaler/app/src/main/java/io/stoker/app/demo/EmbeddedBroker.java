package io.stoker.app.demo;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.server.metrics.KafkaYammerMetrics;

/**
 * Apache Kafka's own KRaft server in this JVM: one node (broker and controller) on two free
 * loopback ports, its log in a temporary directory that {@link #close()} deletes. Consumer groups
 * use the KIP-848 protocol with a short heartbeat, so executors that join or leave get partitions
 * within about a second.
 */
final class EmbeddedBroker implements AutoCloseable {
  private static final int ATTEMPTS = 3;
  private static final String LOG4J_FACTORY = "log4j2.loggerContextFactory";

  private final Path dir;
  private final KafkaRaftServer server;
  private final String bootstrap;
  private final int port;
  private boolean closed;

  private EmbeddedBroker(Path dir, KafkaRaftServer server, int port) {
    this.dir = dir;
    this.server = server;
    this.port = port;
    this.bootstrap = "127.0.0.1:" + port;
  }

  /**
   * Starts a broker; returns when it serves requests. A port taken between choosing and binding it
   * (another process was faster) is retried on fresh ports.
   */
  static EmbeddedBroker start() throws IOException {
    // The broker touches the Log4j 2 API, which has no implementation here (logs go to SLF4J):
    // pick Log4j's own minimal one instead of a warning on stderr.
    if (System.getProperty(LOG4J_FACTORY) == null) {
      System.setProperty(
          LOG4J_FACTORY, "org.apache.logging.log4j.simple.SimpleLoggerContextFactory");
    }
    IOException last = null;
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      Path dir = Files.createTempDirectory("stoker-demo-kafka");
      int port = freePort();
      int controllerPort = freePort();
      KafkaRaftServer server = null;
      try {
        Properties p = config(dir, port, controllerPort);
        format(dir, p);
        server = new KafkaRaftServer(KafkaConfig.fromProps(p, false), Time.SYSTEM);
        server.startup();
        return new EmbeddedBroker(dir, server, port);
      } catch (RuntimeException e) {
        last = new IOException("could not start the embedded Kafka broker: " + e.getMessage(), e);
        if (server != null) {
          shutdown(server);
        }
        delete(dir);
      }
    }
    throw last;
  }

  private static Properties config(Path dir, int port, int controllerPort) {
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
    p.put("offsets.topic.num.partitions", "1");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("group.initial.rebalance.delay.ms", "0");
    // KIP-848 groups: members learn of new assignments at their heartbeat.
    p.put("group.consumer.min.heartbeat.interval.ms", "250");
    p.put("group.consumer.heartbeat.interval.ms", "250");
    p.put("group.consumer.min.session.timeout.ms", "3000");
    p.put("group.consumer.session.timeout.ms", "6000");
    p.put("num.partitions", "1");
    p.put("auto.create.topics.enable", "false");
    return p;
  }

  private static void format(Path dir, Properties p) throws IOException {
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
      throw new IOException("kafka storage format failed: " + log);
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  String bootstrap() {
    return bootstrap;
  }

  int port() {
    return port;
  }

  /** Creates a topic and returns when it is there. */
  void createTopic(String topic, int partitions) throws IOException {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
    } catch (ExecutionException e) {
      throw new IOException("could not create topic " + topic + ": " + e.getCause(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while creating topic " + topic, e);
    }
  }

  /** Stops the broker and deletes its directory; safe to call twice. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      shutdown(server);
    } finally {
      delete(dir);
    }
  }

  private static void shutdown(KafkaRaftServer server) {
    server.shutdown();
    server.awaitShutdown();
    // The broker's Yammer metrics live in a JVM-wide registry whose meter tick threads outlive
    // the broker; stop them (a later broker in this JVM starts new ones).
    KafkaYammerMetrics.defaultRegistry().shutdown();
  }

  static void delete(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException("could not delete " + dir, e);
    }
  }
}
