package io.stoker.adapters.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stoker.adapters.spi.AdapterContext;
import io.stoker.adapters.spi.AdapterException;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile input to the Kafka adapter: a bootstrap address that answers with something else than
 * Kafka (an HTTP server), and Secrets that try to make kafka-clients resolve config providers or
 * set properties outside the SASL/TLS allow-list. Against a real KRaft broker where one is needed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileKafkaTest {
  private EmbeddedKafka kafka;
  private AdapterContext context;
  private final KafkaLagAdapterFactory factory = new KafkaLagAdapterFactory();

  @BeforeAll
  void start() throws Exception {
    kafka = new EmbeddedKafka();
    context = new AdapterContext(Clock.systemUTC());
  }

  @AfterAll
  void stop() throws Exception {
    try {
      context.close();
    } finally {
      kafka.close();
    }
  }

  /**
   * Issue 17 item 2: in a JVM with a 96 MB heap and the Dockerfile's {@code
   * -XX:+ExitOnOutOfMemoryError}, one reading from an HTTP listener used to kill the JVM (exit 3);
   * now it is an error naming the address, and the heap stays small.
   */
  @Test
  void anHttpListenerOnTheKafkaPortIsAnErrorNotAnOutOfMemoryError() throws Exception {
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb =
        new ProcessBuilder(
                javaBin,
                "-Xmx96m",
                "-XX:+ExitOnOutOfMemoryError",
                "-cp",
                System.getProperty("java.class.path"),
                NotKafkaListener.class.getName())
            .redirectErrorStream(true);
    File log = File.createTempFile("not-kafka", ".log");
    log.deleteOnExit();
    pb.redirectOutput(log);
    Process p = pb.start();
    assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("the forked JVM ends").isTrue();
    String out = java.nio.file.Files.readString(log.toPath(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as("exit code (3 = OutOfMemoryError); output:%n%s", out).isZero();
    String address =
        out.lines().filter(l -> l.startsWith("address ")).findFirst().orElseThrow().substring(8);
    assertThat(out)
        .contains("outcome error")
        .contains("Kafka bootstrap address " + address + " does not speak Kafka")
        .contains("starts with \"HTTP\"");
    long peak =
        Long.parseLong(
            out.lines()
                .filter(l -> l.startsWith("peakHeapBytes "))
                .findFirst()
                .orElseThrow()
                .substring(14));
    System.out.printf(
        "hostile input: HTTP listener on the Kafka port, JVM -Xmx96m: old generation peak %.1f MB%n",
        peak / 1e6);
    assertThat(peak).isLessThan(96L << 20);
  }

  @Test
  void anHttpListenerAmongRealBrokersIsRefusedByName() throws Exception {
    try (NotKafkaListener http = new NotKafkaListener()) {
      KafkaLagAdapter a =
          factory.create(
              Map.of(
                  "bootstrapServers",
                  kafka.bootstrap() + "," + http.address(),
                  "consumerGroup",
                  "g",
                  "topic",
                  "t"),
              Map.of(),
              context);
      assertThatThrownBy(() -> a.collect(Duration.ofSeconds(10)).join())
          .cause()
          .isInstanceOfSatisfying(
              AdapterException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(AdapterException.Kind.UNREACHABLE);
                assertThat(e.getMessage())
                    .contains(
                        "Kafka bootstrap address " + http.address() + " does not speak Kafka");
              });
    }
  }

  @Test
  void anUnreachableAddressBesideARealBrokerIsTolerated() throws Exception {
    String t = "tolerated";
    kafka.createTopic(t, 1);
    kafka.produce(t, 0, 4);
    kafka.commit("tolerated-group", Map.of(new org.apache.kafka.common.TopicPartition(t, 0), 1L));
    KafkaLagAdapter a =
        factory.create(
            Map.of(
                "bootstrapServers",
                "127.0.0.1:" + EmbeddedKafka.freePort() + "," + kafka.bootstrap(),
                "consumerGroup",
                "tolerated-group",
                "topic",
                t),
            Map.of(),
            context);
    assertThat(a.collect(Duration.ofSeconds(10)).join().value().totalLag()).isEqualTo(3);
  }

  static Stream<Arguments> refusedSecrets() {
    return Stream.of(
        // Issue 17 item 3: a Secret made kafka-clients read the controller's files and
        // environment and send them to a listener of the tenant's choosing as the client id.
        Arguments.of(
            Map.of(
                "config.providers", "dir",
                "config.providers.dir.class",
                    "org.apache.kafka.common.config.provider.DirectoryConfigProvider",
                "client.id", "${dir:/var/run/secrets/kubernetes.io/serviceaccount:token}"),
            "'client.id'"),
        Arguments.of(Map.of("config.providers", "env"), "'config.providers'"),
        Arguments.of(Map.of("client.id", "x"), "'client.id' may not be set from a Secret"),
        Arguments.of(
            Map.of("password", "${env:AWS_SECRET_ACCESS_KEY}"), "'password' contains '${'"),
        Arguments.of(
            Map.of("sasl.jaas.config", "x required a=\"${env:HOME}\";"),
            "'sasl.jaas.config' contains '${'"),
        Arguments.of(
            Map.of(
                "sasl.jaas.config",
                "com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true"
                    + " keyTab=\"/etc/krb5.keytab\";"),
            "must use one of the login modules"),
        Arguments.of(Map.of("ssl.truststore.location", "/etc/shadow"), "'ssl.truststore.location'"),
        Arguments.of(Map.of("sasl.login.class", "Evil"), "'sasl.login.class'"),
        Arguments.of(
            Map.of("security.protocol", "SASL_GSSAPI"), "'security.protocol' must be one of"),
        Arguments.of(Map.of("sasl.mechanism", "OAUTHBEARER"), "'sasl.mechanism' must be one of"),
        Arguments.of(Map.of("bootstrap.servers", "evil:9092"), "'bootstrap.servers'"));
  }

  @ParameterizedTest
  @MethodSource("refusedSecrets")
  void secretsMaySetOnlySaslAndTlsMaterialAndNeverConfigProviders(
      Map<String, String> secret, String message) {
    assertThatThrownBy(
            () ->
                factory.create(
                    Map.of("bootstrapServers", kafka.bootstrap(), "consumerGroup", "g"),
                    secret,
                    context))
        .isInstanceOfSatisfying(
            AdapterException.class,
            e -> assertThat(e.kind()).isEqualTo(AdapterException.Kind.INVALID_CONFIG))
        .hasMessageContaining(message)
        .hasMessageNotContaining("serviceaccount")
        .hasMessageNotContaining("AWS_SECRET");
  }

  @Test
  void allowListedKafkaPropertiesStillWorkOnTheRealSaslListener() throws Exception {
    String t = "allowed";
    kafka.createTopic(t, 1);
    kafka.produce(t, 0, 6);
    kafka.commit("allowed-group", Map.of(new org.apache.kafka.common.TopicPartition(t, 0), 2L));
    Map<String, String> secret =
        Map.of(
            "security.protocol", "SASL_PLAINTEXT",
            "sasl.mechanism", "PLAIN",
            "sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
                    + EmbeddedKafka.SASL_USER
                    + "\" password=\""
                    + EmbeddedKafka.SASL_PASSWORD
                    + "\";");
    try (AdapterContext ctx = new AdapterContext(Clock.systemUTC())) {
      KafkaLagAdapter a =
          factory.create(
              Map.of(
                  "bootstrapServers",
                  kafka.saslBootstrap(),
                  "consumerGroup",
                  "allowed-group",
                  "topic",
                  t),
              secret,
              ctx);
      assertThat(a.collect(Duration.ofSeconds(10)).join().value().totalLag()).isEqualTo(4);
    }
  }
}
