package io.stoker.adapters.spi;

/**
 * The one error type adapters return. Messages name the parameter, group, topic, URL or line
 * involved, and never contain a secret value.
 */
public class AdapterException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What went wrong, coarse enough for a caller to map to a status or condition. */
  public enum Kind {
    /** The configuration is invalid; the message names the parameter. */
    INVALID_CONFIG,
    /** The upstream could not be reached or the connection failed. */
    UNREACHABLE,
    /** The deadline passed before the upstream answered. */
    TIMEOUT,
    /** A named object (consumer group, topic, application) does not exist. */
    NOT_FOUND,
    /** The upstream answered with a non-2xx HTTP status. */
    BAD_STATUS,
    /** The upstream answered with something that cannot be parsed or is incomplete. */
    MALFORMED,
    /** The upstream answered, but with no value (for example an empty PromQL result). */
    EMPTY,
    /** The upstream refused the credentials. */
    AUTH
  }

  private final Kind kind;

  public AdapterException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public AdapterException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }

  @Override
  public String toString() {
    return "AdapterException[" + kind + "]: " + getMessage();
  }
}
