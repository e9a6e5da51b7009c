package io.stoker.app.k8s.capacity;

/**
 * What the placeholder count is decided from, for one autoscaler at one tick.
 *
 * @param desiredExecutors the decided target
 * @param readyExecutors executor pods ready
 * @param pendingExecutors executor pods requested and not ready (scheduled or not)
 * @param unschedulableExecutors pending executor pods the scheduler could not place
 * @param headroomExecutors {@code spec.capacity.placeholders.headroomExecutors}
 * @param maxExecutors {@code spec.maxExecutors}
 */
public record PlaceholderDemand(
    int desiredExecutors,
    int readyExecutors,
    int pendingExecutors,
    int unschedulableExecutors,
    int headroomExecutors,
    int maxExecutors) {}
