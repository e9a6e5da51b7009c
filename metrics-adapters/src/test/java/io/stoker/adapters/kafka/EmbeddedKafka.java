package io.stoker.adapters.kafka;

import io.stoker.kafka.broker.KafkaBroker;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.Awaitility;

/**
 * The Kafka adapter's tests' view of a real broker: the project's one broker fixture ({@link
 * KafkaBroker}, with its SASL listener) plus an Admin client and a producer for setting up topics,
 * records and committed offsets. Start-up takes a few seconds: share one per test class.
 */
public final class EmbeddedKafka implements AutoCloseable {
  /** SASL/PLAIN user accepted on the SASL_PLAINTEXT listener. */
  public static final String SASL_USER = KafkaBroker.SASL_USER;

  /** Its password. */
  public static final String SASL_PASSWORD = KafkaBroker.SASL_PASSWORD;

  private final KafkaBroker broker;
  private final Admin admin;
  private final KafkaProducer<byte[], byte[]> producer;

  public EmbeddedKafka() throws IOException {
    broker = KafkaBroker.start(KafkaBroker.Options.withSasl());
    Map<String, Object> c = new HashMap<>();
    c.put("bootstrap.servers", broker.bootstrap());
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
    return KafkaBroker.freePort();
  }

  public String bootstrap() {
    return broker.bootstrap();
  }

  /** The SASL_PLAINTEXT (PLAIN) listener. */
  public String saslBootstrap() {
    return broker.saslBootstrap();
  }

  public Admin admin() {
    return admin;
  }

  /**
   * Creates a topic and waits until the broker leads every partition and the producer's metadata
   * knows every leader, so produce calls go straight to the right place.
   */
  public void createTopic(String topic, int partitions) throws Exception {
    broker.createTopic(topic, partitions);
    Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(60))
        .pollInterval(java.time.Duration.ofMillis(50))
        .ignoreExceptions()
        .until(
            () ->
                producer.partitionsFor(topic).size() == partitions
                    && producer.partitionsFor(topic).stream().allMatch(i -> i.leader() != null));
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
  public void stopBroker() {
    broker.stop();
  }

  /** Starts the broker stopped by {@link #stopBroker()} again, on the same ports and data. */
  public void restartBroker() {
    broker.restart();
  }

  @Override
  public void close() {
    try {
      producer.close(java.time.Duration.ofSeconds(5));
      admin.close(java.time.Duration.ofSeconds(5));
    } finally {
      broker.close();
    }
  }
}
