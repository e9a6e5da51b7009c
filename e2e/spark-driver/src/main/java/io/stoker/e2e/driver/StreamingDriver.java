package io.stoker.e2e.driver;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;

/**
 * A Structured Streaming application as a streaming team would run it: read a Kafka topic, do some
 * work per record, write the result. Every {@code spark.*} setting (master, the Stoker plugin, its
 * driver pod, the metrics servlet) comes from system properties, as spark-submit would pass them;
 * this class adds only the query:
 *
 * <ul>
 *   <li>{@code stoker.e2e.bootstrap}, {@code stoker.e2e.topic}: the Kafka source;
 *   <li>{@code stoker.e2e.checkpoint}: the checkpoint directory;
 *   <li>{@code stoker.e2e.recordCostMicros}: time one record takes on an executor (a parked thread,
 *       not a busy CPU: the e2e machine has two cores), so that throughput is set by the number of
 *       executors;
 *   <li>{@code stoker.e2e.maxOffsetsPerTrigger}: records per micro-batch;
 *   <li>{@code stoker.e2e.trigger}: the {@code ProcessingTime} trigger interval (default {@code 500
 *       milliseconds}).
 * </ul>
 *
 * <p>It prints {@code STOKER-DRIVER-READY <ui url> <application id>} on standard output once the
 * query runs, and stops (query, then SparkContext and its executors) when standard input closes.
 */
public final class StreamingDriver {
  public static final String READY = "STOKER-DRIVER-READY";

  private StreamingDriver() {}

  /** The work per record: waits {@code micros}, then passes the record on. */
  static final class Work implements MapFunction<String, String> {
    private static final long serialVersionUID = 1L;
    private final long micros;

    Work(long micros) {
      this.micros = micros;
    }

    @Override
    public String call(String value) {
      long until = System.nanoTime() + micros * 1000;
      for (long left = micros * 1000; left > 0; left = until - System.nanoTime()) {
        LockSupport.parkNanos(left);
      }
      return value;
    }
  }

  public static void main(String[] args) throws IOException, TimeoutException {
    SparkSession spark = SparkSession.builder().getOrCreate();
    StreamingQuery query =
        spark
            .readStream()
            .format("kafka")
            .option("kafka.bootstrap.servers", required("stoker.e2e.bootstrap"))
            .option("subscribe", required("stoker.e2e.topic"))
            .option("startingOffsets", "earliest")
            .option("maxOffsetsPerTrigger", System.getProperty("stoker.e2e.maxOffsetsPerTrigger"))
            .load()
            .selectExpr("CAST(value AS STRING) AS v")
            .as(Encoders.STRING())
            .map(new Work(Long.getLong("stoker.e2e.recordCostMicros", 1000)), Encoders.STRING())
            .writeStream()
            .queryName("clicks")
            .format("noop")
            .option("checkpointLocation", required("stoker.e2e.checkpoint"))
            .trigger(
                Trigger.ProcessingTime(
                    System.getProperty("stoker.e2e.trigger", "500 milliseconds")))
            .start();
    String ui = spark.sparkContext().uiWebUrl().get();
    System.out.println(READY + " " + ui + " " + spark.sparkContext().applicationId());
    System.out.flush();
    waitForEndOfInput(System.in);
    try {
      query.stop();
    } finally {
      spark.stop();
    }
    // Spark and Kafka client threads may linger; the parent waits for this process to end.
    Runtime.getRuntime().halt(0);
  }

  private static void waitForEndOfInput(InputStream in) throws IOException {
    byte[] buf = new byte[256];
    while (in.read(buf) >= 0) {
      String s = new String(buf, StandardCharsets.US_ASCII);
      if (s.contains("stop")) {
        return;
      }
    }
  }

  private static String required(String key) {
    String v = System.getProperty(key);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException("system property " + key + " is required");
    }
    return v;
  }
}
