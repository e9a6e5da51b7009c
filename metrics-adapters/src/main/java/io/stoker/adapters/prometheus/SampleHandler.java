package io.stoker.adapters.prometheus;

/** Receives each sample line of a parsed exposition, in input order. */
@FunctionalInterface
public interface SampleHandler {
  /** Called once per sample line; {@code line} is only valid during the call. */
  void sample(MetricLine line);

  /**
   * Whether the handler wants the sample named on {@code line}, asked before its labels and value
   * are parsed: only the name methods of {@code line} are valid during this call. A declined line
   * is skipped after its name (its labels and value are neither parsed nor checked), which saves
   * most of the work when a handler reads a few series of a large exposition. The default wants
   * every sample.
   */
  default boolean wants(MetricLine line) {
    return true;
  }

  /** Called for each {@code # TYPE name type} line; the default ignores it. */
  default void type(String metricName, String type) {}
}
