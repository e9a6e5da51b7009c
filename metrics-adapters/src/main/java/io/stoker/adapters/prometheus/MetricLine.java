package io.stoker.adapters.prometheus;

/**
 * A read-only view of the sample line being parsed. It is only valid inside {@link
 * SampleHandler#sample(MetricLine)}: the parser reuses it for the next line. Methods that return
 * {@code String} allocate; the {@code name*} predicates do not.
 */
public interface MetricLine {
  /** 1-based line number in the input. */
  int lineNumber();

  /** The metric name (allocates). */
  String name();

  int nameLength();

  boolean nameEquals(String s);

  boolean nameStartsWith(String prefix);

  boolean nameEndsWith(String suffix);

  /** Index of {@code s} in the name at or after {@code from}, or -1. */
  int nameIndexOf(String s, int from);

  /** The part of the name in {@code [begin, end)} (allocates). */
  String nameSubstring(int begin, int end);

  int labelCount();

  String labelName(int i);

  /** The unescaped label value (allocates). */
  String labelValue(int i);

  /** The unescaped value of the label named {@code name}, or null. */
  String label(String name);

  double value();

  boolean hasTimestamp();

  /** The timestamp as written: milliseconds in format 0.0.4, seconds in OpenMetrics. */
  double timestamp();
}
