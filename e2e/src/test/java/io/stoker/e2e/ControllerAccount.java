package io.stoker.e2e;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.stoker.app.k8s.ApiAccess;
import java.util.List;

/**
 * The controller's ServiceAccount on the real API server, with exactly the rules {@link ApiAccess}
 * lists for the controller and leader election (the list the Helm chart's RBAC is generated from),
 * and a token for it. Any call outside them is answered 403 by the real API server, which the tests
 * fail on.
 */
final class ControllerAccount {
  static final String NAMESPACE = "stoker-system";
  static final String NAME = "stoker";

  private ControllerAccount() {}

  /**
   * What `stoker run` needs in the namespaces it watches, from {@link ApiAccess} (the list the
   * chart's RBAC is generated from): the controller itself, nothing optional. Granted cluster-wide,
   * as the chart does when the controller watches all namespaces.
   */
  static List<PolicyRule> clusterRules() {
    return rules(ApiAccess.Feature.CONTROLLER, ApiAccess.Scope.WATCHED_NAMESPACES);
  }

  /** Leader election, in the Lease's namespace only. */
  static List<PolicyRule> leaseRules() {
    return rules(ApiAccess.Feature.LEADER_ELECTION, ApiAccess.Scope.LEASE_NAMESPACE);
  }

  private static List<PolicyRule> rules(ApiAccess.Feature feature, ApiAccess.Scope scope) {
    List<PolicyRule> out =
        ApiAccess.of(feature).stream()
            .filter(r -> r.scope() == scope)
            .map(r -> rule(r.apiGroup(), r.resource(), r.verbs().toArray(String[]::new)))
            .toList();
    if (out.isEmpty()) {
      throw new IllegalStateException("ApiAccess lists no " + feature + " rule for " + scope);
    }
    return out;
  }

  private static PolicyRule rule(String group, String resource, String... verbs) {
    return new PolicyRuleBuilder()
        .withApiGroups(group)
        .withResources(resource)
        .withVerbs(verbs)
        .build();
  }

  /** Creates namespace, ServiceAccount, roles and bindings (idempotent per API server). */
  static void install(KubernetesClient admin) {
    admin
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
        .serverSideApply();
    admin
        .serviceAccounts()
        .inNamespace(NAMESPACE)
        .resource(
            new ServiceAccountBuilder()
                .withNewMetadata()
                .withName(NAME)
                .withNamespace(NAMESPACE)
                .endMetadata()
                .build())
        .serverSideApply();
    admin
        .rbac()
        .clusterRoles()
        .resource(
            new ClusterRoleBuilder()
                .withNewMetadata()
                .withName("stoker-controller")
                .endMetadata()
                .withRules(clusterRules())
                .build())
        .serverSideApply();
    admin
        .rbac()
        .clusterRoleBindings()
        .resource(
            new ClusterRoleBindingBuilder()
                .withNewMetadata()
                .withName("stoker-controller")
                .endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", "stoker-controller")
                .addNewSubject()
                .withKind("ServiceAccount")
                .withName(NAME)
                .withNamespace(NAMESPACE)
                .endSubject()
                .build())
        .serverSideApply();
    // Leader election: the Lease in the controller's own namespace only.
    admin
        .rbac()
        .roles()
        .inNamespace(NAMESPACE)
        .resource(
            new RoleBuilder()
                .withNewMetadata()
                .withName("stoker-leader-election")
                .withNamespace(NAMESPACE)
                .endMetadata()
                .withRules(leaseRules())
                .build())
        .serverSideApply();
    admin
        .rbac()
        .roleBindings()
        .inNamespace(NAMESPACE)
        .resource(
            new RoleBindingBuilder()
                .withNewMetadata()
                .withName("stoker-leader-election")
                .withNamespace(NAMESPACE)
                .endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "Role", "stoker-leader-election")
                .addNewSubject()
                .withKind("ServiceAccount")
                .withName(NAME)
                .withNamespace(NAMESPACE)
                .endSubject()
                .build())
        .serverSideApply();
  }

  /** A fresh token of the controller's ServiceAccount (TokenRequest API), valid for an hour. */
  static String token(KubernetesClient admin) {
    return admin
        .serviceAccounts()
        .inNamespace(NAMESPACE)
        .withName(NAME)
        .tokenRequest(
            new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3600L).endSpec().build())
        .getStatus()
        .getToken();
  }
}
