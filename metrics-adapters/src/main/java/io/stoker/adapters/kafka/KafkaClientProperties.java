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
import java.util.Set;
import java.util.TreeMap;

/**
 * Builds Admin client properties from the bootstrap list and a secret settings map (filled by the
 * controller from a Secret a tenant writes). The map may hold KEDA's auth parameters: {@code sasl}
 * (none, plaintext, scram_sha256, scram_sha512), {@code username}, {@code password}, {@code tls}
 * (enable, disable), {@code ca}, {@code cert}, {@code key}, {@code keyPassword} (PEM contents),
 * and/or the Kafka client properties of {@link #ALLOWED_PROPERTIES} (the same SASL/TLS material,
 * spelled as Kafka properties). Any other key is refused: a Secret must not choose config providers
 * ({@code config.providers}), files of the controller ({@code ssl.truststore.location}), classes
 * ({@code sasl.login.class}) or other client settings. A value containing {@code ${} is refused
 * too, so that nothing is ever resolved through a config provider. Errors name keys, never values.
 */
public final class KafkaClientProperties {
  private static final java.util.concurrent.atomic.AtomicInteger CLIENTS =
      new java.util.concurrent.atomic.AtomicInteger();

  private static final java.util.Set<String> KEDA_AUTH_KEYS =
      java.util.Set.of("sasl", "username", "password", "tls", "ca", "cert", "key", "keyPassword");

  /** The Kafka client properties a Secret may set, with the values each accepts (null: any). */
  static final Map<String, Set<String>> ALLOWED_PROPERTIES = allowedProperties();

  /** The SASL login modules {@code sasl.jaas.config} may name (those of KEDA's mechanisms). */
  static final Set<String> ALLOWED_LOGIN_MODULES =
      Set.of(
          "org.apache.kafka.common.security.plain.PlainLoginModule",
          "org.apache.kafka.common.security.scram.ScramLoginModule");

  private KafkaClientProperties() {}

  private static Map<String, Set<String>> allowedProperties() {
    Map<String, Set<String>> m = new TreeMap<>();
    m.put("security.protocol", Set.of("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"));
    m.put("sasl.mechanism", Set.of("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"));
    m.put("sasl.jaas.config", null);
    m.put("ssl.truststore.type", Set.of("PEM", "JKS", "PKCS12"));
    m.put("ssl.truststore.certificates", null);
    m.put("ssl.keystore.type", Set.of("PEM", "JKS", "PKCS12"));
    m.put("ssl.keystore.certificate.chain", null);
    m.put("ssl.keystore.key", null);
    m.put("ssl.key.password", null);
    m.put("ssl.endpoint.identification.algorithm", Set.of("https", ""));
    m.put("ssl.protocol", null);
    m.put("ssl.enabled.protocols", null);
    return java.util.Collections.unmodifiableMap(m);
  }

  /**
   * Refuses a key outside the allow-list, a value outside its allowed set, a login module other
   * than PLAIN's or SCRAM's, and any value with config-provider syntax.
   */
  private static void checkAllowed(String key, String value) {
    if (value != null && value.contains("${")) {
      throw invalid(
          "Kafka auth key '"
              + key
              + "' contains '${': config-provider references are not resolved; put the value"
              + " itself in the Secret");
    }
    if (!key.contains(".")) {
      return; // KEDA auth key, checked by applyKedaAuth
    }
    if (!ALLOWED_PROPERTIES.containsKey(key)) {
      throw invalid(
          "Kafka client property '"
              + key
              + "' may not be set from a Secret; allowed: "
              + ALLOWED_PROPERTIES.keySet()
              + " and KEDA's auth keys "
              + new java.util.TreeSet<>(KEDA_AUTH_KEYS));
    }
    Set<String> values = ALLOWED_PROPERTIES.get(key);
    if (values != null && !values.contains(value.trim())) {
      throw invalid(
          "Kafka client property '" + key + "' must be one of " + new java.util.TreeSet<>(values));
    }
    if (key.equals("sasl.jaas.config")) {
      String module = value.trim().split("\\s+", 2)[0];
      if (!ALLOWED_LOGIN_MODULES.contains(module)) {
        throw invalid(
            "Kafka client property 'sasl.jaas.config' must use one of the login modules "
                + new java.util.TreeSet<>(ALLOWED_LOGIN_MODULES));
      }
    }
  }

  /** Properties for one cluster. */
  public static Properties build(String bootstrapServers, Map<String, String> secrets) {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrapServers);
    p.put("client.id", "stoker-adapters-" + CLIENTS.incrementAndGet());
    p.put("request.timeout.ms", "10000");
    p.put("default.api.timeout.ms", "15000");
    p.put("reconnect.backoff.max.ms", "2000");
    Map<String, String> keda = new TreeMap<>();
    new TreeMap<>(secrets).forEach(KafkaClientProperties::checkAllowed);
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
