package io.stoker.kafka.broker;

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
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.server.metrics.KafkaYammerMetrics;

/**
 * Apache Kafka's own KRaft server in this JVM: one node (broker and controller) on free loopback
 * ports, its log in a temporary directory that {@link #close()} deletes. It is the broker of {@code
 * stoker demo} and the one broker fixture of every module's tests.
 *
 * <p>Consumer groups of the KIP-848 protocol heartbeat every 250 ms, so members that join or leave
 * get partitions within about a second. With {@link Options#sasl()} a second listener takes
 * SASL/PLAIN logins of {@link #SASL_USER}. {@link #stop()} and {@link #restart()} make an outage of
 * the same broker: ports and data are kept.
 */
public final class KafkaBroker implements AutoCloseable {
  /** SASL/PLAIN user accepted on the SASL_PLAINTEXT listener ({@link Options#sasl()}). */
  public static final String SASL_USER = "stoker";

  /** Its password. */
  public static final String SASL_PASSWORD = "s3cr3t-pw";

  private static final int ATTEMPTS = 3;
  private static final String LOG4J_FACTORY = "log4j2.loggerContextFactory";
  private static final String LOG4J_CORE = "org.apache.logging.log4j.core.LoggerContext";
  private static final Duration TOPIC_READY = Duration.ofSeconds(60);

  /** Brokers of this JVM started and not yet closed (they share one metrics registry). */
  private static final java.util.concurrent.atomic.AtomicInteger OPEN =
      new java.util.concurrent.atomic.AtomicInteger();

  /**
   * What to start.
   *
   * @param sasl also a SASL_PLAINTEXT listener with PLAIN logins ({@link #saslBootstrap()})
   */
  public record Options(boolean sasl) {
    /** A PLAINTEXT listener only. */
    public static Options plain() {
      return new Options(false);
    }

    /** A PLAINTEXT listener and a SASL_PLAINTEXT one. */
    public static Options withSasl() {
      return new Options(true);
    }
  }

  private final Path dir;
  private final Properties config;
  private final int port;
  private final int saslPort;
  private KafkaRaftServer server;
  private boolean running = true;
  private boolean closed;

  private KafkaBroker(Path dir, Properties config, KafkaRaftServer server, int port, int saslPort) {
    this.dir = dir;
    this.config = config;
    this.server = server;
    this.port = port;
    this.saslPort = saslPort;
  }

  /** Starts a broker with a PLAINTEXT listener; returns when it serves requests. */
  public static KafkaBroker start() throws IOException {
    return start(Options.plain());
  }

