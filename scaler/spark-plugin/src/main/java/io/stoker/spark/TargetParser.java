package io.stoker.spark;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;

/** Validates the values of the target annotation and of the preferred-executors annotation. */
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

  /** Most executor ids the preferred-executors annotation may list. */
  static final int MAX_PREFERRED = 256;

  /** Longest value of the preferred-executors annotation, in characters. */
  static final int MAX_PREFERRED_LENGTH = 4096;

  /** The outcome of parsing the preferred-executors annotation. */
  record Preferred(List<String> ids, String rejection) {
    static final Preferred NONE = new Preferred(List.of(), null);

    boolean isRejected() {
      return rejection != null;
    }
  }

  /**
   * A valid list is executor ids (decimal digits, at most 10 each, as Spark numbers executors on
   * Kubernetes) separated by commas, blanks around them allowed, at most {@link #MAX_PREFERRED} ids
   * and {@link #MAX_PREFERRED_LENGTH} characters; a repeated id counts once. {@code null} (absent)
   * and an empty value mean no preference. The length is checked before anything else is done.
   */
  static Preferred parsePreferred(String raw) {
    if (raw == null || raw.isBlank()) {
      return Preferred.NONE;
    }
    if (raw.length() > MAX_PREFERRED_LENGTH) {
      return new Preferred(
          List.of(),
          raw.length() + " characters, more than the " + MAX_PREFERRED_LENGTH + " allowed");
    }
    Set<String> ids = new LinkedHashSet<>();
    for (String part : raw.split(",", -1)) {
      String id = part.strip();
      if (id.isEmpty() || id.length() > 10 || !id.chars().allMatch(c -> c >= '0' && c <= '9')) {
        return new Preferred(
            List.of(), "not a comma-separated list of executor ids: '" + abbreviate(raw) + "'");
      }
      ids.add(id);
      if (ids.size() > MAX_PREFERRED) {
        return new Preferred(List.of(), "more than " + MAX_PREFERRED + " executor ids");
      }
    }
    return new Preferred(List.copyOf(new ArrayList<>(ids)), null);
  }

  private static String abbreviate(String raw) {
    return raw.length() <= 40 ? raw : raw.substring(0, 40) + "...";
  }
}
