package io.stoker.charts;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.stoker.app.k8s.ApiAccess;
import io.stoker.app.k8s.ApiAccess.Feature;
import io.stoker.app.k8s.ApiAccess.GroupResource;
import io.stoker.app.k8s.ApiAccess.Scope;
import io.stoker.charts.Chart.Rendered;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The chart's RBAC is {@link ApiAccess} (the one list of every API call the controller makes) and
 * nothing else: {@code files/rbac-rules.yaml} is generated from it, and for each combination of
 * values the rendered ClusterRole and Roles hold exactly the rules of the enabled features, derived
 * here from {@link ApiAccess#expand}. Regenerate the rules file with {@code ./mvnw -B -pl charts
 * -am test -Dtest=RbacRulesTest -Dsurefire.failIfNoSpecifiedTests=false -Dstoker.docs.update=true}.
 */
class RbacRulesTest {
  static final Path RULES = Chart.DIR.resolve("files/rbac-rules.yaml");

  /** Every feature off but the controller itself: the base the variants add one feature to. */
  static final Map<String, Object> NOTHING_OPTIONAL =
      Chart.sets("leaderElection.enabled", false, "nodeHints.enabled", false);

  @Test
  void rulesFileIsGeneratedFromApiAccess() throws Exception {
    String expected = ApiAccess.helmRulesYaml();
    if (Boolean.getBoolean("stoker.docs.update")) {
      Files.writeString(RULES, expected, StandardCharsets.UTF_8);
    }
    assertThat(RULES).exists();
    assertThat(Files.readString(RULES, StandardCharsets.UTF_8))
        .as(
            "charts/stoker/files/rbac-rules.yaml is stale: rerun RbacRulesTest with"
                + " -Dstoker.docs.update=true")
        .isEqualTo(expected);
  }

  @Test
  void defaultsGrantTheControllerAndNodeHintsClusterWideAndTheLeaseInTheReleaseNamespace() {
    Rendered r = Chart.defaults();
    assertGrants(r, EnumSet.of(Feature.CONTROLLER, Feature.LEADER_ELECTION, Feature.NODE_HINTS));
    assertThat(r.all(Role.class))
        .extracting(o -> o.getMetadata().getNamespace())
        .containsExactly(Chart.NAMESPACE);
  }

  /** One optional feature on, everything else off: its rules appear, and only then. */
  @ParameterizedTest
  @EnumSource(Feature.class)
  void rbacGrantsExactlyTheRulesOfTheEnabledFeatures(Feature feature) {
    Map<String, Object> sets = Chart.sets();
    sets.putAll(NOTHING_OPTIONAL);
    sets.putAll(enabling(feature));
    Rendered r = Chart.render(sets);
    assertGrants(r, EnumSet.of(Feature.CONTROLLER, feature));
    // The same feature in one watched namespace.
    sets.put("watchNamespace", "team-a");
    assertGrants(
        Chart.render(sets), EnumSet.of(Feature.CONTROLLER, feature), ONE_TARGET, List.of("team-a"));
    // And in a list of namespaces.
    sets.remove("watchNamespace");
    sets.put("watchNamespaces[0]", "team-a");
    sets.put("watchNamespaces[1]", "team-b");
    assertGrants(
        Chart.render(sets),
        EnumSet.of(Feature.CONTROLLER, feature),
        ONE_TARGET,
        List.of("team-a", "team-b"));
  }

  @Test
  void everyFeatureOnGrantsTheWholeList() {
    assertGrants(Chart.allFeatures(), EnumSet.allOf(Feature.class), ALL_FEATURES_TARGETS, null);
    assertGrants(
        Chart.render(Map.of("watchNamespace", "team-a"), Chart.ALL_FEATURES),
        EnumSet.allOf(Feature.class),
        ALL_FEATURES_TARGETS,
        List.of("team-a"));
  }

