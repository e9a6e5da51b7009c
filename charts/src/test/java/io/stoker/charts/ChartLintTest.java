package io.stoker.charts;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code helm lint --strict} (warnings fail) with the chart's defaults and with other values.
 * helm-java's lint takes no values file, so the chart is copied and the copy's {@code values.yaml}
 * is the defaults merged with the values under test.
 */
class ChartLintTest {

  @Test
  void lintPassesStrictWithTheDefaults() {
    assertPasses(Chart.DIR);
  }

  @Test
  void lintPassesStrictWithEveryFeatureOn(@TempDir Path tmp) throws IOException {
    assertPasses(copyWithValues(tmp, Chart.ALL_FEATURES));
  }

  @Test
  void lintPassesStrictWithTheProductionExample(@TempDir Path tmp) throws IOException {
    assertPasses(copyWithValues(tmp, Chart.PRODUCTION_EXAMPLE));
  }

  @Test
  void lintFailsOnValuesTheSchemaRejects(@TempDir Path tmp) throws IOException {
    Path bad = tmp.resolve("bad.yaml");
    Files.writeString(bad, "replicas: 0\n");
    LintResult r = new Helm(copyWithValues(tmp, bad)).lint().strict().call();
    assertThat(r.isFailed()).isTrue();
    assertThat(String.join("\n", r.getMessages())).contains("/replicas");
  }

  private static void assertPasses(Path chart) {
    LintResult r = new Helm(chart).lint().strict().call();
    assertThat(r.isFailed()).as(String.join("\n", r.getMessages())).isFalse();
    assertThat(r.getMessages())
        .as("only the icon recommendation may remain")
        .allMatch(m -> m.startsWith("[INFO]") && m.contains("icon is recommended"));
  }

  /** A copy of the chart (named stoker, as lint wants) whose values.yaml includes {@code extra}. */
  static Path copyWithValues(Path tmp, Path extra) throws IOException {
    Path copy = tmp.resolve("copy").resolve("stoker");
    try (Stream<Path> files = Files.walk(Chart.DIR)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Path target = copy.resolve(Chart.DIR.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target);
        }
      }
    }
    Map<String, Object> values = yaml(Chart.DIR.resolve("values.yaml"));
    merge(values, yaml(extra));
    Files.writeString(copy.resolve("values.yaml"), Chart.SERIALIZATION.asYaml(values));
    return copy;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> yaml(Path file) throws IOException {
    return new LinkedHashMap<>(Chart.SERIALIZATION.unmarshal(Files.readString(file), Map.class));
  }

  /** Helm's coalescing: maps merge key by key, anything else is replaced. */
  @SuppressWarnings("unchecked")
  private static void merge(Map<String, Object> into, Map<String, Object> from) {
    for (Map.Entry<String, Object> e : from.entrySet()) {
      Object old = into.get(e.getKey());
      if (old instanceof Map<?, ?> o && e.getValue() instanceof Map<?, ?> n) {
        Map<String, Object> merged = new LinkedHashMap<>((Map<String, Object>) o);
        merge(merged, (Map<String, Object>) n);
        into.put(e.getKey(), merged);
      } else {
        into.put(e.getKey(), e.getValue());
      }
    }
  }
}
