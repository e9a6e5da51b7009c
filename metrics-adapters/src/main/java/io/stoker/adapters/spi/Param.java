package io.stoker.adapters.spi;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * One configuration parameter, declared once: name, type, default, whether it is required and
 * whether it is secret. Parsing errors are {@link AdapterException}s of kind INVALID_CONFIG that
 * name the parameter (and never echo a secret value).
 *
 * @param <T> the parsed type
 */
public final class Param<T> {
  private final String name;
  private final String type;
  private final String description;
  private final Function<String, T> parser;
  private final T defaultValue;
  private final boolean required;
  private final boolean secret;

  private Param(
      String name,
      String type,
      String description,
      Function<String, T> parser,
      T defaultValue,
      boolean required,
      boolean secret) {
    this.name = Objects.requireNonNull(name);
    this.type = type;
    this.description = description;
    this.parser = parser;
    this.defaultValue = defaultValue;
    this.required = required;
    this.secret = secret;
  }

  /** A free-text parameter (surrounding whitespace trimmed). */
  public static Param<String> string(String name, String description) {
    return new Param<>(name, "string", description, String::trim, null, false, false);
  }

  /** A 64-bit integer parameter (Go's strconv.ParseInt syntax, base 10). */
  public static Param<Long> int64(String name, String description) {
    return new Param<>(
        name, "int64", description, s -> Long.parseLong(s.trim()), null, false, false);
  }

  /** A floating-point parameter. */
  public static Param<Double> float64(String name, String description) {
    return new Param<>(name, "float64", description, Param::parseFiniteDouble, null, false, false);
  }

  /** A boolean parameter with Go's strconv.ParseBool spellings (1, t, true, TRUE, 0, f, ...). */
  public static Param<Boolean> bool(String name, String description) {
    return new Param<>(name, "bool", description, Param::parseGoBool, false, false, false);
  }

  /** A duration: {@code 500ms}, {@code 5s}, {@code 1m}, or a plain number of seconds. */
  public static Param<Duration> duration(String name, String description) {
    return new Param<>(name, "duration", description, Param::parseDuration, null, false, false);
  }

  /** An enum parameter; the accepted spellings are the constant names in lower case. */
  public static <E extends Enum<E>> Param<E> oneOf(String name, Class<E> type, String description) {
    String allowed =
        Arrays.stream(type.getEnumConstants())
            .map(e -> e.name().toLowerCase(Locale.ROOT))
            .collect(Collectors.joining("|"));
    Function<String, E> p =
        s -> {
          String v = s.trim();
          for (E e : type.getEnumConstants()) {
            if (e.name().toLowerCase(Locale.ROOT).equals(v)) {
              return e;
            }
          }
          throw new IllegalArgumentException("must be one of " + allowed);
        };
    return new Param<>(name, allowed, description, p, null, false, false);
  }

  /** A parameter with a custom parser (which throws IllegalArgumentException on bad input). */
  public static <T> Param<T> custom(
      String name, String type, String description, Function<String, T> parser) {
    return new Param<>(name, type, description, parser, null, false, false);
  }

  /** Copy with a default value. */
  public Param<T> withDefault(T value) {
    return new Param<>(name, type, description, parser, value, required, secret);
  }

  /** Copy that must be present and non-empty. */
  public Param<T> asRequired() {
    return new Param<>(name, type, description, parser, defaultValue, true, secret);
  }

  /** Copy whose value is never printed. */
  public Param<T> asSecret() {
    return new Param<>(name, type, description, parser, defaultValue, required, true);
  }

  public String name() {
    return name;
  }

  public String type() {
    return type;
  }

  public String description() {
    return description;
  }

  public T defaultValue() {
    return defaultValue;
  }

  public boolean required() {
    return required;
  }

  public boolean secret() {
    return secret;
  }

  /** Parses a raw value; errors name the parameter. */
  public T parse(String raw) {
    try {
      return parser.apply(raw);
    } catch (IllegalArgumentException e) {
      String shown = secret ? "" : " '" + shorten(raw) + "'";
      String why = e instanceof NumberFormatException ? "not a valid " + type : e.getMessage();
      throw new AdapterException(
          AdapterException.Kind.INVALID_CONFIG,
          "parameter '" + name + "': invalid value" + shown + ": " + why);
    }
  }

  /**
   * Parses the value of a typed field as if it came as metadata: absent or blank takes the default,
   * or is an error naming the parameter when it is required.
   */
  public T parseOrDefault(String raw) {
    if (raw == null || raw.isBlank()) {
      ParamSet.reject(required, "parameter '" + name + "' is required");
      return defaultValue;
    }
    return parse(raw);
  }

  /** The longest part of a raw value an error message echoes (values can be large). */
  static final int ECHO_LIMIT = 80;

  private static String shorten(String raw) {
    return raw.length() <= ECHO_LIMIT
        ? raw
        : raw.substring(0, ECHO_LIMIT) + "... (" + raw.length() + " characters)";
  }

  static double parseFiniteDouble(String s) {
    String v = s.trim();
    if (v.isEmpty() || !v.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?")) {
      throw new NumberFormatException(v);
    }
    return Double.parseDouble(v);
  }

  static boolean parseGoBool(String s) {
    switch (s.trim()) {
      case "1":
      case "t":
      case "T":
      case "true":
      case "TRUE":
      case "True":
        return true;
      case "0":
      case "f":
      case "F":
      case "false":
      case "FALSE":
      case "False":
        return false;
      default:
        throw new IllegalArgumentException("must be true or false");
    }
  }

  static Duration parseDuration(String s) {
    String v = s.trim();
    try {
      if (v.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
      }
      if (v.endsWith("s")) {
        return Duration.ofMillis(
            Math.round(parseFiniteDouble(v.substring(0, v.length() - 1)) * 1000));
      }
      if (v.endsWith("m")) {
        return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)) * 60);
      }
      return Duration.ofMillis(Math.round(parseFiniteDouble(v) * 1000));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("must be a duration such as 500ms, 5s or 1m", e);
    }
  }

  @Override
  public String toString() {
    return name + " (" + type + (required ? ", required" : ", default " + defaultValue) + ")";
  }
}
