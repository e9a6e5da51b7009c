package io.stoker.charts;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.stoker.charts.Chart.Rendered;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Grafana dashboards as ConfigMaps for the Grafana sidecar, one per JSON file. */
class DashboardsTest {

  @Test
  void dashboardConfigMapPerJsonFileWithTheFilesContent() throws IOException {
    List<String> files = SyncedFilesTest.jsonFiles(SyncedFilesTest.CHART_DASHBOARDS);
    assertThat(files).as("charts/stoker/files/dashboards/*.json").isNotEmpty();
    Rendered r = Chart.allFeatures();
    List<ConfigMap> maps = r.all(ConfigMap.class);
    assertThat(maps).hasSameSizeAs(files);
    for (String file : files) {
      String name = "stoker-dashboard-" + file.replace(".json", "").toLowerCase().replace('_', '-');
      ConfigMap cm = r.find(ConfigMap.class, name).orElseThrow(() -> new AssertionError(name));
      assertThat(cm.getData()).containsOnlyKeys(file);
      assertThat(cm.getData().get(file))
          .as("%s holds %s byte for byte", name, file)
          .isEqualTo(
              Files.readString(
                  SyncedFilesTest.CHART_DASHBOARDS.resolve(file), StandardCharsets.UTF_8));
      assertThat(cm.getMetadata().getLabels())
          .containsEntry("grafana_dashboard", "1")
          .containsEntry("team", "data-platform");
      assertThat(cm.getMetadata().getAnnotations()).containsEntry("grafana_folder", "Stoker");
      assertThat(cm.getMetadata().getNamespace()).isEqualTo("monitoring");
      assertThat(name).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?").hasSizeLessThanOrEqualTo(253);
    }
  }

  @Test
  void dashboardsOnlyWhenEnabledAndInTheReleaseNamespaceByDefault() {
    assertThat(Chart.defaults().all(ConfigMap.class)).isEmpty();
    List<ConfigMap> maps = Chart.render(Map.of("dashboards.enabled", true)).all(ConfigMap.class);
    assertThat(maps).isNotEmpty();
    assertThat(maps)
        .allSatisfy(
            cm -> {
              assertThat(cm.getMetadata().getNamespace()).isEqualTo(Chart.NAMESPACE);
              assertThat(cm.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
            });
  }

  @Test
  void extraLabelsCannotReplaceTheSidecarLabel() {
    List<ConfigMap> maps =
        Chart.render(
                Map.of("dashboards.enabled", true, "dashboards.labels.grafana_dashboard", "off"))
            .all(ConfigMap.class);
    assertThat(maps)
        .allSatisfy(
            cm -> assertThat(cm.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1"));
  }
}
