package io.stoker.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.client.Collector;
import io.stoker.app.metrics.MetricNames;
import io.stoker.app.metrics.OperatorMetrics;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every metric a dashboard query selects is exposed by the controller: a {@code stoker_} name of
 * the catalogue {@link MetricNames#ALL} (a histogram's {@code _bucket}, {@code _sum}, {@code
 * _count} included), or a JVM/process metric of the controller's registry. This is the check that
 * catches a renamed metric.
 */
class DashboardMetricNamesTest {
  private static final Map<String, String> VALUES =
      Map.of("namespace", "spark-jobs", "autoscaler", "clicks", "job", "stoker");

  /** Sample name → the catalogue name of its family, for everything the controller registers. */
  static Map<String, String> exposedSamples() {
    Map<String, String> out = new HashMap<>();
    for (Collector.MetricFamilySamples f :
        Collections.list(OperatorMetrics.create(true).registry().metricFamilySamples())) {
      String n = f.name;
      switch (f.type) {
        case COUNTER -> out.put(n + "_total", n + "_total");
        case HISTOGRAM -> {
          for (String s : List.of("_bucket", "_sum", "_count")) {
            out.put(n + s, n);
          }
        }
        case SUMMARY -> {
          for (String s : List.of("", "_sum", "_count")) {
            out.put(n + s, n);
          }
        }
        case INFO -> out.put(n + "_info", n);
        default -> out.put(n, n);
      }
    }
    return out;
  }

  /** Exposed, and for a {@code stoker_} name, in the catalogue. */
  static Predicate<String> exposedByTheController() {
    Map<String, String> exposed = exposedSamples();
    return name ->
        exposed.containsKey(name)
            && (!name.startsWith(MetricNames.PREFIX)
                || MetricNames.ALL.contains(exposed.get(name)));
  }

  @Test
  void everyMetricNameInEveryQueryIsExposedByTheController() {
    List<DashboardQueries.Query> queries =
        DashboardQueries.load(DashboardQueries.repoRoot()).substituted(VALUES);

    assertThat(DashboardQueries.unknownMetricNames(queries, exposedByTheController())).isEmpty();
    Set<String> used = new TreeSet<>();
    queries.forEach(q -> used.addAll(DashboardQueries.metricNames(q.expr())));
    assertThat(used).as("the check sees the metrics").contains(MetricNames.EXECUTORS_DESIRED);
    assertThat(used).anyMatch(n -> n.startsWith("jvm_"));
  }

  @Test
  void everyMetricOfTheCatalogueIsOnADashboard() {
    Set<String> used = new TreeSet<>();
    DashboardQueries.load(DashboardQueries.repoRoot())
        .substituted(VALUES)
        .forEach(q -> used.addAll(DashboardQueries.metricNames(q.expr())));
    Map<String, String> exposed = exposedSamples();
    Set<String> families = new TreeSet<>();
    used.forEach(n -> families.add(exposed.getOrDefault(n, n)));
    assertThat(families).containsAll(MetricNames.ALL);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "rate(stoker_scaling_decision_total[1m])|stoker_scaling_decision_total",
        "max(stoker_executors_wanted{namespace=\"a\"})|stoker_executors_wanted",
        "histogram_quantile(0.99, sum by (le) (rate(stoker_reconcile_seconds_bucket[1m])))"
            + "|stoker_reconcile_seconds_bucket",
        "stoker_leader_total|stoker_leader_total",
        "stoker_executors_desired_bucket|stoker_executors_desired_bucket",
        "sum(jvm_memory_bytes_usedd)|jvm_memory_bytes_usedd",
        "stoker_executors_desired * on (namespace) group_left foo_bar|foo_bar",
      })
  void aRenamedOrUnknownMetricIsReported(String expr, String unknown) {
    DashboardQueries.Query q =
        new DashboardQueries.Query(
            "bad.json", "Broken panel", "A", DashboardQueries.Kind.PANEL, expr, false);

    assertThat(DashboardQueries.unknownMetricNames(List.of(q), exposedByTheController()))
        .singleElement()
        .asString()
        .contains("bad.json panel 'Broken panel' A")
        .contains("unknown metric " + unknown);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "stoker_leader|stoker_leader",
        "sum by (le, instance) (rate(stoker_reconcile_duration_seconds_bucket{job=~\"x.*\"}[1m]))"
            + "|stoker_reconcile_duration_seconds_bucket",
        "max without (pod) (a) / on (namespace, autoscaler) group_left (reason) b|a b",
        "count(up offset 5m) > bool 0.5e1 and vector(1)|up",
        "label_replace(x{a=\"{b}\"}, \"dst\", \"$1\", \"src\", \"(.*)\")|x",
        "sum(rate(c_total[5m])) by (le) # a comment with metric_name|c_total",
        "topk(3, m:recorded:rate5m @ 1700000000)|m:recorded:rate5m",
      })
  void metricNamesAreTheSelectedSeriesOnly(String expr, String names) {
    assertThat(DashboardQueries.metricNames(expr)).containsExactlyInAnyOrder(names.split(" "));
  }
}
