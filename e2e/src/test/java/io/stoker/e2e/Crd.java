package io.stoker.e2e;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Installs the ExecutorAutoscaler CRD from the repository and waits until it is established. */
final class Crd {
  private Crd() {}

  static Path repoRoot() {
    return Path.of(System.getProperty("stoker.repo.root", ".."));
  }

  static void install(KubernetesClient admin) throws IOException {
    Path crd =
        repoRoot()
            .resolve("scaler/app/src/main/resources/crds/executorautoscalers.stoker.io-v1.yml");
    try (InputStream in = Files.newInputStream(crd)) {
      CustomResourceDefinition def =
          admin.apiextensions().v1().customResourceDefinitions().load(in).item();
      admin.apiextensions().v1().customResourceDefinitions().resource(def).create();
    }
    await("CRD established")
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              CustomResourceDefinition d =
                  admin
                      .apiextensions()
                      .v1()
                      .customResourceDefinitions()
                      .withName("executorautoscalers.stoker.io")
                      .get();
              return d != null
                  && d.getStatus() != null
                  && d.getStatus().getConditions().stream()
                      .anyMatch(
                          c -> c.getType().equals("Established") && c.getStatus().equals("True"));
            });
  }
}