  /**
   * Starts a broker; returns when it serves requests. A port taken between choosing and binding it
   * (another process was faster) is retried on fresh ports.
   */
  public static KafkaBroker start(Options options) throws IOException {
    // The broker touches the Log4j 2 API. Where Log4j 2 has no implementation (logs go to SLF4J),
    // pick Log4j's own minimal one instead of a warning on stderr; where log4j-core is there (a
    // Spark test's classpath), leave Log4j as it is.
    if (System.getProperty(LOG4J_FACTORY) == null && !present(LOG4J_CORE)) {
      System.setProperty(
          LOG4J_FACTORY, "org.apache.logging.log4j.simple.SimpleLoggerContextFactory");
    }
    IOException last = null;
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      Path dir = Files.createTempDirectory("stoker-kafka");
      int port = freePort();
      int controllerPort = freePort();
      int saslPort = options.sasl() ? freePort() : -1;
      KafkaRaftServer server = null;
      try {
        Properties p = config(dir, port, controllerPort, saslPort);
        format(dir, p);
        server = new KafkaRaftServer(KafkaConfig.fromProps(p, false), Time.SYSTEM);
        OPEN.incrementAndGet();
        server.startup();
        return new KafkaBroker(dir, p, server, port, saslPort);
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

  private static boolean present(String className) {
    try {
      Class.forName(className, false, KafkaBroker.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  private static Properties config(Path dir, int port, int controllerPort, int saslPort) {
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    String sasl = saslPort > 0 ? ",SASL_PLAINTEXT://127.0.0.1:" + saslPort : "";
    p.put(
        "listeners",
        "PLAINTEXT://127.0.0.1:" + port + sasl + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port + sasl);
    p.put("controller.listener.names", "CONTROLLER");
    p.put(
        "listener.security.protocol.map",
        "PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT");
    if (saslPort > 0) {
      p.put("sasl.enabled.mechanisms", "PLAIN");
      p.put(
          "listener.name.sasl_plaintext.plain.sasl.jaas.config",
          "org.apache.kafka.common.security.plain.PlainLoginModule required user_"
              + SASL_USER
              + "=\""
              + SASL_PASSWORD
              + "\";");
    }
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("log.dirs", dir.resolve("logs").toString());
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "4");
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

  /** A free loopback port (another process may take it before it is bound). */
  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** The PLAINTEXT listener, {@code 127.0.0.1:<port>}. */
  public String bootstrap() {
    return "127.0.0.1:" + port;
  }

  /** The PLAINTEXT listener's port. */
  public int port() {
    return port;
  }

  /** The SASL_PLAINTEXT (PLAIN) listener; only with {@link Options#sasl()}. */
  public String saslBootstrap() {
    if (saslPort < 0) {
      throw new IllegalStateException("this broker was started without a SASL listener");
    }
    return "127.0.0.1:" + saslPort;
  }

  /**
   * Creates a topic and returns when the broker leads every partition and its log answers a
   * latest-offsets request, so that producers and readers find every leader at once.
   */
  public void createTopic(String topic, int partitions) throws IOException {
    Map<String, Object> c = new HashMap<>();
    c.put("bootstrap.servers", bootstrap());
    try (Admin admin = Admin.create(c)) {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (int p = 0; p < partitions; p++) {
        latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
      }
      long deadline = System.nanoTime() + TOPIC_READY.toNanos();
      while (true) {
        try {
          TopicDescription d =
              admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
          if (d.partitions().size() == partitions
              && d.partitions().stream().allMatch(i -> i.leader() != null)) {
            admin.listOffsets(latest).all().get(5, TimeUnit.SECONDS);
            return;
          }
        } catch (ExecutionException | TimeoutException e) {
          // the partitions' leaders are still being elected: ask again
        }
        if (System.nanoTime() > deadline) {
          throw new IOException("topic " + topic + " had no leader for every partition in time");
        }
        // A retry with back-off, not a wait for a guessed time: the broker is asked again.
        TimeUnit.MILLISECONDS.sleep(50);
      }
    } catch (ExecutionException e) {
      throw new IOException("could not create topic " + topic + ": " + e.getCause(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while creating topic " + topic, e);
    }
  }

  /**
   * Stops the broker (an outage) and keeps its ports and log directory: {@link #restart()} brings
   * the same broker back with its data.
   */
  public synchronized void stop() {
    if (running) {
      server.shutdown();
      server.awaitShutdown();
      running = false;
    }
  }

  /** Starts the broker stopped by {@link #stop()} again, on the same ports and data. */
  public synchronized void restart() {
    if (!running) {
      server = new KafkaRaftServer(KafkaConfig.fromProps(config, false), Time.SYSTEM);
      server.startup();
      running = true;
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
      if (running) {
        running = false;
        shutdown(server);
      } else {
        released();
      }
    } finally {
      delete(dir);
    }
  }

  private static void shutdown(KafkaRaftServer server) {
    server.shutdown();
    server.awaitShutdown();
    released();
  }

  private static void released() {
    // The broker's Yammer metrics live in a JVM-wide registry whose meter tick threads outlive
    // the broker; stop them when no other broker of this JVM runs (a later one starts new ones).
    if (OPEN.decrementAndGet() == 0) {
      KafkaYammerMetrics.defaultRegistry().shutdown();
    }
  }

  private static void delete(Path dir) {
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
