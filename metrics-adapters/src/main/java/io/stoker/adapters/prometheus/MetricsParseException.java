package io.stoker.adapters.prometheus;

import io.stoker.adapters.spi.AdapterException;

/** Malformed Prometheus or OpenMetrics text; carries the 1-based line and column. */
public final class MetricsParseException extends AdapterException {
  private static final long serialVersionUID = 1L;
  private final int line;
  private final int column;

  public MetricsParseException(int line, int column, String message) {
    super(Kind.MALFORMED, "line " + line + ", column " + column + ": " + message);
    this.line = line;
    this.column = column;
  }

  public int line() {
    return line;
  }

  public int column() {
    return column;
  }
}
