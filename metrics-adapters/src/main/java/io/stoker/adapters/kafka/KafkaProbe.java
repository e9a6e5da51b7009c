package io.stoker.adapters.kafka;

import io.stoker.adapters.spi.AdapterException;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.security.ssl.DefaultSslEngineFactory;

/**
 * A bounded check that every bootstrap address speaks Kafka, made before an Admin client is created
 * for it. kafka-clients 4.1.1 reads a response of any announced size (its client {@code Selector}
 * has no receive limit, and no client setting sets one): a listener that answers with something
 * else, an HTTP server for instance ({@code "HTTP"} read as a size is 1.2 GB), makes the Admin's
 * network thread allocate that much and the JVM die of {@code OutOfMemoryError}.
 *
 * <p>The probe sends one {@code ApiVersions} v0 request (which every Kafka listener answers, SASL
 * ones before authentication) over TLS when the client would use TLS, and reads at most {@link
 * #MAX_RESPONSE_BYTES}: a larger announced size, another correlation id or a closed connection
 * means the address does not speak Kafka. Blocking, every step within the timeout: run it on a
 * thread that may block, never on a network thread.
 *
 * <p>What it cannot see: a listener that speaks Kafka to the probe and changes afterwards, and the
 * brokers a real cluster advertises (the Admin connects to those from the cluster's metadata).
 */
final class KafkaProbe {
  /** An ApiVersions answer is about 500 bytes; anything above this is not Kafka. */
  static final int MAX_RESPONSE_BYTES = 64 * 1024;

  private static final short API_VERSIONS = 18;
  private static final short UNSUPPORTED_VERSION = 35;
  private static final byte[] CLIENT_ID = "stoker-probe".getBytes(StandardCharsets.US_ASCII);

  private KafkaProbe() {}

