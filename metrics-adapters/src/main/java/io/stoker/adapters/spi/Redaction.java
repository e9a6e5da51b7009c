package io.stoker.adapters.spi;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** Keeps secrets out of logs and error messages. */
public final class Redaction {
  private static final Pattern SECRET_KEY =
      Pattern.compile(".*(password|secret|token|jaas|key|credential|bearer|auth).*");
  private static final Pattern INLINE_SECRET =
      Pattern.compile("(?i)(password|secret|token)\\s*=\\s*(\"[^\"]*\"|\\S+)");

  private Redaction() {}

  /** True if a property or parameter with this name holds a secret. */
  public static boolean isSecretKey(String key) {
    return SECRET_KEY.matcher(key.toLowerCase(Locale.ROOT)).matches();
  }

  /** A printable copy of a properties map with secret values replaced by {@code [redacted]}. */
  public static Map<String, String> redact(Map<String, ?> props) {
    Map<String, String> out = new TreeMap<>();
    props.forEach((k, v) -> out.put(k, isSecretKey(k) ? "[redacted]" : String.valueOf(v)));
    return out;
  }

  /** Replaces {@code password=...}-like fragments in free text (e.g. a JAAS line). */
  public static String redact(String text) {
    return INLINE_SECRET.matcher(text).replaceAll("$1=[redacted]");
  }
}
