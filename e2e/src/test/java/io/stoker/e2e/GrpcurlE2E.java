package io.stoker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stoker.adapters.kafka.EmbeddedKafka;
import io.stoker.app.keda.Desired;
import io.stoker.app.keda.ScalerServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The KEDA external scaler driven by a third-party client: grpcurl (grpc-go, which is what KEDA
 * uses), built from its Go module by e2e/tools/build-grpcurl.sh, with KEDA's .proto file (no server
 * reflection). Every RPC in both modes (autoscaler reference; KEDA Kafka scaler on a real in-JVM
 * KRaft broker), over plaintext, TLS and mutual TLS with certificates made at test time.
 */
class GrpcurlE2E {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SERVICE = "externalscaler.ExternalScaler";

  @TempDir static Path tmp;
  private static Path grpcurl;
  private static Path protoDir;
  private static Path healthDir;
  private static TestCertificates certs;
  private static EmbeddedKafka kafka;
  private static final List<ScalerServer> servers = new ArrayList<>();
  private static ScalerServer plain;
  private static ScalerServer tls;
  private static ScalerServer mtls;

  /** How grpcurl reaches one server. */
  enum Transport {
    PLAINTEXT,
    TLS,
    MUTUAL_TLS
  }

  @BeforeAll
  static void start() throws Exception {
    Path root = Path.of(System.getProperty("stoker.repo.root", ".."));
    grpcurl = buildGrpcurl(root);
    protoDir = root.resolve("scaler/app/src/main/proto");
    healthDir = tmp.resolve("health-proto");
    // The standard health service's .proto, as grpc-services ships it.
    Path health = healthDir.resolve("grpc/health/v1/health.proto");
    Files.createDirectories(health.getParent());
    try (InputStream in =
        GrpcurlE2E.class.getClassLoader().getResourceAsStream("grpc/health/v1/health.proto")) {
      assertThat(in).as("grpc/health/v1/health.proto on the class path").isNotNull();
      Files.copy(in, health);
    }
    Path certDir = Files.createDirectories(tmp.resolve("certs"));
    certs = TestCertificates.generate(certDir);

    kafka = new EmbeddedKafka();
    kafka.createTopic("e2e.orders", 2);
    kafka.produce("e2e.orders", 0, 40);
    kafka.produce("e2e.orders", 1, 40);
    kafka.commit(
        "e2e-group",
        Map.of(new TopicPartition("e2e.orders", 0), 33L, new TopicPartition("e2e.orders", 1), 32L));

    plain = start(Optional.empty());
    tls =
        start(
            Optional.of(new ScalerServer.Tls(certs.serverCert, certs.serverKey, Optional.empty())));
    mtls =
        start(
            Optional.of(
                new ScalerServer.Tls(certs.serverCert, certs.serverKey, Optional.of(certs.ca))));
  }

  private static ScalerServer start(Optional<ScalerServer.Tls> tlsSettings) throws IOException {
    ScalerServer s =
        ScalerServer.start(
            new ScalerServer.Settings(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                Duration.ofMillis(50),
                Duration.ofMillis(200),
                tlsSettings),
            (namespace, name) ->
                namespace.equals("team-a") && name.equals("etl")
                    ? Optional.of(new Desired(3, OptionalLong.of(15), 0))
                    : Optional.empty(),
            ScalerServer.CacheTiming.defaults());
    servers.add(s);
    return s;
  }

