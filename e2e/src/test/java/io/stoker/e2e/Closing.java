package io.stoker.e2e;

/**
 * Closes a test's fixtures in {@code @AfterAll}/{@code @AfterEach}, also after a failed start: in
 * the order given, each one even when an earlier one failed to close; a null (never started) is
 * skipped. The first failure is thrown with the later ones suppressed.
 */
final class Closing {
  private Closing() {}

  static void all(AutoCloseable... fixtures) throws Exception {
    Exception first = null;
    for (AutoCloseable f : fixtures) {
      if (f == null) {
        continue;
      }
      try {
        f.close();
      } catch (Exception e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