  /**
   * Probes every address of {@code bootstrap.servers} in {@code props}. Addresses that cannot be
   * reached or stay silent until the deadline are tolerated while another one speaks Kafka (the
   * Admin client then reaches the cluster through it); an address that answers with something else
   * is refused at once. Every step is done by {@code deadline} ({@link System#nanoTime()}).
   *
   * @throws AdapterException {@code UNREACHABLE} naming the address that does not speak Kafka, or
   *     naming every address when none could be reached, each with its cause (connection refused,
   *     timed out and where, unknown host); {@code AUTH} when the TLS handshake fails
   */
  static void check(Properties props, long deadline) {
    String servers = props.getProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG);
    SSLContext tls = tlsContext(props);
    String identification = props.getProperty("ssl.endpoint.identification.algorithm", "https");
    List<String> unreachable = new ArrayList<>();
    int correlation = 1;
    for (String address : servers.split(",")) {
      String a = address.trim();
      try {
        probe(a, tls, identification, correlation++, deadline);
        continue;
      } catch (SSLException e) {
        throw new AdapterException(
            AdapterException.Kind.AUTH,
            "Kafka bootstrap address "
                + a
                + ": TLS handshake failed ("
                + e.getClass().getSimpleName()
                + "); check the CA and security.protocol");
      } catch (IOException e) {
        unreachable.add(a + " (" + cause(e) + ")");
      }
    }
    if (unreachable.size() == servers.split(",").length) {
      throw new AdapterException(
          AdapterException.Kind.UNREACHABLE,
          "Kafka bootstrap servers unreachable: " + String.join(", ", unreachable));
    }
  }

  /** Why an address could not be reached, in words: refused, timed out (and where), unknown. */
  static String cause(IOException e) {
    if (e instanceof SocketTimeoutException) {
      return "timed out: " + e.getMessage();
    }
    if (e instanceof java.net.ConnectException) {
      return "connection refused";
    }
    if (e instanceof java.net.UnknownHostException) {
      return "unknown host";
    }
    if (e instanceof java.net.NoRouteToHostException) {
      return "no route to host";
    }
    return e.getClass().getSimpleName();
  }

  private static void probe(
      String address, SSLContext tls, String identification, int correlation, long deadline)
      throws IOException {
    int colon = address.lastIndexOf(':');
    String host = address.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port = Integer.parseInt(address.substring(colon + 1));
    try (Socket plain = new Socket()) {
      int connectMillis = remainingMillis(deadline);
      try {
        plain.connect(new InetSocketAddress(host, port), connectMillis);
      } catch (SocketTimeoutException e) {
        throw new SocketTimeoutException(
            "the connection was not accepted within " + connectMillis + " ms");
      }
      plain.setSoTimeout(remainingMillis(deadline));
      Socket s = plain;
      if (tls != null) {
        SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(plain, host, port, true);
        SSLParameters params = ssl.getSSLParameters();
        params.setEndpointIdentificationAlgorithm(identification.isEmpty() ? null : identification);
        ssl.setSSLParameters(params);
        ssl.setSoTimeout(remainingMillis(deadline));
        ssl.startHandshake();
        s = ssl;
      }
      long asked = System.nanoTime();
      try {
        exchange(s, address, correlation, deadline);
      } catch (SocketTimeoutException e) {
        throw new SocketTimeoutException(
            "the connection was accepted but no answer came within "
                + Duration.ofNanos(System.nanoTime() - asked).toMillis()
                + " ms");
      }
    }
  }

  private static void exchange(Socket s, String address, int correlation, long deadline)
      throws IOException {
    ByteArrayOutputStream request = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(request);
    out.writeInt(2 + 2 + 4 + 2 + CLIENT_ID.length);
    out.writeShort(API_VERSIONS);
    out.writeShort(0);
    out.writeInt(correlation);
    out.writeShort(CLIENT_ID.length);
    out.write(CLIENT_ID);
    s.getOutputStream().write(request.toByteArray()); // one write: one segment
    s.getOutputStream().flush();
    DataInputStream in = new DataInputStream(s.getInputStream());
    byte[] head = new byte[4];
    readFully(in, head, address, "no answer to ApiVersions (connection closed)");
    int size =
        ((head[0] & 0xff) << 24)
            | ((head[1] & 0xff) << 16)
            | ((head[2] & 0xff) << 8)
            | head[3] & 0xff;
    if (size < 6 || size > MAX_RESPONSE_BYTES) {
      throw notKafka(
          address,
          "its answer announces "
              + Integer.toUnsignedString(size)
              + " bytes"
              + printable(head)
              + ", more than a Kafka ApiVersions answer ("
              + MAX_RESPONSE_BYTES
              + " at most)");
    }
    s.setSoTimeout(remainingMillis(deadline));
    byte[] body = new byte[size];
    readFully(in, body, address, "its ApiVersions answer is cut short");
    int got =
        ((body[0] & 0xff) << 24)
            | ((body[1] & 0xff) << 16)
            | ((body[2] & 0xff) << 8)
            | body[3] & 0xff;
    short error = (short) (((body[4] & 0xff) << 8) | (body[5] & 0xff));
    if (got != correlation || (error != 0 && error != UNSUPPORTED_VERSION)) {
      throw notKafka(address, "its answer is not a Kafka ApiVersions answer");
    }
  }

  private static void readFully(InputStream in, byte[] b, String address, String why)
      throws IOException {
    try {
      new DataInputStream(in).readFully(b);
    } catch (EOFException e) {
      throw notKafka(address, why);
    }
  }

  /** {@code " (starts with "HTTP")"} when the first bytes are text, which tells what answered. */
  private static String printable(byte[] head) {
    for (byte b : head) {
      if (b < 0x20 || b > 0x7e) {
        return "";
      }
    }
    return " (starts with \"" + new String(head, StandardCharsets.US_ASCII) + "\")";
  }

  private static AdapterException notKafka(String address, String why) {
    return new AdapterException(
        AdapterException.Kind.UNREACHABLE,
        "Kafka bootstrap address " + address + " does not speak Kafka: " + why);
  }

  private static int remainingMillis(long deadline) throws SocketTimeoutException {
    long ms = Duration.ofNanos(deadline - System.nanoTime()).toMillis();
    if (ms <= 0) {
      throw new SocketTimeoutException("no time left before the deadline");
    }
    return (int) Math.min(Integer.MAX_VALUE, ms);
  }

  /** The SSL context the Admin client would use, or null without TLS. */
  private static SSLContext tlsContext(Properties props) {
    String protocol =
        props
            .getProperty(AdminClientConfig.SECURITY_PROTOCOL_CONFIG, "PLAINTEXT")
            .trim()
            .toUpperCase(Locale.ROOT);
    if (!protocol.equals("SSL") && !protocol.equals("SASL_SSL")) {
      return null;
    }
    DefaultSslEngineFactory f = new DefaultSslEngineFactory();
    try {
      f.configure(new AdminClientConfig(props).values());
      return f.sslContext();
    } catch (RuntimeException e) {
      throw new AdapterException(
          AdapterException.Kind.INVALID_CONFIG,
          "Kafka TLS settings are invalid (" + e.getClass().getSimpleName() + ")");
    }
  }
}