  @AfterAll
  static void stop() throws IOException {
    for (ScalerServer s : servers) {
      s.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  private static Path buildGrpcurl(Path root) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder("bash", root.resolve("e2e/tools/build-grpcurl.sh").toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      assertThat(p.waitFor(20, TimeUnit.MINUTES)).as("build-grpcurl.sh finished").isTrue();
      assertThat(p.exitValue()).as("build-grpcurl.sh exit code").isZero();
      Path bin = Path.of(out.lines().reduce((a, b) -> b).orElse(""));
      assertThat(Files.isExecutable(bin)).as("grpcurl at %s", bin).isTrue();
      return bin;
    } finally {
      p.destroyForcibly();
    }
  }

  /** What one grpcurl run printed, and its exit code. */
  record Result(int exit, String out, String err) {
    JsonNode json() throws IOException {
      return JSON.readTree(out);
    }

    /** Every JSON message of a streaming answer (grpcurl prints them one after another). */
    List<JsonNode> messages() throws IOException {
      List<JsonNode> all = new ArrayList<>();
      try (var it = JSON.readerFor(JsonNode.class).readValues(out)) {
        while (it.hasNext()) {
          all.add((JsonNode) it.next());
        }
      }
      return all;
    }
  }

  private static Result grpcurl(Transport t, ScalerServer server, List<String> args)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(grpcurl.toString());
    cmd.addAll(
        switch (t) {
          case PLAINTEXT -> List.of("-plaintext");
          case TLS -> List.of("-cacert", certs.ca.toString());
          case MUTUAL_TLS ->
              List.of(
                  "-cacert", certs.ca.toString(),
                  "-cert", certs.clientCert.toString(),
                  "-key", certs.clientKey.toString());
        });
    cmd.addAll(List.of("-emit-defaults", "-connect-timeout", "20"));
    cmd.addAll(args.subList(0, args.size() - 1));
    cmd.add("127.0.0.1:" + server.port());
    cmd.add(args.get(args.size() - 1));
    Process p = new ProcessBuilder(cmd).start();
    try {
      CompletableFuture<String> out = read(p.getInputStream());
      CompletableFuture<String> err = read(p.getErrorStream());
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("grpcurl %s finished", cmd).isTrue();
      return new Result(p.exitValue(), out.join(), err.join());
    } finally {
      p.destroyForcibly();
    }
  }

