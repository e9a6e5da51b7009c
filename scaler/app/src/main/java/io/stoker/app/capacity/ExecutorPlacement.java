package io.stoker.app.capacity;

/**
 * Where an autoscaler's live executor pods are, as the capacity step sees them.
 *
 * @param placed executors bound to a node (running, or pending on a node)
 * @param unplaced executors pending without a node
 * @param unschedulable of the unplaced, those the scheduler said it cannot place ({@code
 *     PodScheduled=False, Unschedulable})
 */
public record ExecutorPlacement(int placed, int unplaced, int unschedulable) {
  public ExecutorPlacement {
    if (placed < 0 || unplaced < 0 || unschedulable < 0 || unschedulable > unplaced) {
      throw new IllegalArgumentException(
          "placement counts must be >= 0 and unschedulable <= unplaced, got placed="
              + placed
              + " unplaced="
              + unplaced
              + " unschedulable="
              + unschedulable);
    }
  }
}
