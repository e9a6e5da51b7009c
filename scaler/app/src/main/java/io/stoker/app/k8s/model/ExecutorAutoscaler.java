package io.stoker.app.k8s.model;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * The {@code ExecutorAutoscaler} custom resource ({@code stoker.io/v1alpha1}, short name {@code
 * eas}): one per Spark application. The CRD is {@code crds/executorautoscalers.stoker.io-v1.yml};
 * {@code CrdModelSyncTest} keeps it and these classes in agreement.
 */
@Group(ExecutorAutoscaler.GROUP)
@Version(ExecutorAutoscaler.VERSION)
@Kind("ExecutorAutoscaler")
@Plural("executorautoscalers")
@Singular("executorautoscaler")
@ShortNames("eas")
public class ExecutorAutoscaler
    extends CustomResource<ExecutorAutoscalerSpec, ExecutorAutoscalerStatus> implements Namespaced {
  public static final String GROUP = "stoker.io";
  public static final String VERSION = "v1alpha1";
  public static final String API_VERSION = GROUP + "/" + VERSION;
  public static final String KIND = "ExecutorAutoscaler";

  private static final long serialVersionUID = 1L;
}
