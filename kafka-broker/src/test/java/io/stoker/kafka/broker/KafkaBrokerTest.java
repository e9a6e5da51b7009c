package io.stoker.kafka.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The broker fixture: topics ready at once, SASL logins, an outage that keeps the data. */
class KafkaBrokerTest {

  private static Admin admin(String bootstrap, Map<String, Object> extra) {
    Map<String, Object> c = new java.util.HashMap<>(extra);
    c.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
    c.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    return Admin.create(c);
  }

  @Test
  void aTopicIsReadyWhenCreatedAndSurvivesAnOutage() throws Exception {
    KafkaBroker broker = KafkaBroker.start();
    try {
      broker.createTopic("clicks", 3);
      try (KafkaProducer<String, String> producer =
          new KafkaProducer<>(
              Map.of("bootstrap.servers", broker.bootstrap()),
              new StringSerializer(),
              new StringSerializer())) {
        for (int i = 0; i < 5; i++) {
          producer.send(new ProducerRecord<>("clicks", 1, null, "r" + i)).get(30, TimeUnit.SECONDS);
        }
      }
      TopicPartition p1 = new TopicPartition("clicks", 1);
      broker.stop();
      broker.restart();
      try (Admin admin = admin(broker.bootstrap(), Map.of())) {
        long end = admin.listOffsets(Map.of(p1, OffsetSpec.latest())).all().get().get(p1).offset();
        assertThat(end).isEqualTo(5);
      }
      assertThatThrownBy(broker::saslBootstrap).isInstanceOf(IllegalStateException.class);
    } finally {
      broker.close();
    }
    broker.close(); // a second close does nothing
  }

  @Test
  void theSaslListenerTakesThePlainLogin() throws Exception {
    try (KafkaBroker broker = KafkaBroker.start(KafkaBroker.Options.withSasl())) {
      broker.createTopic("orders", 1);
      Map<String, Object> sasl =
          Map.of(
              "security.protocol",
              "SASL_PLAINTEXT",
              "sasl.mechanism",
              "PLAIN",
              "sasl.jaas.config",
              "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
                  + KafkaBroker.SASL_USER
                  + "\" password=\""
                  + KafkaBroker.SASL_PASSWORD
                  + "\";");
      try (Admin admin = admin(broker.saslBootstrap(), sasl)) {
        assertThat(admin.listTopics().names().get()).contains("orders");
        assertThat(admin.describeTopics(List.of("orders")).allTopicNames().get()).hasSize(1);
      }
    }
  }
}
