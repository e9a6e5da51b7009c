package io.stoker.app.k8s;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The one list of every Kubernetes API call the controller makes: API group, resource (with its
 * subresource), verbs, the feature that needs it and where it is granted. The Helm chart's RBAC is
 * generated from it ({@link #helmRulesYaml()} → {@code charts/stoker/files/rbac-rules.yaml}), and
 * {@code ApiAccessTest} runs the controller with every implemented feature on the mock API server
 * and fails when a request is not covered by a rule here (or a rule is never used).
 *
 * <p><b>Rule for contributors:</b> a new fabric8 call site (a new resource, verb or subresource)
 * needs an entry here in the same change; then regenerate the chart's rules with {@code ./mvnw -pl
 * charts -am test -Dtest=RbacRulesTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dstoker.docs.update=true} ({@code io.stoker.charts.RbacRulesTest} in the {@code charts} module
 * fails while the file is stale).
 *
 * <p>Discovery ({@code GET /api}, {@code /apis}, {@code /apis/<group>/<version>}), which fabric8
 * makes to map a kind to its resource for {@code genericKubernetesResources}, needs no rule:
 * Kubernetes grants it to every authenticated user (ClusterRole {@code system:discovery}).
 */
public final class ApiAccess {

  /** What needs an API call; the chart grants a feature's rules only when it is enabled. */
  public enum Feature {
    /** Always on: the informers, status, events and the driver-pod annotation. */
    CONTROLLER("controller", "always"),
    /** {@code --leader-election=true} (the default). */
    LEADER_ELECTION("leaderElection", "leader election (--leader-election)"),
    /**
     * {@code spec.target.scaleTargetRef} with {@code actuation: Scale}: the {@code /scale}
     * subresource of each kind the chart lists in {@code rbac.scaleTargets}.
     */
    SCALE_TARGET("scaleTarget", "spec.target.scaleTargetRef (the /scale subresource)"),
    /** {@code spec.target.sparkApplication} (Spark Operator). */
    SPARK_APPLICATION("sparkApplication", "spec.target.sparkApplication"),
    /** {@code spec.signals.kafka.authSecretRef}. */
    KAFKA_AUTH_SECRET("kafkaAuthSecret", "spec.signals.kafka.authSecretRef"),
    /** {@code spec.capacity.placeholders} (issue 6): low-priority placeholder pods. */
    PLACEHOLDERS("placeholders", "spec.capacity.placeholders"),
    /** {@code spec.capacity.provisioningRequest} (issue 6): ProvisioningRequest + PodTemplate. */
    PROVISIONING_REQUEST("provisioningRequest", "spec.capacity.provisioningRequest"),
    /** {@code spec.capacity.protectShuffle} (issue 6): safe-to-evict annotations on executors. */
    SHUFFLE_PROTECTION("shuffleProtection", "spec.capacity.protectShuffle"),
    /** Node-group hints (issue 6): node allocatable and labels. */
    NODE_HINTS("nodeHints", "node-group hints");

    private final String key;
    private final String when;

    Feature(String key, String when) {
      this.key = key;
      this.when = when;
    }

    /** The key in the chart's generated rules file and values. */
    public String key() {
      return key;
    }

    /** When the feature is in use, for humans. */
    public String when() {
      return when;
    }
  }

  /** Where a rule is granted. */
  public enum Scope {
    /**
     * The namespaces the controller watches ({@code --namespace}): a Role there, or a ClusterRole
     * when it watches all namespaces.
     */
    WATCHED_NAMESPACES("watchedNamespaces"),
    /** The namespace of the leader-election Lease (the chart's release namespace). */
    LEASE_NAMESPACE("leaseNamespace"),
    /** Cluster-scoped resources: always a ClusterRole. */
    CLUSTER("cluster");

    private final String key;

    Scope(String key) {
      this.key = key;
    }

    public String key() {
      return key;
    }
  }

  /**
   * Stands for the API group of a configured scale target in a {@link Feature#SCALE_TARGET} rule.
   */
  public static final String SCALE_TARGET_GROUP = "{scaleTarget.apiGroup}";

  /**
   * Stands for the resource of a configured scale target in a {@link Feature#SCALE_TARGET} rule.
   */
  public static final String SCALE_TARGET_RESOURCE = "{scaleTarget.resource}";

  /**
   * One grant.
   *
   * @param feature what needs it
   * @param scope where it is granted
   * @param apiGroup API group ("" for the core group)
   * @param resource plural resource, {@code resource/subresource} for a subresource
   * @param verbs RBAC verbs, in the order they are listed
   * @param why the call sites
   */
  public record Rule(
      Feature feature,
      Scope scope,
      String apiGroup,
      String resource,
      List<String> verbs,
      String why) {
    public Rule {
      verbs = List.copyOf(verbs);
    }
  }

  /** Every call, by feature. */
  public static final List<Rule> RULES =
      List.of(
          new Rule(
              Feature.CONTROLLER,
              Scope.WATCHED_NAMESPACES,
              "stoker.io",
              "executorautoscalers",
              List.of("get", "list", "watch"),
              "ClusterView informer (list, watch); StatusWriter re-reads after a 409 (get)"),
          new Rule(
              Feature.CONTROLLER,
              Scope.WATCHED_NAMESPACES,
              "stoker.io",
              "executorautoscalers/status",
              List.of("update"),
              "StatusWriter: PUT of the status subresource"),
          new Rule(
              Feature.CONTROLLER,
              Scope.WATCHED_NAMESPACES,
              "",
              "pods",
              List.of("get", "list", "watch", "patch"),
              "ClusterView informers of driver and executor pods (list, watch); Realizer merge-"
                  + "patches stoker.io/target-executors on the driver pod (fabric8 reads the pod,"
                  + " get, then patches it, patch)"),
          new Rule(
              Feature.CONTROLLER,
              Scope.WATCHED_NAMESPACES,
              "",
              "events",
              List.of("create"),
              "EventRecorder: core/v1 Events on autoscalers"),
          new Rule(
              Feature.LEADER_ELECTION,
              Scope.LEASE_NAMESPACE,
              "coordination.k8s.io",
              "leases",
              List.of("get", "create", "patch"),
              "LeaderElection: fabric8 LeaseLock reads and creates its Lease, renews and releases"
                  + " it with a patch"),
          new Rule(
              Feature.SCALE_TARGET,
              Scope.WATCHED_NAMESPACES,
              SCALE_TARGET_GROUP,
              SCALE_TARGET_RESOURCE,
              List.of("get"),
              "Realizer: fabric8's scale(n) reads the target object before it writes /scale"),
          new Rule(
              Feature.SCALE_TARGET,
              Scope.WATCHED_NAMESPACES,
              SCALE_TARGET_GROUP,
              SCALE_TARGET_RESOURCE + "/scale",
              List.of("get", "update"),
              "TargetResolver reads /scale (get); Realizer sets the replicas with a PUT of /scale"
                  + " (update)"),
          new Rule(
              Feature.SPARK_APPLICATION,
              Scope.WATCHED_NAMESPACES,
              "sparkoperator.k8s.io",
              "sparkapplications",
              List.of("get"),
              "TargetResolver: the driver pod name from a SparkApplication's status"),
          new Rule(
              Feature.KAFKA_AUTH_SECRET,
              Scope.WATCHED_NAMESPACES,
              "",
              "secrets",
              List.of("get"),
              "SecretReader: Kafka client settings from authSecretRef (cached)"),
          // Issue 6 (capacity hints, io.stoker.app.k8s.capacity; docs/capacity.md).
          new Rule(
              Feature.PLACEHOLDERS,
              Scope.WATCHED_NAMESPACES,
              "",
              "pods",
              List.of("create", "delete", "list"),
              "Placeholders: lists an autoscaler's placeholder pods by label, creates and deletes"
                  + " them (for a scale target without executor pods the shape comes from the"
                  + " workload's pod template: the scaleTarget get)"),
          new Rule(
              Feature.PLACEHOLDERS,
              Scope.CLUSTER,
              "scheduling.k8s.io",
              "priorityclasses",
              List.of("get"),
              "Placeholders: checks that the placeholder PriorityClass exists (once a minute)"),
          new Rule(
              Feature.PROVISIONING_REQUEST,
              Scope.WATCHED_NAMESPACES,
              "",
              "podtemplates",
              List.of("get", "create", "delete"),
              "ProvisioningRequests: the PodTemplate <autoscaler>-capacity a request points at"
                  + " (read before it is created, deleted with the request)"),
          new Rule(
              Feature.PROVISIONING_REQUEST,
              Scope.WATCHED_NAMESPACES,
              "autoscaling.x-k8s.io",
              "provisioningrequests",
              List.of("get", "create", "delete"),
              "ProvisioningRequests: <autoscaler>-capacity created for the executors that need"
                  + " room, read every tick for its conditions, deleted when done (whether the CRD"
                  + " exists is asked through API discovery, which needs no rule)"),
          new Rule(
              Feature.SHUFFLE_PROTECTION,
              Scope.WATCHED_NAMESPACES,
              "",
              "pods",
              List.of("patch"),
              "ShuffleProtection: JSON merge patch of safe-to-evict / do-not-disrupt on executor"
                  + " pods"),
          new Rule(
              Feature.NODE_HINTS,
              Scope.CLUSTER,
              "",
              "nodes",
              List.of("list"),
              "CapacityHints: node allocatable and node-group labels, listed at most every 30 s"
                  + " while executor pods are pending"));

  private ApiAccess() {}

  /** The rules of one feature. */
  public static List<Rule> of(Feature feature) {
    return RULES.stream().filter(r -> r.feature() == feature).toList();
  }

  /** A resource of an API group, e.g. {@code apps} / {@code statefulsets}. */
  public record GroupResource(String apiGroup, String resource) {}

  /**
   * {@link #RULES} with each {@link Feature#SCALE_TARGET} rule repeated for every scale target kind
   * the chart grants (its placeholders replaced), as the rendered RBAC holds them.
   */
  public static List<Rule> expand(List<GroupResource> scaleTargets) {
    List<Rule> out = new ArrayList<>();
    for (Rule r : RULES) {
      if (r.feature() != Feature.SCALE_TARGET) {
        out.add(r);
        continue;
      }
      for (GroupResource t : scaleTargets) {
        out.add(
            new Rule(
                r.feature(),
                r.scope(),
                r.apiGroup().replace(SCALE_TARGET_GROUP, t.apiGroup()),
                r.resource().replace(SCALE_TARGET_RESOURCE, t.resource()),
                r.verbs(),
                r.why()));
      }
    }
    return out;
  }

  /** The first of {@code rules} that allows {@code verb} on {@code apiGroup}/{@code resource}. */
  public static Optional<Rule> find(
      List<Rule> rules, String apiGroup, String resource, String verb) {
    for (Rule r : rules) {
      if (r.apiGroup().equals(apiGroup)
          && r.resource().equals(resource)
          && r.verbs().contains(verb)) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }

  /**
   * The chart's {@code files/rbac-rules.yaml}: for each feature and scope, RBAC PolicyRules in the
   * form a Role's {@code rules} take. A {@link Feature#SCALE_TARGET} rule carries the {@link
   * #SCALE_TARGET_GROUP} and {@link #SCALE_TARGET_RESOURCE} placeholders, which the template
   * replaces with each entry of {@code rbac.scaleTargets}.
   */
  public static String helmRulesYaml() {
    StringBuilder b = new StringBuilder();
    b.append("# Generated from io.stoker.app.k8s.ApiAccess by RbacRulesTest; do not edit.\n")
        .append("# Regenerate: ./mvnw -B -pl charts -am test -Dtest=RbacRulesTest")
        .append(" -Dsurefire.failIfNoSpecifiedTests=false -Dstoker.docs.update=true\n")
        .append("# feature -> scope -> rules (templates/_rbac.tpl grants a feature's rules when")
        .append(" values enable it)\n");
    for (Feature f : Feature.values()) {
      b.append(f.key()).append(":\n");
      for (Scope s : Scope.values()) {
        List<Rule> rules = new ArrayList<>();
        for (Rule r : RULES) {
          if (r.feature() == f && r.scope() == s) {
            rules.add(r);
          }
        }
        b.append("  ").append(s.key()).append(":");
        if (rules.isEmpty()) {
          b.append(" []\n");
          continue;
        }
        b.append("\n");
        for (Rule r : rules) {
          b.append("    # ").append(r.why().replace("\n", " ")).append("\n");
          b.append("    - apiGroups: [").append(quote(r.apiGroup())).append("]\n");
          b.append("      resources: [").append(quote(r.resource())).append("]\n");
          b.append("      verbs: [");
          for (int i = 0; i < r.verbs().size(); i++) {
            b.append(i == 0 ? "" : ", ").append(quote(r.verbs().get(i)));
          }
          b.append("]\n");
        }
      }
    }
    return b.toString();
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  /** The feature named by a chart key ({@link Feature#key()}). */
  public static Feature feature(String key) {
    for (Feature f : Feature.values()) {
      if (f.key().equals(key)) {
        return f;
      }
    }
    throw new IllegalArgumentException("unknown feature " + key.toLowerCase(Locale.ROOT));
  }
}
