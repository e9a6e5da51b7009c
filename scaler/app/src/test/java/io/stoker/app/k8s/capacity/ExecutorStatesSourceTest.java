package io.stoker.app.k8s.capacity;

import static org.assertj.core.api.Assertions.assertThat;

import io.stoker.adapters.spark.SparkExecutorStates.ExecutorState;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The driver's executor metrics under hostile answers (issue 17 item 5): an oversized body is cut
 * at the cap, a slow endless one at the deadline, and both connections are closed.
 */
class ExecutorStatesSourceTest {
  /** A driver stub answering every request with one kind of body; counts bytes and connections. */
  static final class Driver implements AutoCloseable {
    final ServerSocket server;
    final AtomicLong bytesSent = new AtomicLong();
    final AtomicInteger open = new AtomicInteger();
    private final String kind;

    Driver(String kind) throws IOException {
      this.kind = kind;
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread t = new Thread(this::accept, "driver-stub-" + kind);
      t.setDaemon(true);
      t.start();
    }

    private void accept() {
      while (!server.isClosed()) {
        try {
          Socket s = server.accept();
          open.incrementAndGet();
          Thread t = new Thread(() -> serve(s), "driver-stub-conn");
          t.setDaemon(true);
          t.start();
        } catch (IOException e) {
          return;
        }
      }
    }

    private void serve(Socket s) {
      try (s) {
        InputStream in = s.getInputStream();
        byte[] buf = new byte[4096];
        int n = in.read(buf); // the request (small, one read)
        if (n < 0) {
          return;
        }
        OutputStream out = s.getOutputStream();
        switch (kind) {
          case "big" -> {
            long size = 50_000_000;
            out.write(
                ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: "
                        + size
                        + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = new byte[64 * 1024];
            java.util.Arrays.fill(chunk, (byte) '#');
            for (long sent = 0; sent < size; sent += chunk.length) {
              out.write(chunk);
              bytesSent.addAndGet(chunk.length);
            }
          }
          case "slow" -> {
            out.write(
                "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            while (true) {
              out.write("1\r\n#\r\n".getBytes(StandardCharsets.US_ASCII));
              out.flush();
              bytesSent.incrementAndGet();
              java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L); // pacing, not waiting
            }
          }
          default -> {
            byte[] body =
                "metrics_app_executor_1_activeTasks{type=\"gauges\"} 0\n"
                    .getBytes(StandardCharsets.UTF_8);
            out.write(
                ("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(body);
          }
        }
      } catch (IOException e) {
        // the client closed the connection
      } finally {
        open.decrementAndGet();
      }
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }

  @Test
  void anOversizedBodyIsCutAtTheCapAndItsConnectionClosed() throws Exception {
    try (Driver big = new Driver("big")) {
      ExecutorStatesSource source = ExecutorStatesSource.http(Duration.ofSeconds(20), 1 << 20);
      CompletableFuture<Optional<Map<String, ExecutorState>>> read =
          CompletableFuture.supplyAsync(() -> source.read("127.0.0.1", big.server.getLocalPort()));
      assertThat(read.get(30, TimeUnit.SECONDS)).isEmpty();
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> big.open.get() == 0);
      System.out.printf(
          "hostile input: 50 MB executor metrics, cap 1 MiB: the driver sent %.1f MB%n",
          big.bytesSent.get() / 1e6);
      assertThat(big.bytesSent.get()).isLessThan(20_000_000L);
    }
  }

  @Test
  void slowEndlessBodiesEndAtTheDeadlineAndFreeTheirConnections() throws Exception {
    try (Driver slow = new Driver("slow");
        Driver ok = new Driver("ok")) {
      ExecutorStatesSource source = ExecutorStatesSource.http(Duration.ofMillis(700));
      List<CompletableFuture<Optional<Map<String, ExecutorState>>>> reads = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        reads.add(
            CompletableFuture.supplyAsync(
                () -> source.read("127.0.0.1", slow.server.getLocalPort())));
      }
      for (var r : reads) {
        assertThat(r.get(30, TimeUnit.SECONDS)).isEmpty();
      }
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> slow.open.get() == 0);
      assertThat(source.read("127.0.0.1", ok.server.getLocalPort())).isPresent();
    }
  }
}
