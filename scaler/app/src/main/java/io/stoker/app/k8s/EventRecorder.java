package io.stoker.app.k8s;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.stoker.app.controller.ports.EventSink;
import io.stoker.app.k8s.model.ExecutorAutoscaler;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Records core/v1 Events on an autoscaler (the Flink autoscaler's {@code ScalingEventSink} role).
 */
public final class EventRecorder implements EventSink {
  public static final String COMPONENT = "stoker";

  private final KubernetesClient client;
  private final WriteGuard guard;
  private final Executor blocking;
  private final Clock clock;
  private final String host;

  public EventRecorder(
      KubernetesClient client, WriteGuard guard, Executor blocking, Clock clock, String host) {
    this.client = client;
    this.guard = guard;
    this.blocking = blocking;
    this.clock = clock;
    this.host = host;
  }

  @Override
  public CompletableFuture<Void> record(
      ExecutorAutoscaler on, Type type, String reason, String message) {
    String ns = on.getMetadata().getNamespace();
    String key = ns + "/" + on.getMetadata().getName();
    String now = Instant.now(clock).toString();
    Event event =
        new EventBuilder()
            .withNewMetadata()
            .withNamespace(ns)
            .withName(
                on.getMetadata().getName()
                    + "."
                    + UUID.randomUUID()
                        .toString()
                        .replace("-", "")
                        .substring(0, 16)
                        .toLowerCase(Locale.ROOT))
            .endMetadata()
            .withInvolvedObject(
                new ObjectReferenceBuilder()
                    .withApiVersion(ExecutorAutoscaler.API_VERSION)
                    .withKind(ExecutorAutoscaler.KIND)
                    .withNamespace(ns)
                    .withName(on.getMetadata().getName())
                    .withUid(on.getMetadata().getUid())
                    .withResourceVersion(on.getMetadata().getResourceVersion())
                    .build())
            .withType(type.name())
            .withReason(reason)
            .withMessage(message)
            .withFirstTimestamp(now)
            .withLastTimestamp(now)
            .withCount(1)
            .withNewSource()
            .withComponent(COMPONENT)
            .withHost(host)
            .endSource()
            .withReportingComponent(COMPONENT)
            .withReportingInstance(host)
            .build();
    return CompletableFuture.runAsync(
        () ->
            guard.write(
                key, "event", () -> client.v1().events().inNamespace(ns).resource(event).create()),
        blocking);
  }
}
