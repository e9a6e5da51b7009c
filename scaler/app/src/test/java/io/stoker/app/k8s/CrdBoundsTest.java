package io.stoker.app.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRule;
import io.stoker.app.spec.DurationText;
import io.stoker.app.spec.SpecLimits;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A spec is untrusted input: every number in it has an upper bound in the CRD's schema (the API
 * server refuses a spec beyond it), the same as {@link SpecLimits} that the controller checks.
 */
class CrdBoundsTest {

  private static JSONSchemaProps spec() throws Exception {
    return CrdModelSyncTest.load()
        .getSpec()
        .getVersions()
        .get(0)
        .getSchema()
        .getOpenAPIV3Schema()
        .getProperties()
        .get("spec");
  }

  private static JSONSchemaProps at(String path) throws Exception {
    JSONSchemaProps p = spec();
    for (String part : path.split("\\.")) {
      p = part.equals("[]") ? p.getItems().getSchema() : p.getProperties().get(part);
    }
    return p;
  }

  @Test
  void everyNumberOfTheSpecHasAnUpperBound() throws Exception {
    List<String> unbounded = new ArrayList<>();
    List<String> numbers = new ArrayList<>();
    walk("spec", spec(), numbers, unbounded);
    assertThat(numbers).contains("spec.maxExecutors", "spec.signals.kafka.lagThreshold");
    assertThat(unbounded).as("numbers without a maximum").isEmpty();
  }

  private static void walk(String path, JSONSchemaProps p, List<String> all, List<String> out) {
    if ("integer".equals(p.getType()) || "number".equals(p.getType())) {
      all.add(path);
      if (p.getMaximum() == null) {
        out.add(path);
      }
    }
    if ("array".equals(p.getType()) && p.getMaxItems() == null) {
      out.add(path + " (items)");
    }
    if (p.getProperties() != null) {
      for (Map.Entry<String, JSONSchemaProps> e : p.getProperties().entrySet()) {
        walk(path + "." + e.getKey(), e.getValue(), all, out);
      }
    }
    if (p.getItems() != null && p.getItems().getSchema() != null) {
      walk(path + "[]", p.getItems().getSchema(), all, out);
    }
  }

  @Test
  void theBoundsAreTheControllers() throws Exception {
    for (String f :
        List.of(
            "minExecutors",
            "maxExecutors",
            "behavior.scaleUp.maxStepExecutors",
            "behavior.scaleDown.maxStepExecutors",
            "capacity.placeholders.headroomExecutors")) {
      assertThat(at(f).getMaximum()).as(f).isEqualTo(SpecLimits.EXECUTORS);
    }
    assertThat(at("executorCores").getMaximum()).isEqualTo(SpecLimits.EXECUTOR_CORES);
    assertThat(at("behavior.scaleUp.maxStepPercent").getMaximum())
        .isEqualTo(SpecLimits.STEP_PERCENT);
    assertThat(at("behavior.scaleDown.maxStepPercent").getMaximum()).isEqualTo(100);
    assertThat(at("signals.kafka.topics").getMaxItems()).isEqualTo(SpecLimits.TOPICS);
    for (String f : List.of("signals.kafka.lagThreshold", "signals.kafka.activationLagThreshold")) {
      assertThat(at(f).getMaximum()).as(f).isEqualTo((double) SpecLimits.LAG_RECORDS);
    }
    assertDuration("objective.targetLatency", DurationText.format(SpecLimits.TARGET_LATENCY));
    assertDuration("behavior.scaleUp.stabilizationWindow", DurationText.format(SpecLimits.WINDOW));
    assertDuration(
        "behavior.scaleDown.stabilizationWindow", DurationText.format(SpecLimits.WINDOW));
  }

  private static void assertDuration(String field, String max) throws Exception {
    JSONSchemaProps p = at(field);
    assertThat(p.getMaxLength()).as(field).isEqualTo(SpecLimits.DURATION_CHARS);
    assertThat(p.getXKubernetesValidations())
        .as(field)
        .extracting(ValidationRule::getRule)
        .containsExactly("duration(self) <= duration('" + max + "')");
  }
}
