package io.stoker.charts;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The chart {@code charts/stoker} rendered with helm-java ({@code helm template}) and parsed into
 * typed fabric8 objects, as a test sees it.
 */
final class Chart {
  static final Path REPO = Path.of(System.getProperty("stoker.repo.root", ".."));
  static final Path DIR = REPO.resolve("charts/stoker");

  /** Values that turn every feature on (test resource). */
  static final Path ALL_FEATURES = Path.of("src/test/resources/all-features-values.yaml");

  /** The example production values users start from. */
  static final Path PRODUCTION_EXAMPLE = REPO.resolve("docs/examples/values-production.yaml");

  static final String RELEASE = "stoker";
  static final String NAMESPACE = "stoker-system";
  static final String KUBE_VERSION = System.getProperty("stoker.kube.version", "v1.34.4");

  static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private static final Pattern DOCUMENT = Pattern.compile("(?m)^---\\s*$");

  private Chart() {}

  /** A template command for the test release, with the given {@code --set} values and files. */
  static TemplateCommand template(Map<String, ?> sets, Path... valuesFiles) {
    TemplateCommand t =
        new Helm(DIR)
            .template()
            .withName(RELEASE)
            .withNamespace(NAMESPACE)
            .withKubeVersion(KUBE_VERSION);
    for (Path f : valuesFiles) {
      t = t.withValuesFile(f.toAbsolutePath());
    }
    for (Map.Entry<String, ?> e : sets.entrySet()) {
      t = t.set(e.getKey(), e.getValue());
    }
    return t;
  }

  static Rendered render(Map<String, ?> sets, Path... valuesFiles) {
    return Rendered.parse(template(sets, valuesFiles).call());
  }

  static Rendered defaults() {
    return render(Map.of());
  }

  static Rendered allFeatures() {
    return render(Map.of(), ALL_FEATURES);
  }

  /** Ordered {@code --set} values. */
  static Map<String, Object> sets(Object... keyValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      m.put((String) keyValues[i], keyValues[i + 1]);
    }
    return m;
  }

  /** The objects of one {@code helm template} output. */
  record Rendered(String manifest, List<HasMetadata> objects) {
    static Rendered parse(String manifest) {
      List<HasMetadata> out = new ArrayList<>();
      for (String doc : DOCUMENT.split(manifest)) {
        if (doc.lines().allMatch(l -> l.isBlank() || l.trim().startsWith("#"))) {
          continue;
        }
        out.add(SERIALIZATION.unmarshal(doc, HasMetadata.class));
      }
      return new Rendered(manifest, List.copyOf(out));
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
      return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    List<HasMetadata> ofKind(String kind) {
      return objects.stream().filter(o -> o.getKind().equals(kind)).toList();
    }

    <T extends HasMetadata> Optional<T> find(Class<T> type, String name) {
      return all(type).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst();
    }

    <T extends HasMetadata> T one(Class<T> type) {
      List<T> all = all(type);
      if (all.size() != 1) {
        throw new AssertionError(
            "expected one " + type.getSimpleName() + ", got " + all.size() + ":\n" + manifest);
      }
      return all.get(0);
    }

    Deployment deployment() {
      return one(Deployment.class);
    }

    Container container() {
      List<Container> cs = deployment().getSpec().getTemplate().getSpec().getContainers();
      if (cs.size() != 1) {
        throw new AssertionError("expected one container, got " + cs.size());
      }
      return cs.get(0);
    }

    /** The container's environment with literal values (valueFrom entries map to null). */
    Map<String, String> env() {
      Map<String, String> m = new LinkedHashMap<>();
      for (EnvVar e : container().getEnv()) {
        if (m.containsKey(e.getName())) {
          throw new AssertionError("duplicate env var " + e.getName());
        }
        m.put(e.getName(), e.getValue());
      }
      return m;
    }
  }
}
