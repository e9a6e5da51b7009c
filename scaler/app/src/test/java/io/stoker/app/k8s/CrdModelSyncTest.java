package io.stoker.app.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.stoker.app.k8s.model.ExecutorAutoscaler;
import io.stoker.app.k8s.model.ExecutorAutoscalerSpec;
import io.stoker.app.k8s.model.ExecutorAutoscalerStatus;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The hand-written CRD and the Java model must not drift: every property of the schema is a field
 * of the model with the matching type (and enum values), and the reverse.
 */
class CrdModelSyncTest {
  static final String CRD = "/crds/executorautoscalers.stoker.io-v1.yml";

  static CustomResourceDefinition load() throws Exception {
    try (InputStream in = CrdModelSyncTest.class.getResourceAsStream(CRD)) {
      return Serialization.unmarshal(in, CustomResourceDefinition.class);
    }
  }

  @Test
  void namesMatchTheAnnotations() throws Exception {
    CustomResourceDefinition crd = load();
    assertThat(crd.getMetadata().getName())
        .isEqualTo(HasMetadata.getFullResourceName(ExecutorAutoscaler.class));
    assertThat(crd.getSpec().getGroup()).isEqualTo(HasMetadata.getGroup(ExecutorAutoscaler.class));
    assertThat(crd.getSpec().getNames().getKind())
        .isEqualTo(HasMetadata.getKind(ExecutorAutoscaler.class));
    assertThat(crd.getSpec().getNames().getPlural())
        .isEqualTo(HasMetadata.getPlural(ExecutorAutoscaler.class));
    assertThat(crd.getSpec().getNames().getShortNames()).containsExactly("eas");
    assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
    assertThat(crd.getSpec().getVersions())
        .extracting(CustomResourceDefinitionVersion::getName)
        .containsExactly(HasMetadata.getVersion(ExecutorAutoscaler.class));
  }

  @Test
  void hasStatusSubresourceAndPrinterColumns() throws Exception {
    CustomResourceDefinitionVersion v = load().getSpec().getVersions().get(0);
    assertThat(v.getSubresources().getStatus()).isNotNull();
    assertThat(v.getAdditionalPrinterColumns())
        .extracting(c -> c.getName())
        .containsExactly("Target", "Min", "Max", "Current", "Desired", "Lag", "Age");
    JSONSchemaProps root = v.getSchema().getOpenAPIV3Schema();
    for (var c : v.getAdditionalPrinterColumns()) {
      if (c.getJsonPath().startsWith(".metadata")) {
        continue;
      }
      JSONSchemaProps p = root;
      for (String part : c.getJsonPath().substring(1).split("\\.")) {
        p = p.getProperties().get(part);
        assertThat(p).as(c.getJsonPath()).isNotNull();
      }
      assertThat(p.getType()).as(c.getJsonPath()).isEqualTo(c.getType());
    }
  }

  @Test
  void targetIsExactlyOneOfThree() throws Exception {
    JSONSchemaProps target =
        load()
            .getSpec()
            .getVersions()
            .get(0)
            .getSchema()
            .getOpenAPIV3Schema()
            .getProperties()
            .get("spec")
            .getProperties()
            .get("target");
    assertThat(target.getXKubernetesValidations()).hasSize(1);
    assertThat(target.getXKubernetesValidations().get(0).getRule())
        .contains("sparkApplication", "driverSelector", "scaleTargetRef", "size() == 1");
  }

  @Test
  void schemaAndModelAgree() throws Exception {
    JSONSchemaProps root = load().getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema();
    List<String> problems = new ArrayList<>();
    compare("spec", ExecutorAutoscalerSpec.class, root.getProperties().get("spec"), problems);
    compare("status", ExecutorAutoscalerStatus.class, root.getProperties().get("status"), problems);
    assertThat(problems).isEmpty();
  }

  private static void compare(
      String path, Type type, JSONSchemaProps schema, List<String> problems) {
    Class<?> raw = raw(type);
    if (raw == String.class) {
      expect(path, schema, "string", problems);
    } else if (raw == Integer.class) {
      expect(path, schema, "integer", problems);
      expectFormat(path, schema, "int32", problems);
    } else if (raw == Long.class) {
      expect(path, schema, "integer", problems);
      expectFormat(path, schema, "int64", problems);
    } else if (raw == Double.class) {
      expect(path, schema, "number", problems);
    } else if (raw == Boolean.class) {
      expect(path, schema, "boolean", problems);
    } else if (raw.isEnum()) {
      expect(path, schema, "string", problems);
      List<String> values = Arrays.stream(raw.getEnumConstants()).map(Object::toString).toList();
      List<String> declared =
          schema.getEnum() == null
              ? List.of()
              : schema.getEnum().stream().map(n -> n.asString()).toList();
      if (!values.equals(declared)) {
        problems.add(path + ": enum " + declared + " vs model " + values);
      }
    } else if (List.class.isAssignableFrom(raw)) {
      expect(path, schema, "array", problems);
      compare(path + "[]", arg(type, 0), schema.getItems().getSchema(), problems);
    } else if (Map.class.isAssignableFrom(raw)) {
      expect(path, schema, "object", problems);
      if (schema.getAdditionalProperties() == null
          || schema.getAdditionalProperties().getSchema() == null) {
        problems.add(path + ": map without additionalProperties");
      } else {
        compare(path + "{}", arg(type, 1), schema.getAdditionalProperties().getSchema(), problems);
      }
    } else {
      expect(path, schema, "object", problems);
      compareObject(path, raw, schema, problems);
    }
  }

  private static void compareObject(
      String path, Class<?> raw, JSONSchemaProps schema, List<String> problems) {
    Map<String, Field> fields =
        Arrays.stream(raw.getFields())
            .filter(f -> !Modifier.isStatic(f.getModifiers()))
            .collect(Collectors.toMap(Field::getName, f -> f));
    Map<String, JSONSchemaProps> props =
        schema.getProperties() == null ? Map.of() : schema.getProperties();
    Set<String> all = new TreeSet<>(fields.keySet());
    all.addAll(props.keySet());
    for (String name : all) {
      if (!fields.containsKey(name)) {
        problems.add(path + "." + name + ": in the CRD, not in " + raw.getSimpleName());
      } else if (!props.containsKey(name)) {
        problems.add(path + "." + name + ": in " + raw.getSimpleName() + ", not in the CRD");
      } else {
        compare(path + "." + name, fields.get(name).getGenericType(), props.get(name), problems);
      }
    }
  }

  private static void expect(String path, JSONSchemaProps s, String type, List<String> problems) {
    if (s == null || !type.equals(s.getType())) {
      problems.add(path + ": CRD type " + (s == null ? null : s.getType()) + ", model " + type);
    }
  }

  private static void expectFormat(
      String path, JSONSchemaProps s, String format, List<String> problems) {
    if (s != null && !format.equals(s.getFormat())) {
      problems.add(path + ": CRD format " + s.getFormat() + ", model " + format);
    }
  }

  private static Class<?> raw(Type t) {
    return t instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) t;
  }

  private static Type arg(Type t, int i) {
    return ((ParameterizedType) t).getActualTypeArguments()[i];
  }
}