  @Test
  void aListOfWatchedNamespacesGetsARoleInEachAndNoClusterWideNamespacedRights() {
    Map<String, Object> sets =
        Chart.sets(
            "watchNamespaces[0]",
            "team-a",
            "watchNamespaces[1]",
            "team-b",
            "watchNamespace",
            "team-a");
    Rendered r = Chart.render(sets, Chart.ALL_FEATURES);
    assertGrants(
        r, EnumSet.allOf(Feature.class), ALL_FEATURES_TARGETS, List.of("team-a", "team-b"));
    for (String ns : List.of("team-a", "team-b")) {
      RoleBinding binding =
          r.all(RoleBinding.class).stream()
              .filter(b -> b.getMetadata().getNamespace().equals(ns))
              .findFirst()
              .orElseThrow();
      assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
      assertThat(binding.getRoleRef().getName()).isEqualTo("stoker");
      assertBindsTheChartsServiceAccount(binding.getSubjects());
    }
    // Pods, Secrets and the rest stay in the listed namespaces: the ClusterRole keeps only
    // cluster-scoped resources.
    assertThat(r.one(ClusterRole.class).getRules())
        .flatExtracting(PolicyRule::getResources)
        .containsExactlyInAnyOrder("nodes", "priorityclasses");
    // Without the cluster-scoped features: no cluster-wide rights at all.
    sets.putAll(NOTHING_OPTIONAL);
    Rendered bare = Chart.render(sets);
    assertThat(bare.all(ClusterRole.class)).isEmpty();
    assertThat(bare.all(ClusterRoleBinding.class)).isEmpty();
    assertThat(bare.all(Role.class))
        .extracting(o -> o.getMetadata().getNamespace())
        .containsExactlyInAnyOrder("team-a", "team-b");
  }

  @Test
  void aWatchedNamespaceGetsARoleThereAndNoClusterWideNamespacedRights() {
    Rendered r = Chart.render(Map.of("watchNamespace", "team-a"), Chart.ALL_FEATURES);
    Role watched = role(r, "team-a").orElseThrow();
    assertThat(watched.getMetadata().getName()).isEqualTo("stoker");
    RoleBinding binding =
        r.all(RoleBinding.class).stream()
            .filter(b -> b.getMetadata().getNamespace().equals("team-a"))
            .findFirst()
            .orElseThrow();
    assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
    assertThat(binding.getRoleRef().getName()).isEqualTo("stoker");
    assertBindsTheChartsServiceAccount(binding.getSubjects());
    // Only cluster-scoped resources stay in the ClusterRole.
    assertThat(r.one(ClusterRole.class).getRules())
        .flatExtracting(PolicyRule::getResources)
        .containsExactlyInAnyOrder("nodes", "priorityclasses");
    // Nothing optional and one namespace: no cluster-wide rights at all.
    Map<String, Object> minimal = Chart.sets("watchNamespace", "team-a");
    minimal.putAll(NOTHING_OPTIONAL);
    Rendered bare = Chart.render(minimal);
    assertThat(bare.all(ClusterRole.class)).isEmpty();
    assertThat(bare.all(ClusterRoleBinding.class)).isEmpty();
    assertThat(bare.all(Role.class)).extracting(o -> o.getMetadata().getNamespace()).hasSize(1);
  }

  @Test
  void scaleTargetsExpandToGetOnTheObjectAndGetUpdateOnItsScale() {
    Map<String, Object> sets = Chart.sets();
    sets.putAll(NOTHING_OPTIONAL);
    sets.putAll(
        Chart.sets(
            "rbac.scaleTargets[0].apiGroup", "apps",
            "rbac.scaleTargets[0].resource", "statefulsets",
            "rbac.scaleTargets[1].apiGroup", "example.com",
            "rbac.scaleTargets[1].resource", "workers"));
    List<PolicyRule> rules = Chart.render(sets).one(ClusterRole.class).getRules();
    assertThat(rules)
        .contains(
            rule("apps", "statefulsets", "get"),
            rule("apps", "statefulsets/scale", "get", "update"),
            rule("example.com", "workers", "get"),
            rule("example.com", "workers/scale", "get", "update"));
    assertThat(rules.toString()).doesNotContain("{scaleTarget");
    // None configured: not a single rule on a scale target.
    assertThat(Chart.render(NOTHING_OPTIONAL).one(ClusterRole.class).getRules())
        .containsExactlyInAnyOrderElementsOf(
            expected(EnumSet.of(Feature.CONTROLLER), List.of(), false, true));
  }

  @Test
  void noRuleUsesAWildcard() {
    for (Rendered r :
        List.of(
            Chart.defaults(),
            Chart.allFeatures(),
            Chart.render(Map.of("watchNamespace", "team-a"), Chart.ALL_FEATURES))) {
      for (PolicyRule rule : allRules(r)) {
        assertThat(
                Stream.of(rule.getApiGroups(), rule.getResources(), rule.getVerbs())
                    .flatMap(List::stream))
            .as(rule.toString())
            .noneMatch(s -> s.contains("*"));
        assertThat(rule.getResourceNames()).isNullOrEmpty();
        assertThat(rule.getNonResourceURLs()).isNullOrEmpty();
      }
    }
  }

