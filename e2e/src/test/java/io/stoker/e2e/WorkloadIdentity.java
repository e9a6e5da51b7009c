package io.stoker.e2e;

import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A workload's identity in a namespace of the e2e control plane, as a pod would have it: a
 * ServiceAccount bound to a Role of its own, and its token. The Spark driver runs with one, so the
 * tests see what RBAC a user must grant it, no more.
 *
 * @param account the ServiceAccount's name
 * @param namespace its namespace
 * @param token a bound token for it (one hour)
 */
record WorkloadIdentity(String account, String namespace, String token) {

  /**
   * Creates the ServiceAccount {@code account} in {@code namespace}, a Role {@code role} with
   * {@code rules} bound to it, and asks for its token.
   */
  static WorkloadIdentity grant(
      KubernetesClient admin, String namespace, String account, String role, PolicyRule... rules) {
    admin
        .serviceAccounts()
        .inNamespace(namespace)
        .resource(
            new ServiceAccountBuilder()
                .withNewMetadata()
                .withName(account)
                .withNamespace(namespace)
                .endMetadata()
                .build())
        .create();
    admin
        .rbac()
        .roles()
        .inNamespace(namespace)
        .resource(
            new RoleBuilder()
                .withNewMetadata()
                .withName(role)
                .withNamespace(namespace)
                .endMetadata()
                .withRules(rules)
                .build())
        .create();
    admin
        .rbac()
        .roleBindings()
        .inNamespace(namespace)
        .resource(
            new RoleBindingBuilder()
                .withNewMetadata()
                .withName(role)
                .withNamespace(namespace)
                .endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "Role", role)
                .addNewSubject()
                .withKind("ServiceAccount")
                .withName(account)
                .withNamespace(namespace)
                .endSubject()
                .build())
        .create();
    String token =
        admin
            .serviceAccounts()
            .inNamespace(namespace)
            .withName(account)
            .tokenRequest(
                new TokenRequestBuilder()
                    .withNewSpec()
                    .withExpirationSeconds(3600L)
                    .endSpec()
                    .build())
            .getStatus()
            .getToken();
    return new WorkloadIdentity(account, namespace, token);
  }

  /**
   * A kubeconfig for this identity against {@code cp}, in its namespace, trusting the API server's
   * own certificate (no "insecure" TLS).
   */
  String kubeconfig(ControlPlane cp) throws IOException {
    return String.join(
        "\n",
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: e2e",
        "  cluster: {server: \""
            + cp.server()
            + "\", certificate-authority: \""
            + cp.caCertificate()
            + "\"}",
        "users:",
        "- name: " + account,
        "  user: {token: \"" + token + "\"}",
        "contexts:",
        "- name: e2e",
        "  context: {cluster: e2e, user: " + account + ", namespace: " + namespace + "}",
        "current-context: e2e",
        "");
  }

  /** Writes {@code content} to {@code dir/name}, readable by this user only. */
  static Path privateFile(Path dir, String name, String content) throws IOException {
    Path file = dir.resolve(name);
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, content);
    return file;
  }
}
