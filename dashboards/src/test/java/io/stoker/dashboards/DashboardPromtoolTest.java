package io.stoker.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** promtool (Prometheus' own parser, built beside Prometheus) accepts every query. */
class DashboardPromtoolTest {
  @Test
  void everyQueryParsesWithPromtool() throws Exception {
    List<DashboardQueries.Query> queries =
        DashboardQueries.load(DashboardQueries.repoRoot())
            .substituted(
                Map.of("namespace", "spark-jobs", "autoscaler", "clicks", "job", "stoker"));

    assertThat(queries).hasSizeGreaterThan(20);
    assertThat(DashboardQueries.promtoolProblems(queries)).isEmpty();
  }

  @Test
  void aQueryThatDoesNotParseIsReportedByItsPanel() throws Exception {
    List<DashboardQueries.Query> queries =
        List.of(
            new DashboardQueries.Query(
                "a.json", "Fine", "A", DashboardQueries.Kind.PANEL, "max(stoker_leader)", false),
            new DashboardQueries.Query(
                "a.json",
                "Broken",
                "B",
                DashboardQueries.Kind.PANEL,
                "sum(rate(stoker_keda_requests_total[$__rate_interval])",
                false));

    assertThat(DashboardQueries.promtoolProblems(queries))
        .singleElement()
        .asString()
        .startsWith("a.json panel 'Broken' B: ")
        .contains("parse error");
  }
}
