package io.stoker.adapters.spi;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Helpers that enforce the adapter deadline contract on any future. */
public final class Deadlines {
  private Deadlines() {}

  /**
   * Returns a future that completes like {@code future}, or with an {@link AdapterException} of
   * kind TIMEOUT after {@code timeout}; any other failure is mapped to an AdapterException.
   */
  public static <T> CompletableFuture<T> within(
      CompletableFuture<T> future, Duration timeout, String what) {
    CompletableFuture<T> result = new CompletableFuture<>();
    future
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete(
            (v, e) -> {
              if (e == null) {
                result.complete(v);
              } else {
                result.completeExceptionally(toAdapterException(e, timeout, what));
              }
            });
    return result;
  }

  /** Maps any failure to an AdapterException, keeping an existing one as it is. */
  public static AdapterException toAdapterException(Throwable e, Duration timeout, String what) {
    Throwable t = unwrap(e);
    if (t instanceof AdapterException ae) {
      return ae;
    }
    if (t instanceof TimeoutException) {
      return new AdapterException(
          AdapterException.Kind.TIMEOUT, what + ": no answer within " + timeout.toMillis() + " ms");
    }
    return new AdapterException(
        AdapterException.Kind.UNREACHABLE,
        what + ": " + t.getClass().getSimpleName() + safeMessage(t));
  }

  /** Strips CompletionException and ExecutionException wrappers. */
  public static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static String safeMessage(Throwable t) {
    String m = t.getMessage();
    return m == null ? "" : ": " + Redaction.redact(m);
  }
}
