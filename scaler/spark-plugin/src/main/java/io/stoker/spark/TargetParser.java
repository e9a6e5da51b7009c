package io.stoker.spark;

import java.util.OptionalInt;

/** Validates the value of the target annotation. */
final class TargetParser {

  private TargetParser() {}

  /** The outcome of parsing one annotation value. */
  record Result(OptionalInt target, String rejection) {
    static Result accepted(int n) {
      return new Result(OptionalInt.of(n), null);
    }

    static Result rejected(String why) {
      return new Result(OptionalInt.empty(), why);
    }

    static Result absent() {
      return new Result(OptionalInt.empty(), null);
    }

    boolean isRejected() {
      return rejection != null;
    }
  }

  /**
   * A valid target is a non-negative decimal integer (surrounding blanks allowed) not above {@code
   * max}. {@code null} (annotation absent) is neither accepted nor rejected. Zero is a target like
   * any other: Spark's cluster managers accept a total of 0 executors (dynamic allocation's default
   * {@code minExecutors} is 0), and the controller asks for it when an autoscaler's {@code
   * minExecutors} is 0 and nothing arrives; the executors come back when records do.
   */
  static Result parse(String raw, int max) {
    if (raw == null) {
      return Result.absent();
    }
    String s = raw.strip();
    if (s.isEmpty() || s.length() > 10 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return Result.rejected("not a non-negative integer: '" + abbreviate(raw) + "'");
    }
    long n = Long.parseLong(s);
    if (n > max) {
      return Result.rejected(n + " is above the configured maximum " + max);
    }
    return Result.accepted((int) n);
  }

  private static String abbreviate(String raw) {
    return raw.length() <= 40 ? raw : raw.substring(0, 40) + "...";
  }
}
