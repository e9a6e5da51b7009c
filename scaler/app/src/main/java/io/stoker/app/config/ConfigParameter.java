package io.stoker.app.config;

import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/**
 * One setting of {@code stoker run}, declared once: its flag ({@code --key}), its environment
 * variable ({@code STOKER_KEY}), a default and a description. The flag, the environment variable,
 * the generated {@code docs/configuration.md} and the chart all derive from these declarations.
 *
 * @param key flag name without dashes
 * @param type what values look like, for docs and help (for example {@code duration})
 * @param defaultValue the default as text (empty: no value)
 * @param description one sentence
 * @param parser turns the text into the typed value; throws IllegalArgumentException
 * @param <T> value type
 */
public record ConfigParameter<T>(
    String key, String type, String defaultValue, String description, Function<String, T> parser) {

  public ConfigParameter {
    Objects.requireNonNull(key);
    Objects.requireNonNull(type);
    Objects.requireNonNull(defaultValue);
    Objects.requireNonNull(description);
    Objects.requireNonNull(parser);
  }

  /** {@code --key}. */
  public String flag() {
    return "--" + key;
  }

  /** {@code STOKER_KEY} (dashes become underscores). */
  public String env() {
    return "STOKER_" + key.toUpperCase(Locale.ROOT).replace('-', '_');
  }

  T parse(String text) {
    try {
      return parser.apply(text.trim());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          flag()
              + " / "
              + env()
              + ": '"
              + text
              + "' is not a valid "
              + type
              + ": "
              + e.getMessage(),
          e);
    }
  }
}
