package io.stoker.charts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Files the chart ships as copies stay byte-identical to their source (Strimzi's
 * uncommitted-changes check as a test): the CRD (regenerate with {@code -Dstoker.docs.update=true})
 * and the Grafana dashboards of {@code dashboards/}. The RBAC rules file: {@link RbacRulesTest}.
 */
class SyncedFilesTest {
  static final Path CRD_SOURCE =
      Chart.REPO.resolve("scaler/app/src/main/resources/crds/executorautoscalers.stoker.io-v1.yml");
  static final Path CRD_COPY = Chart.DIR.resolve("crds/executorautoscalers.stoker.io-v1.yml");
  static final Path DASHBOARDS = Chart.REPO.resolve("dashboards");
  static final Path CHART_DASHBOARDS = Chart.DIR.resolve("files/dashboards");

  @Test
  void crdIsACopyOfTheControllersCrd() throws IOException {
    if (Boolean.getBoolean("stoker.docs.update")) {
      Files.createDirectories(CRD_COPY.getParent());
      Files.copy(CRD_SOURCE, CRD_COPY, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    assertThat(CRD_COPY).exists();
    assertThat(Files.readAllBytes(CRD_COPY))
        .as("charts/stoker/crds is stale: rerun with -Dstoker.docs.update=true")
        .isEqualTo(Files.readAllBytes(CRD_SOURCE));
    try (Stream<Path> crds = Files.list(CRD_COPY.getParent())) {
      assertThat(crds).as("the chart ships only the controller's CRD").containsExactly(CRD_COPY);
    }
  }

  @Test
  void dashboardsAreByteIdenticalCopiesOfTheDashboardsFolder() throws IOException {
    List<String> sources = jsonFiles(DASHBOARDS);
    List<String> copies = jsonFiles(CHART_DASHBOARDS);
    assertThat(sources).as("dashboards/*.json (none: nothing would be checked)").isNotEmpty();
    assertThat(copies).as("charts/stoker/files/dashboards/*.json").isEqualTo(sources);
    for (String name : sources) {
      assertThat(Files.readAllBytes(CHART_DASHBOARDS.resolve(name)))
          .as("charts/stoker/files/dashboards/%s differs from dashboards/%s", name, name)
          .isEqualTo(Files.readAllBytes(DASHBOARDS.resolve(name)));
    }
  }

  static List<String> jsonFiles(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return List.copyOf(
          files
              .map(f -> f.getFileName().toString())
              .filter(n -> n.endsWith(".json"))
              .collect(java.util.stream.Collectors.toCollection(TreeSet::new)));
    }
  }
}
