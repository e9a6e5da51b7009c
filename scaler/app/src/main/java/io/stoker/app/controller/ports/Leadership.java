package io.stoker.app.controller.ports;

/**
 * Whether this replica's decisions for an autoscaler act: only the leader writes, and only in the
 * leadership term a reconcile began in.
 */
public interface Leadership {

  /** Marks the start of a reconcile of {@code key}: its writes belong to the term current now. */
  void begin(String key);

  /** True when the reconcile of {@code key} began while this replica led. */
  boolean acting(String key);

  /** Releases what is held for a deleted autoscaler. */
  void forget(String key);
}
