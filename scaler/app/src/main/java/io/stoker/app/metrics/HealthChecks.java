package io.stoker.app.metrics;

import java.util.function.BooleanSupplier;

/**
 * What {@code /healthz} and {@code /readyz} answer.
 *
 * @param live the process works (its tick loop is not stuck)
 * @param ready caches are synced and the controller can reconcile
 */
public record HealthChecks(BooleanSupplier live, BooleanSupplier ready) {}
