package io.stoker.app.logging;

import org.slf4j.spi.LoggingEventBuilder;

/**
 * The key-value pairs every log line about one autoscaler carries, so that a log search (EFK) can
 * filter by {@code namespace} and {@code autoscaler} alike wherever the line comes from.
 */
public final class LogFields {
  private LogFields() {}

  /** Adds {@code namespace} and {@code autoscaler} from a {@code namespace/name} key. */
  public static LoggingEventBuilder autoscaler(LoggingEventBuilder log, String key) {
    int slash = key.indexOf('/');
    return slash < 0
        ? log.addKeyValue("autoscaler", key)
        : log.addKeyValue("namespace", key.substring(0, slash))
            .addKeyValue("autoscaler", key.substring(slash + 1));
  }
}
