package io.stoker.app.spec;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Go-style durations as written in the CRD ({@code 60s}, {@code 1m30s}, {@code 500ms}). */
public final class DurationText {
  private static final Pattern WHOLE = Pattern.compile("([0-9]+(\\.[0-9]+)?(ms|s|m|h))+");
  private static final Pattern PART = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ms|s|m|h)");

  private DurationText() {}

  /**
   * Parses {@code text}.
   *
   * @throws IllegalArgumentException if it is not a duration
   */
  public static Duration parse(String text) {
    String t = text.trim();
    if (t.length() > SpecLimits.DURATION_CHARS) {
      throw new IllegalArgumentException(
          "a duration of at most " + SpecLimits.DURATION_CHARS + " characters such as 60s or 5m");
    }
    if (!WHOLE.matcher(t).matches()) {
      throw new IllegalArgumentException("'" + text + "' is not a duration such as 60s or 5m");
    }
    Matcher m = PART.matcher(t);
    double millis = 0;
    while (m.find()) {
      double v = Double.parseDouble(m.group(1));
      millis +=
          switch (m.group(2)) {
            case "ms" -> v;
            case "s" -> v * 1_000;
            case "m" -> v * 60_000;
            default -> v * 3_600_000;
          };
    }
    return Duration.ofMillis(Math.round(millis));
  }

  /** {@code d} as written in a spec: {@code 1h}, {@code 90s}, {@code 500ms}. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms % 3_600_000 == 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 1_000 == 0) {
      return ms / 1_000 + "s";
    }
    return ms + "ms";
  }
}
