package io.stoker.app.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.stoker.app.controller.ports.TargetLookup;
import io.stoker.app.spec.ParsedSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** Claims on scale targets and SparkApplications (driver pods: {@code TargetConflictTest}). */
class TargetClaimsTest {
  private static final ParsedSpec.Target.ScaleRef V1 =
      new ParsedSpec.Target.ScaleRef("apps/v1", "StatefulSet", "workers");

  private static ResolvedTarget scaled(ParsedSpec.Target.ScaleRef r) {
    return new ResolvedTarget(
        "jobs",
        r.kind() + "/" + r.name(),
        Optional.empty(),
        Optional.empty(),
        OptionalInt.empty(),
        Optional.of(new ResolvedTarget.ScaleRef(r.apiVersion(), r.kind(), r.name())),
        new ExecutorCount(0, 0, OptionalInt.empty()),
        Map.of());
  }

  @Test
  void oneObjectUnderAnyVersionOfItsGroupIsClaimedByEveryAutoscalerNamingIt() {
    Map<String, ParsedSpec.Target> acting = new LinkedHashMap<>();
    acting.put("jobs/c", V1);
    acting.put("jobs/a", new ParsedSpec.Target.ScaleRef("apps/v1beta2", "StatefulSet", "workers"));
    acting.put("jobs/b", V1);
    acting.put("jobs/other", new ParsedSpec.Target.ScaleRef("apps/v1", "StatefulSet", "other"));
    acting.put("elsewhere/d", V1);
    TargetClaims claims = TargetClaims.of(null, acting);

    assertThat(claims.others("jobs/b", V1, scaled(V1))).containsExactly("jobs/a", "jobs/c");
    ParsedSpec.Target.ScaleRef other = (ParsedSpec.Target.ScaleRef) acting.get("jobs/other");
    assertThat(claims.others("jobs/other", other, scaled(other))).isEmpty();
  }

  @Test
  void twoAutoscalersNamingOneSparkApplicationClaimIt() {
    ParsedSpec.Target etl = new ParsedSpec.Target.SparkApplication("etl");
    TargetClaims claims =
        TargetClaims.of(
            null,
            Map.of(
                "jobs/x",
                etl,
                "jobs/y",
                etl,
                "jobs/z",
                new ParsedSpec.Target.SparkApplication("other")));
    ResolvedTarget pod =
        new ResolvedTarget(
            "jobs",
            "pod/etl-driver",
            Optional.of("etl-driver"),
            Optional.empty(),
            OptionalInt.empty(),
            Optional.empty(),
            new ExecutorCount(0, 0, OptionalInt.empty()),
            Map.of());
    assertThat(claims.others("jobs/x", etl, pod)).containsExactly("jobs/y");
  }

  @Test
  void longListsNameTheFirstThree() {
    assertThat(TargetLookup.firstOf(List.of("a", "b"))).isEqualTo("a, b");
    assertThat(TargetLookup.firstOf(List.of("a", "b", "c", "d", "e")))
        .isEqualTo("a, b, c and 2 more");
  }
}