  private static CompletableFuture<String> read(InputStream in) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
          } catch (IOException e) {
            throw new IllegalStateException(e);
          }
        });
  }

  /** A KEDA call with externalscaler.proto: {@code -d <json> ... <method>}. */
  private static Result keda(Transport t, String method, String json, String... extra)
      throws IOException, InterruptedException {
    List<String> args = new ArrayList<>();
    args.addAll(List.of("-import-path", protoDir.toString(), "-proto", "externalscaler.proto"));
    args.addAll(List.of(extra));
    args.addAll(List.of("-d", json, SERVICE + "/" + method));
    return grpcurl(t, server(t), args);
  }

  private static ScalerServer server(Transport t) {
    return switch (t) {
      case PLAINTEXT -> plain;
      case TLS -> tls;
      case MUTUAL_TLS -> mtls;
    };
  }

  private static String ref(Map<String, String> metadata) throws IOException {
    Map<String, String> md = new java.util.HashMap<>(metadata);
    md.put("scalerAddress", "stoker.stoker:9090");
    return JSON.writeValueAsString(
        Map.of("name", "so", "namespace", "team-a", "scalerMetadata", md));
  }

  private static String autoscaler() throws IOException {
    return ref(Map.of("autoscaler", "etl"));
  }

  private static String kafkaTrigger() throws IOException {
    return ref(
        Map.of(
            "bootstrapServers", kafka.bootstrap(),
            "consumerGroup", "e2e-group",
            "topic", "e2e.orders",
            "lagThreshold", "5"));
  }

  private static String metrics(String ref, String metric) {
    return "{\"scaledObjectRef\":" + ref + ",\"metricName\":\"" + metric + "\"}";
  }

  static Stream<Arguments> transports() {
    return Stream.of(Transport.values()).map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  void autoscalerModeAnswersEveryRpc(Transport t) throws Exception {
    Result spec = keda(t, "GetMetricSpec", autoscaler());
    assertThat(spec.exit()).as(spec.err()).isZero();
    JsonNode s = spec.json().get("metricSpecs").get(0);
    assertThat(s.get("metricName").asText()).isEqualTo("executors");
    assertThat(s.get("targetSize").asText()).isEqualTo("1"); // int64 is a JSON string
    assertThat(s.get("targetSizeFloat").asDouble()).isEqualTo(1.0);

    Result m = keda(t, "GetMetrics", metrics(autoscaler(), "executors"));
    assertThat(m.exit()).as(m.err()).isZero();
    JsonNode v = m.json().get("metricValues").get(0);
    assertThat(v.get("metricName").asText()).isEqualTo("executors");
    assertThat(v.get("metricValue").asText()).isEqualTo("3");
    assertThat(v.get("metricValueFloat").asDouble()).isEqualTo(3.0);

    Result a = keda(t, "IsActive", autoscaler());
    assertThat(a.exit()).as(a.err()).isZero();
    assertThat(a.json().get("result").asBoolean()).isTrue();

    // The stream sends the activity at once, then heartbeats every 200 ms, until grpcurl's
    // -max-time ends the call (DeadlineExceeded: exit code 64 + 4).
    Result stream = keda(t, "StreamIsActive", autoscaler(), "-max-time", "2");
    assertThat(stream.exit()).as(stream.err()).isEqualTo(68);
    assertThat(stream.err()).contains("DeadlineExceeded");
    assertThat(stream.messages()).hasSizeGreaterThanOrEqualTo(2);
    assertThat(stream.messages()).allMatch(n -> n.get("result").asBoolean());

    Result unknown = keda(t, "GetMetrics", metrics(ref(Map.of("autoscaler", "nope")), "executors"));
    assertThat(unknown.exit()).isEqualTo(64 + 5);
    assertThat(unknown.err()).contains("NotFound").contains("team-a/nope");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  void kafkaModeAnswersAsKedasKafkaScaler(Transport t) throws Exception {
    Result spec = keda(t, "GetMetricSpec", kafkaTrigger());
    assertThat(spec.exit()).as(spec.err()).isZero();
    JsonNode s = spec.json().get("metricSpecs").get(0);
    assertThat(s.get("metricName").asText()).isEqualTo("kafka-e2e-orders");
    assertThat(s.get("targetSize").asText()).isEqualTo("5");

    // Lag 7 + 8 = 15; 15 / 5 = 3 > 2 partitions, so KEDA caps it at 2 × 5 = 10.
    Result m = keda(t, "GetMetrics", metrics(kafkaTrigger(), "kafka-e2e-orders"));
    assertThat(m.exit()).as(m.err()).isZero();
    JsonNode v = m.json().get("metricValues").get(0);
    assertThat(v.get("metricName").asText()).isEqualTo("kafka-e2e-orders");
    assertThat(v.get("metricValue").asText()).isEqualTo("10");
    assertThat(v.get("metricValueFloat").asDouble()).isEqualTo(10.0);

    Result a = keda(t, "IsActive", kafkaTrigger());
    assertThat(a.exit()).as(a.err()).isZero();
    assertThat(a.json().get("result").asBoolean()).isTrue();

    Result stream = keda(t, "StreamIsActive", kafkaTrigger(), "-max-time", "2");
    assertThat(stream.exit()).as(stream.err()).isEqualTo(68);
    assertThat(stream.messages()).isNotEmpty().allMatch(n -> n.get("result").asBoolean());

    Result bad =
        keda(
            t,
            "GetMetricSpec",
            ref(
                Map.of(
                    "bootstrapServers",
                    kafka.bootstrap(),
                    "consumerGroup",
                    "g",
                    "lagThreshold",
                    "0")));
    assertThat(bad.exit()).isEqualTo(64 + 3);
    assertThat(bad.err()).contains("InvalidArgument").contains("lagThreshold");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  void streamMetricSpecIsUnimplementedAndHealthIsServing(Transport t) throws Exception {
    Result spec = keda(t, "StreamMetricSpec", autoscaler());
    assertThat(spec.exit()).isEqualTo(64 + 12);
    assertThat(spec.err()).contains("Unimplemented");

    for (String service : List.of("", SERVICE)) {
      Result h =
          grpcurl(
              t,
              server(t),
              List.of(
                  "-import-path",
                  healthDir.toString(),
                  "-proto",
                  "grpc/health/v1/health.proto",
                  "-d",
                  "{\"service\":\"" + service + "\"}",
                  "grpc.health.v1.Health/Check"));
      assertThat(h.exit()).as(h.err()).isZero();
      assertThat(h.json().get("status").asText()).isEqualTo("SERVING");
    }
  }

  @Test
  void tlsServersRefuseClientsWithoutTheRightCredentials() throws Exception {
    // Plaintext against a TLS port, and TLS without a client certificate against mutual TLS.
    Result plainToTls =
        grpcurl(
            Transport.PLAINTEXT,
            tls,
            List.of(
                "-import-path",
                protoDir.toString(),
                "-proto",
                "externalscaler.proto",
                "-d",
                autoscaler(),
                SERVICE + "/IsActive"));
    assertThat(plainToTls.exit()).isNotZero();
    Result noClientCert =
        grpcurl(
            Transport.TLS,
            mtls,
            List.of(
                "-import-path",
                protoDir.toString(),
                "-proto",
                "externalscaler.proto",
                "-d",
                autoscaler(),
                SERVICE + "/IsActive"));
    assertThat(noClientCert.exit()).isNotZero();
    assertThat(noClientCert.out()).isEmpty();
  }
}
