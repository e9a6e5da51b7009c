package io.stoker.adapters.kafka;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A listener that speaks HTTP on what a trigger names as a Kafka port: it reads what the client
 * sends and answers {@code 400 Bad Request}, as an HTTP server, an ingress or a metrics port would.
 * kafka-clients reads {@code "HTTP"} as a frame size of 1,213,486,160 bytes.
 */
public final class NotKafkaListener implements AutoCloseable {
  private static final byte[] ANSWER =
      ("HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n"
              + "Connection: close\r\n\r\nBad Request")
          .getBytes(StandardCharsets.US_ASCII);

  private final ServerSocket server;
  private final AtomicInteger connections = new AtomicInteger();

  public NotKafkaListener() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(this::serve, "not-kafka-listener");
    t.setDaemon(true);
    t.start();
  }

  public String address() {
    return "127.0.0.1:" + server.getLocalPort();
  }

  /** Connections accepted so far. */
  public int connections() {
    return connections.get();
  }

  private void serve() {
    while (!server.isClosed()) {
      try (Socket s = server.accept()) {
        connections.incrementAndGet();
        InputStream in = s.getInputStream();
        in.read(new byte[512]); // the client's first request, whatever it is
        OutputStream out = s.getOutputStream();
        out.write(ANSWER);
        out.flush();
        s.shutdownOutput(); // then wait for the client to close, as HTTP servers linger
        s.setSoTimeout(5000);
        while (in.read(new byte[512]) >= 0) {
          // drain
        }
      } catch (IOException e) {
        // closed, or the client went away: serve the next one
      }
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }

  /**
   * Run in a JVM with a small heap ({@code -Xmx96m -XX:+ExitOnOutOfMemoryError}): reads a group
   * through the Kafka adapter from a listener that speaks HTTP, prints the outcome and the peak
   * heap, exits 0. Without the probe, kafka-clients allocates the 1.2 GB "frame" and the JVM exits
   * with code 3.
   */
  public static void main(String[] args) throws Exception {
    try (NotKafkaListener http = new NotKafkaListener();
        io.stoker.adapters.spi.AdapterContext ctx =
            new io.stoker.adapters.spi.AdapterContext(java.time.Clock.systemUTC())) {
      KafkaLagAdapter a =
          new KafkaLagAdapterFactory()
              .create(
                  java.util.Map.of(
                      "bootstrapServers", http.address(), "consumerGroup", "g", "topic", "t"),
                  java.util.Map.of(),
                  ctx);
      String outcome;
      try {
        outcome = "value " + a.collect(java.time.Duration.ofSeconds(5)).join().value();
      } catch (java.util.concurrent.CompletionException e) {
        outcome = "error " + e.getCause();
      }
      long peak = 0; // the old generation's peak: what stayed (eden's peak is its size)
      for (var pool : java.lang.management.ManagementFactory.getMemoryPoolMXBeans()) {
        if (pool.getType() == java.lang.management.MemoryType.HEAP
            && (pool.getName().contains("Old") || pool.getName().contains("Tenured"))) {
          peak = pool.getPeakUsage().getUsed();
        }
      }
      System.out.println("address " + http.address());
      System.out.println("outcome " + outcome);
      System.out.println("peakHeapBytes " + peak);
    }
  }
}
