package io.stoker.adapters.prometheus;

/** Receives each sample line of a parsed exposition, in input order. */
@FunctionalInterface
public interface SampleHandler {
  /** Called once per sample line; {@code line} is only valid during the call. */
  void sample(MetricLine line);

  /** Called for each {@code # TYPE name type} line; the default ignores it. */
  default void type(String metricName, String type) {}
}
