package io.stoker.adapters.promql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stoker.adapters.spi.AdapterContext;
import io.stoker.adapters.spi.AdapterException;
import io.stoker.adapters.spi.Sample;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** KEDA Prometheus-scaler semantics against a real Prometheus server on loopback. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PromQueryAdapterTest {
  private PrometheusServer prometheus;
  private AdapterContext context;
  private final PromQueryAdapterFactory factory = new PromQueryAdapterFactory();

  @BeforeAll
  void start() throws IOException {
    prometheus = new PrometheusServer();
    context = new AdapterContext(Clock.systemUTC());
  }

  @AfterAll
  void stop() throws IOException {
    try {
      context.close();
    } finally {
      prometheus.close();
    }
  }

  PromQueryAdapter adapter(String query, String... kv) {
    Map<String, String> m = new HashMap<>();
    m.put("serverAddress", prometheus.url());
    m.put("query", query);
    m.put("threshold", "10");
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return factory.create(m, Map.of(), context);
  }

  static PromQueryValue value(PromQueryAdapter a) {
    return a.collect(Duration.ofSeconds(5)).join().value();
  }

  static AdapterException failure(PromQueryAdapter a) {
    List<AdapterException> out = new ArrayList<>();
    assertThatThrownBy(() -> a.collect(Duration.ofSeconds(5)).join())
        .cause()
        .isInstanceOfSatisfying(AdapterException.class, out::add);
    return out.get(0);
  }

  /** query, extra metadata, expected value (null = error), expected active, error kind/message. */
  static Stream<Arguments> table() {
    String two =
        "label_replace(vector(1),\"a\",\"x\",\"\",\"\") or label_replace(vector(2),\"a\",\"y\",\"\",\"\")";
    return Stream.of(
        Arguments.of("vector(42)", List.of(), 42.0, true, null),
        Arguments.of("vector(42)", List.of("activationThreshold", "42"), 42.0, false, null),
        Arguments.of("vector(2.5e3)", List.of("activationThreshold", "100.5"), 2500.0, true, null),
        Arguments.of("vector(1) > 5", List.of(), 0.0, false, null), // empty -> 0 (default)
        Arguments.of(
            "vector(1) > 5",
            List.of("ignoreNullValues", "false"),
            null,
            false,
            "the result is empty"),
        Arguments.of("vector(0) / 0", List.of(), 0.0, false, null), // NaN -> 0
        Arguments.of(
            "vector(0) / 0",
            List.of("ignoreNullValues", "false"),
            null,
            false,
            "target may be lost"),
        Arguments.of(
            "vector(1) / 0", List.of("ignoreNullValues", "false"), null, false, "Infinity"),
        Arguments.of(two, List.of(), null, false, "returned multiple elements"),
        Arguments.of("scalar(vector(3))", List.of(), null, false, "is not a vector"),
        Arguments.of("sum(", List.of(), null, false, "HTTP 400"),
        Arguments.of(
            "vector(7)",
            List.of("namespace", "team-a", "queryParameters", "dedup=true"),
            7.0,
            true,
            null),
        Arguments.of("vector(-3)", List.of("activationThreshold", "-5"), -3.0, true, null));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("table")
  void kedaSemantics(
      String query, List<String> extra, Double expected, boolean active, String error) {
    PromQueryAdapter a = adapter(query, extra.toArray(new String[0]));
    if (expected == null) {
      assertThat(failure(a).getMessage()).contains(error);
    } else {
      PromQueryValue v = value(a);
      assertThat(v.value()).isEqualTo(expected);
      assertThat(v.active()).isEqualTo(active);
      assertThat(v.metricName()).isEqualTo("prometheus");
      assertThat(v.threshold()).isEqualTo(10.0);
    }
  }

  @Test
  void scrapedSeriesFromTheRealServer() {
    PromQueryAdapter a = adapter("sum(up{job=\"self\"})", "ignoreNullValues", "false");
    Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptions()
        .untilAsserted(() -> assertThat(value(a).value()).isEqualTo(1.0));
    Sample<PromQueryValue> s = a.collect(Duration.ofSeconds(5)).join();
    assertThat(s.age(Instant.now())).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void aPrometheusPortTakenBeforeItIsBoundIsRetriedOnAFreshOne() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      Iterator<Integer> ports =
          List.of(taken.getLocalPort(), PrometheusServer.freePort()).iterator();
      try (PrometheusServer second = new PrometheusServer("self", List.of(), ports::next)) {
        assertThat(second.url()).doesNotEndWith(":" + taken.getLocalPort());
        PromQueryAdapter a =
            adapter(
                "sum(up{job=\"self\"})",
                "serverAddress",
                second.url(),
                "ignoreNullValues",
                "false");
        Awaitility.await()
            .atMost(Duration.ofSeconds(20))
            .pollInterval(Duration.ofMillis(200))
            .ignoreExceptions()
            .untilAsserted(() -> assertThat(value(a).value()).isEqualTo(1.0));
      }
    }
  }

  @Test
  void unreachableAndSilentServersFailWithinTheDeadline() throws IOException {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    PromQueryAdapter down =
        factory.create(
            Map.of(
                "serverAddress", "http://127.0.0.1:" + closedPort, "query", "up", "threshold", "1"),
            Map.of(),
            context);
    assertThat(failure(down).kind()).isEqualTo(AdapterException.Kind.UNREACHABLE);

    List<Socket> accepted = new ArrayList<>();
    try (ServerSocket silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      Thread acceptor =
          new Thread(
              () -> {
                try {
                  while (!silent.isClosed()) {
                    accepted.add(silent.accept()); // never answers
                  }
                } catch (IOException expected) {
                  // closed by the test
                }
              });
      acceptor.start();
      PromQueryAdapter hanging =
          factory.create(
              Map.of(
                  "serverAddress", "http://127.0.0.1:" + silent.getLocalPort(),
                  "query", "up",
                  "threshold", "1",
                  "timeout", "700ms"),
              Map.of(),
              context);
      long t0 = System.nanoTime();
      AdapterException e = failure(hanging);
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
      assertThat(e.kind()).isEqualTo(AdapterException.Kind.TIMEOUT);
    } finally {
      for (Socket s : accepted) {
        s.close();
      }
    }
  }

  static Stream<Arguments> invalidConfig() {
    return Stream.of(
        Arguments.of(Map.of("query", "up", "threshold", "1"), "'serverAddress' is required"),
        Arguments.of(Map.of("serverAddress", "http://p", "threshold", "1"), "'query' is required"),
        Arguments.of(Map.of("serverAddress", "http://p", "query", "up"), "'threshold' is required"),
        Arguments.of(
            Map.of("serverAddress", "http://p", "query", "up", "threshold", "x"),
            "'threshold': invalid value"),
        Arguments.of(
            Map.of("serverAddress", "p:9090", "query", "up", "threshold", "1"),
            "http:// or https://"),
        Arguments.of(
            Map.of(
                "serverAddress",
                "http://p",
                "query",
                "up",
                "threshold",
                "1",
                "ignoreNullValues",
                "maybe"),
            "'ignoreNullValues'"),
        Arguments.of(
            Map.of(
                "serverAddress",
                "http://p",
                "query",
                "up",
                "threshold",
                "1",
                "customHeaders",
                "novalue"),
            "'customHeaders'"),
        Arguments.of(
            Map.of(
                "serverAddress", "http://p", "query", "up", "threshold", "1", "unsafeSsl", "true"),
            "not supported"));
  }

  @ParameterizedTest
  @MethodSource("invalidConfig")
  void rejectsInvalidConfig(Map<String, String> meta, String message) {
    assertThatThrownBy(() -> PromQueryConfig.fromMap(meta))
        .isInstanceOf(AdapterException.class)
        .hasMessageContaining(message);
  }

  @Test
  void defaultsAndUrl() {
    PromQueryConfig c =
        PromQueryConfig.fromMap(
            Map.of(
                "serverAddress", "http://p:9090/", "query", "sum(x{a=\"b\"})", "threshold", "1.5"));
    assertThat(c.ignoreNullValues()).isTrue();
    assertThat(c.activationThreshold()).isZero();
    assertThat(c.timeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(
            new PromQueryAdapter(c, null, Clock.systemUTC())
                .url(Instant.parse("2026-01-02T03:04:05.678Z")))
        .isEqualTo(
            "http://p:9090/api/v1/query?query=sum%28x%7Ba%3D%22b%22%7D%29&time=2026-01-02T03%3A04%3A05Z");
  }
}
