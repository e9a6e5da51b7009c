package io.stoker.adapters.spi;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The declared parameters of one adapter config, and the parser of a raw key/value map. */
public final class ParamSet {
  private final Map<String, Param<?>> params = new LinkedHashMap<>();

  private ParamSet(List<Param<?>> list) {
    for (Param<?> p : list) {
      if (params.put(p.name(), p) != null) {
        throw new IllegalArgumentException("duplicate parameter " + p.name());
      }
    }
  }

  public static ParamSet of(Param<?>... params) {
    return new ParamSet(List.of(params));
  }

  public List<Param<?>> params() {
    return List.copyOf(params.values());
  }

  /**
   * Parses {@code raw}. Missing optional parameters take their default; an empty string counts as
   * absent (as in KEDA). With {@code rejectUnknown}, a key that is not declared is an error naming
   * it; otherwise such keys are reported by {@link Values#unknownKeys()}.
   */
  public Values parse(Map<String, String> raw, boolean rejectUnknown) {
    Set<String> unknown = new TreeSet<>(raw.keySet());
    unknown.removeAll(params.keySet());
    if (rejectUnknown && !unknown.isEmpty()) {
      throw new AdapterException(
          AdapterException.Kind.INVALID_CONFIG,
          "unknown parameter(s) " + unknown + "; known: " + params.keySet());
    }
    Map<String, Object> values = new LinkedHashMap<>();
    Set<String> present = new TreeSet<>();
    for (Param<?> p : params.values()) {
      String v = raw.get(p.name());
      if (v == null || v.isBlank()) {
        if (p.required()) {
          throw new AdapterException(
              AdapterException.Kind.INVALID_CONFIG, "parameter '" + p.name() + "' is required");
        }
        values.put(p.name(), p.defaultValue());
      } else {
        values.put(p.name(), p.parse(v));
        present.add(p.name());
      }
    }
    return new Values(values, present, new ArrayList<>(unknown));
  }

  /** Parsed values, read back through the declaring {@link Param}. */
  public static final class Values {
    private final Map<String, Object> values;
    private final Set<String> present;
    private final List<String> unknownKeys;

    Values(Map<String, Object> values, Set<String> present, List<String> unknownKeys) {
      this.values = Collections.unmodifiableMap(values);
      this.present = Collections.unmodifiableSet(present);
      this.unknownKeys = List.copyOf(unknownKeys);
    }

    @SuppressWarnings("unchecked")
    public <T> T get(Param<T> p) {
      if (!values.containsKey(p.name())) {
        throw new IllegalArgumentException("undeclared parameter " + p.name());
      }
      return (T) values.get(p.name());
    }

    public boolean isSet(Param<?> p) {
      return present.contains(p.name());
    }

    public List<String> unknownKeys() {
      return unknownKeys;
    }
  }

  /** Throws INVALID_CONFIG with {@code message} when {@code condition} holds. */
  public static void reject(boolean condition, String message) {
    if (condition) {
      throw new AdapterException(AdapterException.Kind.INVALID_CONFIG, message);
    }
  }
}