  @Test
  void everyBindingNamesTheChartsServiceAccountAndARenderedRole() {
    Rendered r = Chart.render(Map.of("watchNamespace", "team-a"), Chart.ALL_FEATURES);
    String sa = r.one(ServiceAccount.class).getMetadata().getName();
    assertThat(sa).isEqualTo("stoker");
    List<HasMetadata> bindings = new ArrayList<>();
    bindings.addAll(r.all(ClusterRoleBinding.class));
    bindings.addAll(r.all(RoleBinding.class));
    assertThat(bindings).hasSize(3);
    for (ClusterRoleBinding b : r.all(ClusterRoleBinding.class)) {
      assertBindsTheChartsServiceAccount(b.getSubjects());
      assertRefers(b.getRoleRef(), "ClusterRole", r.find(ClusterRole.class, name(b)).isPresent());
    }
    for (RoleBinding b : r.all(RoleBinding.class)) {
      assertBindsTheChartsServiceAccount(b.getSubjects());
      boolean present =
          r.all(Role.class).stream()
              .anyMatch(
                  o ->
                      o.getMetadata().getName().equals(b.getRoleRef().getName())
                          && o.getMetadata().getNamespace().equals(b.getMetadata().getNamespace()));
      assertRefers(b.getRoleRef(), "Role", present);
    }
  }

  @Test
  void rbacCreateFalseRendersNoRbac() {
    Rendered r = Chart.render(Map.of("rbac.create", false), Chart.ALL_FEATURES);
    assertThat(r.all(ClusterRole.class)).isEmpty();
    assertThat(r.all(Role.class)).isEmpty();
    assertThat(r.all(ClusterRoleBinding.class)).isEmpty();
    assertThat(r.all(RoleBinding.class)).isEmpty();
  }

  // --- derivation ---

  /** The values that turn one feature on. */
  static Map<String, Object> enabling(Feature feature) {
    return switch (feature) {
      case CONTROLLER -> Map.of();
      case LEADER_ELECTION -> Map.of("leaderElection.enabled", true);
      case SCALE_TARGET ->
          Chart.sets(
              "rbac.scaleTargets[0].apiGroup", "apps",
              "rbac.scaleTargets[0].resource", "statefulsets");
      case SPARK_APPLICATION -> Map.of("sparkApplication.enabled", true);
      case KAFKA_AUTH_SECRET -> Map.of("kafkaAuthSecret.enabled", true);
      case PLACEHOLDERS -> Map.of("placeholders.enabled", true);
      case PROVISIONING_REQUEST -> Map.of("provisioningRequest.enabled", true);
      case SHUFFLE_PROTECTION -> Map.of("shuffleProtection.enabled", true);
      case NODE_HINTS -> Map.of("nodeHints.enabled", true);
    };
  }

  /** The scale target {@link #enabling} configures. */
  static final List<GroupResource> ONE_TARGET = List.of(new GroupResource("apps", "statefulsets"));

  /** The scale targets of the all-features values file. */
  static final List<GroupResource> ALL_FEATURES_TARGETS =
      List.of(
          new GroupResource("apps", "statefulsets"),
          new GroupResource("", "replicationcontrollers"));

  /**
   * The rules {@link ApiAccess} lists for {@code features}, of the scopes that land in one object:
   * the ClusterRole ({@code clusterRole}: cluster-scoped rules, plus the watched-namespace rules
   * when all namespaces are watched), a Role in the watched namespace, or the Lease's Role.
   */
  static List<PolicyRule> expected(
      Set<Feature> features, List<GroupResource> targets, boolean lease, boolean allNamespaces) {
    List<PolicyRule> out = new ArrayList<>();
    for (ApiAccess.Rule r : ApiAccess.expand(targets)) {
      if (!features.contains(r.feature())) {
        continue;
      }
      boolean wanted =
          lease
              ? r.scope() == Scope.LEASE_NAMESPACE
              : r.scope() == Scope.CLUSTER
                  || (allNamespaces && r.scope() == Scope.WATCHED_NAMESPACES);
      if (wanted) {
        out.add(rule(r.apiGroup(), r.resource(), r.verbs().toArray(String[]::new)));
      }
    }
    return out;
  }

