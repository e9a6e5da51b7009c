package io.stoker.app.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The metrics port under a slowloris (issue 17 item 6): clients that send half a request and stall
 * must not keep {@code /healthz}, {@code /readyz} or {@code /metrics} from answering, and their
 * connections are closed after the idle timeout.
 */
class MetricsServerTest {
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(5))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void halfSentRequestsDoNotBlockHealthOrMetrics() throws Exception {
    OperatorMetrics metrics = OperatorMetrics.create(false);
    List<Socket> stalled = new ArrayList<>();
    try (MetricsServer server =
        MetricsServer.start(
            new InetSocketAddress("127.0.0.1", 0),
            metrics,
            new HealthChecks(() -> true, () -> false))) {
      for (int i = 0; i < 32; i++) {
        Socket s = new Socket("127.0.0.1", server.port());
        OutputStream out = s.getOutputStream();
        out.write(
            "GET /healthz HTTP/1.1\r\nHost: stoker\r\nX-Slow: ".getBytes(StandardCharsets.UTF_8));
        out.flush();
        stalled.add(s);
      }
      assertThat(get(server.port(), "/healthz").statusCode()).isEqualTo(200);
      assertThat(get(server.port(), "/readyz").statusCode()).isEqualTo(503);
      HttpResponse<String> m = get(server.port(), "/metrics");
      assertThat(m.statusCode()).isEqualTo(200);
      assertThat(m.body()).contains("# TYPE " + MetricNames.LEADER);
      // The stalled connections are closed by the server after its idle timeout.
      Socket first = stalled.get(0);
      first.setSoTimeout((MetricsServer.IDLE_TIMEOUT_SECONDS + 20) * 1000);
      InputStream in = first.getInputStream();
      Awaitility.await()
          .atMost(Duration.ofSeconds(MetricsServer.IDLE_TIMEOUT_SECONDS + 20))
          .until(() -> in.read() == -1);
    } finally {
      for (Socket s : stalled) {
        s.close();
      }
    }
  }
}
