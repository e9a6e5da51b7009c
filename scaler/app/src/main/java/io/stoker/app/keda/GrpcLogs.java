package io.stoker.app.keda;

import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.slf4j.LoggerFactory;

/**
 * grpc-java reports a request it cannot deserialize (a malformed protobuf, for instance) through
 * java.util.logging: a SEVERE record with the whole stack trace, printed as many plain-text lines
 * on stderr, which breaks the JSON logs (one object per line) and lets any caller flood them. The
 * {@code io.grpc} loggers are routed here: a warning or worse is written as one SLF4J line, without
 * the stack trace; the rest is dropped.
 */
final class GrpcLogs {
  /**
   * grpc-java's loggers (its executors log a failed call, its Netty transport a refused message);
   * held here so that the settings stay.
   */
  private static final List<Logger> ROUTED = List.of(Logger.getLogger("io.grpc"));

  private static final org.slf4j.Logger LOG = LoggerFactory.getLogger(ScalerServer.class);

  private GrpcLogs() {}

  /** Idempotent. */
  static synchronized void route() {
    for (Logger l : ROUTED) {
      if (l.getUseParentHandlers()) {
        l.setUseParentHandlers(false);
        l.addHandler(new OneLine());
      }
    }
  }

  /** The record's cause on one line: the request was refused, the stack says nothing more. */
  static String summary(LogRecord r) {
    Throwable t = r.getThrown();
    String s = t == null ? String.valueOf(r.getMessage()) : t.toString();
    return s.replaceAll("\\s+", " ");
  }

  private static final class OneLine extends Handler {
    @Override
    public void publish(LogRecord r) {
      if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
        LOG.atWarn()
            .addKeyValue("error", summary(r))
            .addKeyValue("logger", r.getLoggerName())
            .log(
                "gRPC request refused by grpc-java (malformed or too large?); the caller got an error");
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }
}
