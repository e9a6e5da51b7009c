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
import java.util.List;

/**
 * The controller's ServiceAccount on the real API server, with the least privilege the code needs,
 * and a token for it. The rules are derived from the calls in {@code io.stoker.app.k8s} (informers,
 * realizer, status writer, events, secrets, leader election); when the Helm chart lands its RBAC
 * replaces them here.
 */
final class ControllerAccount {
  static final String NAMESPACE = "stoker-system";
  static final String NAME = "stoker";

  private ControllerAccount() {}

  /** Cluster-wide: what `stoker run` without --namespace reads and writes. */
  static List<PolicyRule> clusterRules() {
    return List.of(
        rule("stoker.io", "executorautoscalers", "get", "list", "watch"),
        rule("stoker.io", "executorautoscalers/status", "get", "update", "patch"),
        // informers on driver and executor pods; the target annotation is a merge patch
        rule("", "pods", "get", "list", "watch", "patch"),
        // authSecretRef of signals.kafka: read one Secret by name, never list
        rule("", "secrets", "get"),
        rule("", "events", "create", "patch"),
        rule("sparkoperator.k8s.io", "sparkapplications", "get"),
        rule("apps", "statefulsets/scale", "get", "update", "patch"),
        rule("apps", "deployments/scale", "get", "update", "patch"));
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
                // fabric8's LeaseLock renews with a PATCH (seen as 403 on the real API server)
                .withRules(
                    rule("coordination.k8s.io", "leases", "get", "create", "update", "patch"))
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
