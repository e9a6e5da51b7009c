package io.stoker.adapters.kafka;

import io.stoker.adapters.spi.AdapterException;
import io.stoker.adapters.spi.Redaction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Builds Admin client properties from the bootstrap list and a secret settings map (filled by the
 * controller from a Secret). The map may hold plain Kafka client properties (any key with a dot,
 * e.g. {@code security.protocol}, {@code sasl.jaas.config}, {@code ssl.truststore.location}) and/or
 * KEDA's auth parameters: {@code sasl} (none, plaintext, scram_sha256, scram_sha512), {@code
 * username}, {@code password}, {@code tls} (enable, disable), {@code ca}, {@code cert}, {@code
 * key}, {@code keyPassword} (PEM contents). Errors name keys, never values.
 */
public final class KafkaClientProperties {
  private static final java.util.concurrent.atomic.AtomicInteger CLIENTS =
      new java.util.concurrent.atomic.AtomicInteger();

  private static final java.util.Set<String> KEDA_AUTH_KEYS =
      java.util.Set.of("sasl", "username", "password", "tls", "ca", "cert", "key", "keyPassword");

  private KafkaClientProperties() {}

  /** Properties for one cluster. */
  public static Properties build(String bootstrapServers, Map<String, String> secrets) {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrapServers);
    p.put("client.id", "stoker-adapters-" + CLIENTS.incrementAndGet());
    p.put("request.timeout.ms", "10000");
    p.put("default.api.timeout.ms", "15000");
    p.put("reconnect.backoff.max.ms", "2000");
    Map<String, String> keda = new TreeMap<>();
    secrets.forEach(
        (k, v) -> {
          if (k.contains(".")) {
            p.put(k, v);
          } else {
            keda.put(k, v);
          }
        });
    applyKedaAuth(p, keda);
    return p;
  }

  private static void applyKedaAuth(Properties p, Map<String, String> a) {
    for (String k : a.keySet()) {
      if (!KEDA_AUTH_KEYS.contains(k)) {
        throw invalid("unknown Kafka auth key '" + k + "'");
      }
    }
    String sasl = a.getOrDefault("sasl", "none").trim().toLowerCase(Locale.ROOT);
    String tls = a.getOrDefault("tls", "disable").trim().toLowerCase(Locale.ROOT);
    if (!tls.equals("enable") && !tls.equals("disable")) {
      throw invalid("auth key 'tls' must be enable or disable");
    }
    boolean ssl = tls.equals("enable");
    String mechanism = saslMechanism(sasl);
    if (mechanism != null) {
      String user = a.get("username");
      String pass = a.get("password");
      if (user == null || user.isBlank()) {
        throw invalid("auth key 'username' is required with sasl=" + sasl);
      }
      if (pass == null || pass.isBlank()) {
        throw invalid("auth key 'password' is required with sasl=" + sasl);
      }
      String module =
          mechanism.equals("PLAIN")
              ? "org.apache.kafka.common.security.plain.PlainLoginModule"
              : "org.apache.kafka.common.security.scram.ScramLoginModule";
      p.put("sasl.mechanism", mechanism);
      p.put(
          "sasl.jaas.config",
          module
              + " required username=\""
              + jaas(user.trim())
              + "\" password=\""
              + jaas(pass.trim())
              + "\";");
      p.put("security.protocol", ssl ? "SASL_SSL" : "SASL_PLAINTEXT");
    } else if (ssl) {
      p.put("security.protocol", "SSL");
    }
    if (ssl) {
      applyPem(p, a);
    }
  }

  private static String saslMechanism(String sasl) {
    switch (sasl) {
      case "none":
        return null;
      case "plaintext":
        return "PLAIN";
      case "scram_sha256":
        return "SCRAM-SHA-256";
      case "scram_sha512":
        return "SCRAM-SHA-512";
      default:
        throw invalid(
            "auth key 'sasl' must be none, plaintext, scram_sha256 or scram_sha512"
                + " (use plain Kafka properties such as sasl.jaas.config for other mechanisms)");
    }
  }

  private static void applyPem(Properties p, Map<String, String> a) {
    boolean cert = a.get("cert") != null && !a.get("cert").isBlank();
    boolean key = a.get("key") != null && !a.get("key").isBlank();
    if (cert != key) {
      throw invalid(cert ? "key must be provided with cert" : "cert must be provided with key");
    }
    if (a.get("ca") != null && !a.get("ca").isBlank()) {
      p.put("ssl.truststore.type", "PEM");
      p.put("ssl.truststore.certificates", a.get("ca"));
    }
    if (cert) {
      p.put("ssl.keystore.type", "PEM");
      p.put("ssl.keystore.certificate.chain", a.get("cert"));
      p.put("ssl.keystore.key", a.get("key"));
      if (a.get("keyPassword") != null) {
        p.put("ssl.key.password", a.get("keyPassword"));
      }
    }
  }

  private static String jaas(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  private static AdapterException invalid(String m) {
    return new AdapterException(AdapterException.Kind.INVALID_CONFIG, m);
  }

  /**
   * A key identifying one cluster connection: bootstrap list plus a digest of the settings (so two
   * groups with the same brokers and credentials share one Admin; the key shows no secret).
   */
  public static String clusterKey(String bootstrapServers, Map<String, String> secrets) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      new TreeMap<>(secrets)
          .forEach((k, v) -> d.update((k + "=" + v + "\n").getBytes(StandardCharsets.UTF_8)));
      return "kafka:" + bootstrapServers + "#" + HexFormat.of().formatHex(d.digest(), 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Printable form of client properties, secrets redacted. */
  public static String describe(Properties p) {
    Map<String, Object> m = new TreeMap<>();
    p.forEach((k, v) -> m.put(String.valueOf(k), v));
    return Redaction.redact(m).toString();
  }

  static Duration timeoutOf(Properties p) {
    return Duration.ofMillis(Long.parseLong(p.getProperty("default.api.timeout.ms")));
  }
}
