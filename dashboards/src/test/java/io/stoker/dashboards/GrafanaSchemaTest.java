package io.stoker.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Each dashboard, as a literal of Grafana's own TypeScript type {@code Dashboard} (npm {@code
 * @grafana/schema}), passes {@code tsc --noEmit --strict}: wrong types, unknown fields and enum
 * values Grafana does not know fail. The packages come from {@code
 * dashboards/tools/install-grafana-schema.sh}, which the module's build runs before the tests;
 * without them the test fails, saying what to run.
 */
class GrafanaSchemaTest {
  /**
   * The dashboard type with two adaptations to JSON as stored: an enum is written as its value
   * ({@code "absolute"}, not {@code ThresholdsMode.Absolute}), and Prometheus annotations carry the
   * Prometheus datasource's fields (expr, step, formats), which the generic schema leaves out.
   */
  private static final String PRELUDE =
      """
      import type { AnnotationQuery, Dashboard } from '@grafana/schema';

      type Json<T> = T extends string
        ? `${T}`
        : T extends number | boolean | null | undefined
          ? T
          : T extends Array<infer U>
            ? Array<Json<U>>
            : T extends object
              ? { [K in keyof T]: Json<T[K]> }
              : T;

      interface PrometheusAnnotation extends AnnotationQuery {
        expr: string;
        step?: string;
        titleFormat?: string;
        textFormat?: string;
        tagKeys?: string;
        useValueForTime?: boolean;
      }

      type StokerDashboard = Json<Omit<Dashboard, 'annotations'>> & {
        annotations?: { list?: Array<Json<PrometheusAnnotation>> };
      };

      export const dashboard: StokerDashboard =
      """;

  private static final String TSCONFIG =
      """
      { "compilerOptions": { "strict": true, "noEmit": true, "target": "es2022",
          "module": "esnext", "moduleResolution": "bundler", "skipLibCheck": true, "types": [] },
        "include": ["*.ts"] }
      """;

  /** Where install-grafana-schema.sh puts the packages of the versions in the pom. */
  static Path packages() {
    String cache = System.getenv("STOKER_TOOLS_CACHE");
    if (cache == null) {
      String xdg = System.getenv("XDG_CACHE_HOME");
      cache = (xdg != null ? xdg : System.getProperty("user.home") + "/.cache") + "/stoker-tools";
    }
    return Path.of(
        cache,
        "grafana-schema-"
            + System.getProperty("stoker.grafana.schema.version", "13.2.3")
            + "-typescript-"
            + System.getProperty("stoker.typescript.version", "5.9.3"));
  }

  @Test
  void everyDashboardIsAGrafanaDashboardByItsTypeScriptSchema() throws Exception {
    Path packages = installedPackages();

    Map<String, String> problems =
        typeCheck(
            packages,
            Map.of(
                "stoker-overview.json", read("stoker-overview.json"),
                "stoker-autoscaler.json", read("stoker-autoscaler.json")));
    assertThat(problems).isEmpty();
  }

  @Test
  void anUnknownFieldOrAWrongEnumValueFailsTheTypeCheck() throws Exception {
    Path packages = installedPackages();
    String good = read("stoker-autoscaler.json");
    String unknownField = good.replaceFirst("\"title\": \"Kafka lag\",", "$0 \"colour\": 1,");
    String overview = read("stoker-overview.json");
    String wrongEnum = overview.replaceFirst("\"mode\": \"absolute\"", "\"mode\": \"absolut\"");
    assertThat(unknownField).isNotEqualTo(good);
    assertThat(wrongEnum).isNotEqualTo(overview);

    Map<String, String> problems =
        typeCheck(packages, Map.of("a.json", unknownField, "b.json", wrongEnum, "c.json", good));
    assertThat(problems).containsOnlyKeys("a.json", "b.json");
    assertThat(problems.get("a.json")).contains("'\"colour\"' does not exist");
    assertThat(problems.get("b.json")).contains("\"absolut\"");
  }

  /** The packages, which the build installs before the tests; a clear failure without them. */
  private static Path installedPackages() {
    Path packages = packages();
    if (!Files.exists(packages.resolve(".installed"))) {
      throw new AssertionError(
          "@grafana/schema and typescript are not installed in "
              + packages
              + ": the build runs dashboards/tools/install-grafana-schema.sh before the tests"
              + " (needs node and npm); run it by hand with the versions of dashboards/pom.xml");
    }
    return packages;
  }

  private static String read(String name) throws IOException {
    return Files.readString(
        DashboardQueries.repoRoot().resolve("dashboards").resolve(name), StandardCharsets.UTF_8);
  }

  /** tsc's errors per dashboard (by file name); empty when every dashboard type-checks. */
  private static Map<String, String> typeCheck(Path packages, Map<String, String> jsonByName)
      throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("stoker-grafana-schema");
    try {
      Files.createSymbolicLink(dir.resolve("node_modules"), packages.resolve("node_modules"));
      Files.writeString(dir.resolve("tsconfig.json"), TSCONFIG, StandardCharsets.UTF_8);
      Map<String, String> tsByName = new java.util.TreeMap<>();
      for (Map.Entry<String, String> e : jsonByName.entrySet()) {
        String ts = e.getKey().replace(".json", ".ts");
        tsByName.put(ts, e.getKey());
        Files.writeString(
            dir.resolve(ts), PRELUDE + e.getValue().strip() + ";\n", StandardCharsets.UTF_8);
      }
      Process p =
          new ProcessBuilder(
                  List.of(
                      "node",
                      packages.resolve("node_modules/typescript/bin/tsc").toString(),
                      "-p",
                      dir.resolve("tsconfig.json").toString()))
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("tsc finishes").isTrue();
      Map<String, String> problems = new java.util.TreeMap<>();
      for (String line : out.split("\n")) {
        for (Map.Entry<String, String> e : tsByName.entrySet()) {
          if (line.startsWith(e.getKey() + "(")) {
            problems.merge(e.getValue(), line, (a, b) -> a + "\n" + b);
          }
        }
      }
      assertThat(problems.isEmpty())
          .as("tsc exit code " + p.exitValue() + " matches its errors:\n" + out)
          .isEqualTo(p.exitValue() == 0);
      return problems;
    } finally {
      try (Stream<Path> s = Files.walk(dir)) {
        s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }
}
