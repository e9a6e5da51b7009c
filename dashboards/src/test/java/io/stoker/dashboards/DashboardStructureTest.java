package io.stoker.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The dashboards' JSON as Grafana imports it: identity, schema, datasource, panels, variables. */
class DashboardStructureTest {
  /** The first schemaVersion of Grafana 11; later Grafanas migrate it on load. */
  static final int MIN_SCHEMA_VERSION = 39;

  private final Map<String, JsonNode> dashboards =
      DashboardQueries.load(DashboardQueries.repoRoot()).dashboards();

  @Test
  void theTwoDashboardsOfTheIssueAreThere() {
    assertThat(dashboards).containsOnlyKeys("stoker-overview.json", "stoker-autoscaler.json");
  }

  @Test
  void uidsAndTitlesAreUniqueAndPresent() {
    List<String> uids = new ArrayList<>();
    List<String> titles = new ArrayList<>();
    dashboards.values().forEach(d -> uids.add(d.path("uid").asText()));
    dashboards.values().forEach(d -> titles.add(d.path("title").asText()));
    assertThat(uids).doesNotHaveDuplicates().allMatch(u -> u.matches("[a-zA-Z0-9_-]{8,40}"));
    assertThat(titles).doesNotHaveDuplicates().allMatch(t -> !t.isBlank());
  }

  @Test
  void schemaVersionIsCurrent() {
    dashboards.forEach(
        (name, d) ->
            assertThat(d.path("schemaVersion").asInt(0))
                .as(name + " schemaVersion")
                .isGreaterThanOrEqualTo(MIN_SCHEMA_VERSION));
  }

  @Test
  void theDatasourceIsATemplateVariableEverywhere() {
    dashboards.forEach(
        (name, d) -> {
          JsonNode ds = variable(d, "datasource");
          assertThat(ds).as(name + " has a datasource variable").isNotNull();
          assertThat(ds.path("type").asText()).isEqualTo("datasource");
          assertThat(ds.path("query").asText()).isEqualTo("prometheus");
          List<String> refs = new ArrayList<>();
          datasourceRefs(d, "", refs);
          assertThat(refs).as(name + " datasource references").isNotEmpty();
          assertThat(refs)
              .as(name + ": every datasource is ${datasource} of type prometheus")
              .allMatch(r -> r.endsWith("= prometheus ${datasource}"));
        });
  }

  /** Every "datasource" object anywhere in the JSON, as "path = type uid". */
  private static void datasourceRefs(JsonNode node, String path, List<String> out) {
    if (node.isObject()) {
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        if (e.getKey().equals("datasource") && e.getValue().isObject()) {
          out.add(
              path
                  + "/datasource = "
                  + e.getValue().path("type").asText()
                  + " "
                  + e.getValue().path("uid").asText());
        } else {
          datasourceRefs(e.getValue(), path + "/" + e.getKey(), out);
        }
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        datasourceRefs(node.get(i), path + "/" + i, out);
      }
    }
  }

  @Test
  void everyPanelHasATitleAndAUniqueId() {
    dashboards.forEach(
        (name, d) -> {
          Set<Integer> ids = new HashSet<>();
          List<JsonNode> panels = new ArrayList<>();
          d.path("panels").forEach(panels::add);
          d.path("panels").forEach(p -> p.path("panels").forEach(panels::add));
          assertThat(panels).as(name + " panels").isNotEmpty();
          for (JsonNode p : panels) {
            assertThat(p.path("title").asText()).as(name + " panel " + p).isNotBlank();
            assertThat(p.path("id").isInt()).as(name + " panel id of " + p.path("title")).isTrue();
            assertThat(ids.add(p.path("id").asInt()))
                .as(name + " panel id " + p.path("id") + " is unique")
                .isTrue();
            if (!"row".equals(p.path("type").asText())) {
              assertThat(p.path("targets").size())
                  .as(name + " panel '" + p.path("title").asText() + "' has a query")
                  .isPositive();
              assertThat(p.path("description").asText())
                  .as(name + " panel '" + p.path("title").asText() + "' says what it answers")
                  .isNotBlank();
            }
          }
        });
  }

  @Test
  void theAutoscalerDashboardIsChosenByNamespaceAndAutoscaler() {
    JsonNode d = dashboards.get("stoker-autoscaler.json");
    JsonNode ns = variable(d, "namespace");
    JsonNode as = variable(d, "autoscaler");
    assertThat(ns).isNotNull();
    assertThat(as).isNotNull();
    assertThat(ns.path("query").path("query").asText())
        .isEqualTo("label_values(stoker_executors_desired, namespace)");
    assertThat(as.path("query").path("query").asText())
        .isEqualTo("label_values(stoker_executors_desired{namespace=\"$namespace\"}, autoscaler)");
    for (JsonNode v : List.of(ns, as)) {
      assertThat(v.path("multi").asBoolean()).as("one autoscaler at a time").isFalse();
      assertThat(v.path("includeAll").asBoolean()).isFalse();
    }
    // Every panel query is about the chosen autoscaler.
    for (DashboardQueries.Query q :
        DashboardQueries.load(DashboardQueries.repoRoot()).queries().stream()
            .filter(q -> q.dashboard().equals("stoker-autoscaler.json"))
            .filter(q -> q.kind() != DashboardQueries.Kind.VARIABLE)
            .toList()) {
      for (String name : DashboardQueries.metricNames(q.expr())) {
        assertThat(q.expr())
            .as(q.describe() + " selects " + name + " of the chosen autoscaler")
            .contains(name + "{namespace=\"$namespace\", autoscaler=\"$autoscaler\"");
      }
    }
  }

  @Test
  void decisionsAreAnnotationsWithTheirReason() {
    JsonNode list = dashboards.get("stoker-autoscaler.json").path("annotations").path("list");
    JsonNode decisions = null;
    for (JsonNode a : list) {
      if (a.path("expr").asText().contains("stoker_last_scaling_timestamp_seconds")) {
        decisions = a;
      }
    }
    assertThat(decisions)
        .as("an annotation from stoker_last_scaling_timestamp_seconds")
        .isNotNull();
    assertThat(decisions.path("enable").asBoolean()).isTrue();
    assertThat(decisions.path("useValueForTime").asBoolean())
        .as("the value is the decision's time (ms)")
        .isTrue();
    assertThat(decisions.path("expr").asText()).endsWith("* 1000");
    assertThat(decisions.path("textFormat").asText()).contains("{{reason}}");
    assertThat(decisions.path("titleFormat").asText()).contains("{{direction}}");
    assertThat(decisions.path("tagKeys").asText()).contains("reason");
  }

  @Test
  void everyVariableAQueryUsesIsDefined() {
    // substituted() throws, naming the query, for a variable that has no value: with only the
    // dashboards' own variables and Grafana's built-ins given, every reference must resolve.
    DashboardQueries all = DashboardQueries.load(DashboardQueries.repoRoot());
    assertThat(all.substituted(Map.of("namespace", "n", "autoscaler", "a", "job", "j")))
        .hasSameSizeAs(all.queries())
        .allMatch(q -> !q.expr().contains("$"));
  }

  private static JsonNode variable(JsonNode d, String name) {
    for (JsonNode v : d.path("templating").path("list")) {
      if (name.equals(v.path("name").asText())) {
        return v;
      }
    }
    return null;
  }
}
