package io.stoker.charts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code docs/examples/executorautoscaler.yaml} fits the CRD's structural schema (every field
 * known, types, enums, patterns, bounds, required fields; the CEL rules are the API server's:
 * ChartE2E applies the example to a real one). The production values example is rendered and linted
 * by {@link ValuesSchemaTest} and {@link ChartLintTest}.
 */
class ExamplesTest {
  static final Path EXAMPLE = Chart.REPO.resolve("docs/examples/executorautoscaler.yaml");

  @Test
  void executorAutoscalerExampleFitsTheCrdSchema() throws IOException {
    Map<String, Object> crd = yaml(SyncedFilesTest.CRD_COPY);
    Map<String, Object> example = yaml(EXAMPLE);
    Map<String, Object> spec = map(crd.get("spec"));
    Map<String, Object> version = map(((List<?>) spec.get("versions")).get(0));
    assertThat(example.get("apiVersion")).isEqualTo(spec.get("group") + "/" + version.get("name"));
    assertThat(example.get("kind")).isEqualTo(map(spec.get("names")).get("kind"));
    assertThat(map(example.get("metadata"))).containsKeys("name", "namespace");
    Map<String, Object> schema = map(map(version.get("schema")).get("openAPIV3Schema"));
    assertThat(errors(example, schema)).isEmpty();
  }

  /** The check itself can fail: an unknown field, a wrong type and a bad enum are reported. */
  @Test
  void aBrokenExampleIsReported() throws IOException {
    Map<String, Object> crd = yaml(SyncedFilesTest.CRD_COPY);
    Map<String, Object> version = map(((List<?>) map(crd.get("spec")).get("versions")).get(0));
    Map<String, Object> schema = map(map(version.get("schema")).get("openAPIV3Schema"));
    Map<String, Object> example = yaml(EXAMPLE);
    Map<String, Object> spec = new LinkedHashMap<>(map(example.get("spec")));
    spec.put("maxExecutor", 40);
    spec.put("minExecutors", "2");
    spec.put("actuation", "Sometimes");
    spec.remove("target");
    example.put("spec", spec);
    assertThat(errors(example, schema))
        .anyMatch(e -> e.contains(".spec.maxExecutor: unknown field"))
        .anyMatch(e -> e.contains(".spec.minExecutors: not an integer"))
        .anyMatch(e -> e.contains(".spec.actuation: 'Sometimes' not one of"))
        .anyMatch(e -> e.contains(".spec.target: required"));
  }

  static List<String> errors(Map<String, Object> object, Map<String, Object> schema) {
    Map<String, Object> body = new LinkedHashMap<>(object);
    body.remove("apiVersion");
    body.remove("kind");
    body.remove("metadata");
    List<String> out = new ArrayList<>();
    check(body, schema, "", out);
    return out;
  }

  /** The structural subset of OpenAPI v3 a CRD schema uses. */
  private static void check(Object v, Map<String, Object> s, String path, List<String> out) {
    Object type = s.get("type");
    if (type == null) {
      return;
    }
    switch ((String) type) {
      case "object" -> checkObject(v, s, path, out);
      case "array" -> {
        if (!(v instanceof List<?> l)) {
          out.add(path + ": not an array");
          return;
        }
        for (int i = 0; i < l.size(); i++) {
          check(l.get(i), map(s.get("items")), path + "[" + i + "]", out);
        }
      }
      case "string" -> checkString(v, s, path, out);
      case "integer" -> {
        if (!(v instanceof Integer || v instanceof Long)) {
          out.add(path + ": not an integer");
          return;
        }
        checkBounds(((Number) v).doubleValue(), s, path, out);
      }
      case "number" -> {
        if (!(v instanceof Number n)) {
          out.add(path + ": not a number");
          return;
        }
        checkBounds(n.doubleValue(), s, path, out);
      }
      case "boolean" -> {
        if (!(v instanceof Boolean)) {
          out.add(path + ": not a boolean");
        }
      }
      default -> out.add(path + ": unknown schema type " + type);
    }
    if (s.containsKey("enum") && !((List<?>) s.get("enum")).contains(v)) {
      out.add(path + ": '" + v + "' not one of " + s.get("enum"));
    }
  }

  private static void checkObject(Object v, Map<String, Object> s, String path, List<String> out) {
    if (!(v instanceof Map<?, ?> m)) {
      out.add(path + ": not an object");
      return;
    }
    Map<String, Object> props = s.containsKey("properties") ? map(s.get("properties")) : Map.of();
    Object additional = s.get("additionalProperties");
    for (Map.Entry<?, ?> e : m.entrySet()) {
      String p = path + "." + e.getKey();
      if (props.containsKey(e.getKey())) {
        check(e.getValue(), map(props.get(e.getKey())), p, out);
      } else if (additional instanceof Map<?, ?>) {
        check(e.getValue(), map(additional), p, out);
      } else if (!Boolean.TRUE.equals(s.get("x-kubernetes-preserve-unknown-fields"))) {
        out.add(p + ": unknown field");
      }
    }
    if (s.containsKey("required")) {
      for (Object r : (List<?>) s.get("required")) {
        if (!m.containsKey(r)) {
          out.add(path + "." + r + ": required");
        }
      }
    }
    if (s.containsKey("minProperties") && m.size() < ((Number) s.get("minProperties")).intValue()) {
      out.add(path + ": fewer than " + s.get("minProperties") + " properties");
    }
  }

  private static void checkString(Object v, Map<String, Object> s, String path, List<String> out) {
    if (!(v instanceof String str)) {
      out.add(path + ": not a string");
      return;
    }
    if (s.containsKey("pattern")
        && !Pattern.compile((String) s.get("pattern")).matcher(str).find()) {
      out.add(path + ": '" + str + "' does not match " + s.get("pattern"));
    }
    if (s.containsKey("minLength") && str.length() < ((Number) s.get("minLength")).intValue()) {
      out.add(path + ": shorter than " + s.get("minLength"));
    }
  }

  private static void checkBounds(double d, Map<String, Object> s, String path, List<String> out) {
    boolean exclusiveMin = Boolean.TRUE.equals(s.get("exclusiveMinimum"));
    boolean exclusiveMax = Boolean.TRUE.equals(s.get("exclusiveMaximum"));
    if (s.get("minimum") instanceof Number min
        && (exclusiveMin ? d <= min.doubleValue() : d < min.doubleValue())) {
      out.add(path + ": below the minimum " + min);
    }
    if (s.get("maximum") instanceof Number max
        && (exclusiveMax ? d >= max.doubleValue() : d > max.doubleValue())) {
      out.add(path + ": above the maximum " + max);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> yaml(Path file) throws IOException {
    return new LinkedHashMap<>(Chart.SERIALIZATION.unmarshal(Files.readString(file), Map.class));
  }
}
