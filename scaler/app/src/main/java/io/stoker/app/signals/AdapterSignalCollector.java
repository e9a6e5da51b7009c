package io.stoker.app.signals;

import io.stoker.adapters.registry.AdapterRegistry;
import io.stoker.adapters.spi.AdapterContext;
import io.stoker.adapters.spi.AdapterException;
import io.stoker.adapters.spi.Deadlines;
import io.stoker.adapters.spi.Reading;
import io.stoker.adapters.spi.SignalAdapter;
import io.stoker.adapters.spi.SignalConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link SignalCollector} over the metrics-adapters registry: one adapter per configured signal and
 * autoscaler, built by the registry from the signal's typed config and re-created when the
 * configuration, driver host or secret changes (adapters keep rate memory between ticks, so they
 * live as long as their configuration). Every adapter answers with the SPI's {@link Reading}.
 */
public final class AdapterSignalCollector implements SignalCollector {
  private final AdapterContext context;
  private final Map<String, Opened> open = new ConcurrentHashMap<>();

  public AdapterSignalCollector(AdapterContext context) {
    this.context = Objects.requireNonNull(context);
  }

  private record Opened(
      int fingerprint, List<SignalAdapter<?>> adapters, Map<String, String> errors) {
    void close() {
      adapters.forEach(SignalAdapter::close);
    }
  }

  @Override
  public CompletableFuture<Signals> collect(SignalRequest request, Duration deadline) {
    Opened o = open.compute(request.key(), (k, old) -> reopenIfChanged(old, request));
    List<CompletableFuture<Outcome>> futures = new ArrayList<>();
    for (SignalAdapter<?> adapter : o.adapters()) {
      futures.add(
          Deadlines.within(adapter.read(deadline), deadline, adapter.type())
              .handle(
                  (r, e) ->
                      e == null ? new Outcome(r, null) : new Outcome(null, message(e, deadline))));
    }
    return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
        .thenApply(
            x -> {
              List<Reading> readings = new ArrayList<>();
              Map<String, String> errors = new LinkedHashMap<>(o.errors());
              for (int i = 0; i < futures.size(); i++) {
                Outcome r = futures.get(i).join();
                if (r.error() == null) {
                  readings.add(r.reading());
                } else {
                  errors.put(o.adapters().get(i).type(), r.error());
                }
              }
              return new Signals(readings, errors);
            });
  }

  /** One adapter's answer: its reading, or why there is none. */
  private record Outcome(Reading reading, String error) {}

  private Opened reopenIfChanged(Opened old, SignalRequest request) {
    int fingerprint =
        Objects.hash(request.signals(), request.driverHost(), request.secrets().hashCode());
    if (old != null && old.fingerprint() == fingerprint) {
      return old;
    }
    if (old != null) {
      old.close();
    }
    List<SignalAdapter<?>> adapters = new ArrayList<>();
    Map<String, String> errors = new LinkedHashMap<>();
    for (SignalConfig config : request.signals()) {
      SignalConfig c = config;
      if (c.needsDriverHost()) {
        if (request.driverHost().isEmpty()) {
          errors.put(c.type(), "the driver pod has no IP yet");
          continue;
        }
        c = c.withDriverHost(request.driverHost().get());
      }
      try {
        adapters.add(AdapterRegistry.create(c, request.secrets(), context));
      } catch (AdapterException ex) {
        errors.put(c.type(), ex.getMessage());
      }
    }
    return new Opened(fingerprint, adapters, errors);
  }

  private static String message(Throwable e, Duration deadline) {
    return Deadlines.toAdapterException(e, deadline, "signal").getMessage();
  }

  @Override
  public void forget(String key) {
    Opened o = open.remove(key);
    if (o != null) {
      o.close();
    }
  }

  @Override
  public void close() {
    open.values().forEach(Opened::close);
    open.clear();
    context.close();
  }
}
