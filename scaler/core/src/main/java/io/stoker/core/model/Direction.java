package io.stoker.core.model;

/** Which way a decision moves the executor target. */
public enum Direction {
  UP,
  DOWN,
  HOLD;

  /** The direction of a change from {@code from} to {@code to}. */
  public static Direction of(int from, int to) {
    if (to > from) {
      return UP;
    }
    return to < from ? DOWN : HOLD;
  }
}
