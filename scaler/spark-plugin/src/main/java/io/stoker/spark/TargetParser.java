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
   * A valid target is a positive decimal integer (surrounding blanks allowed) not above {@code
   * max}. {@code null} (annotation absent) is neither accepted nor rejected.
   */
  static Result parse(String raw, int max) {
    if (raw == null) {
      return Result.absent();
    }
    String s = raw.strip();
    if (s.isEmpty() || s.length() > 10 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return Result.rejected("not a positive integer: '" + abbreviate(raw) + "'");
    }
    long n = Long.parseLong(s);
    if (n < 1) {
      return Result.rejected("not a positive integer: '" + abbreviate(raw) + "'");
    }
    if (n > max) {
      return Result.rejected(n + " is above the configured maximum " + max);
    }
    return Result.accepted((int) n);
  }

  private static String abbreviate(String raw) {
    return raw.length() <= 40 ? raw : raw.substring(0, 40) + "...";
  }
}