  static List<PolicyRule> expectedWatched(Set<Feature> features, List<GroupResource> targets) {
    List<PolicyRule> out = new ArrayList<>();
    for (ApiAccess.Rule r : ApiAccess.expand(targets)) {
      if (features.contains(r.feature()) && r.scope() == Scope.WATCHED_NAMESPACES) {
        out.add(rule(r.apiGroup(), r.resource(), r.verbs().toArray(String[]::new)));
      }
    }
    return out;
  }

  private static void assertGrants(Rendered r, Set<Feature> features) {
    assertGrants(r, features, ONE_TARGET, null);
  }

  /**
   * The ClusterRole, each watched namespace's Role (when {@code watched} is set; null: all
   * namespaces) and the Lease's Role hold exactly the derived rules; no other Role or ClusterRole
   * is rendered.
   */
  private static void assertGrants(
      Rendered r, Set<Feature> features, List<GroupResource> scaleTargets, List<String> watched) {
    List<GroupResource> targets =
        features.contains(Feature.SCALE_TARGET) ? scaleTargets : List.of();
    List<PolicyRule> cluster = expected(features, targets, false, watched == null);
    List<ClusterRole> clusterRoles = r.all(ClusterRole.class);
    if (cluster.isEmpty()) {
      assertThat(clusterRoles).as("no ClusterRole without cluster-wide rules").isEmpty();
    } else {
      assertThat(clusterRoles).hasSize(1);
      assertThat(clusterRoles.get(0).getRules())
          .as("ClusterRole of %s", features)
          .containsExactlyInAnyOrderElementsOf(cluster);
    }
    List<PolicyRule> lease = expected(features, targets, true, watched == null);
    Optional<Role> leaseRole = role(r, Chart.NAMESPACE);
    if (lease.isEmpty()) {
      assertThat(leaseRole).as("no Lease Role without leader election").isEmpty();
    } else {
      assertThat(leaseRole.orElseThrow().getMetadata().getName())
          .isEqualTo("stoker-leader-election");
      assertThat(leaseRole.orElseThrow().getRules())
          .as("Lease Role of %s", features)
          .containsExactlyInAnyOrderElementsOf(lease);
    }
    int roles = lease.isEmpty() ? 0 : 1;
    for (String ns : watched == null ? List.<String>of() : watched) {
      assertThat(role(r, ns).orElseThrow().getRules())
          .as("Role in %s of %s", ns, features)
          .containsExactlyInAnyOrderElementsOf(expectedWatched(features, targets));
      roles++;
    }
    assertThat(r.all(Role.class)).hasSize(roles);
    assertThat(r.all(RoleBinding.class)).hasSize(roles);
    assertThat(r.all(ClusterRoleBinding.class)).hasSize(clusterRoles.size());
  }

  private static Optional<Role> role(Rendered r, String namespace) {
    return r.all(Role.class).stream()
        .filter(o -> o.getMetadata().getNamespace().equals(namespace))
        .findFirst();
  }

  private static List<PolicyRule> allRules(Rendered r) {
    List<PolicyRule> out = new ArrayList<>();
    r.all(ClusterRole.class).forEach(c -> out.addAll(c.getRules()));
    r.all(Role.class).forEach(c -> out.addAll(c.getRules()));
    return out;
  }

  private static void assertBindsTheChartsServiceAccount(List<Subject> subjects) {
    assertThat(subjects).hasSize(1);
    assertThat(subjects.get(0).getKind()).isEqualTo("ServiceAccount");
    assertThat(subjects.get(0).getName()).isEqualTo("stoker");
    assertThat(subjects.get(0).getNamespace()).isEqualTo(Chart.NAMESPACE);
  }

  private static void assertRefers(RoleRef ref, String kind, boolean rendered) {
    assertThat(ref.getApiGroup()).isEqualTo("rbac.authorization.k8s.io");
    assertThat(ref.getKind()).isEqualTo(kind);
    assertThat(rendered).as("%s %s is rendered", kind, ref.getName()).isTrue();
  }

  private static String name(HasMetadata o) {
    return o.getMetadata().getName();
  }

  static PolicyRule rule(String group, String resource, String... verbs) {
    return new PolicyRuleBuilder()
        .withApiGroups(group)
        .withResources(resource)
        .withVerbs(verbs)
        .build();
  }
}
