package io.stoker.e2e.driver;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.DataStreamWriter;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag$;

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
 *   <li>{@code stoker.e2e.outputTopic} (optional): write one record per input record to this topic
 *       of the same broker, its value {@code <partition>:<offset>} of the input record, so a test
 *       can tell every record that went through; without it the result goes to Spark's {@code noop}
 *       sink.
 *   <li>{@code stoker.e2e.trigger}: the {@code ProcessingTime} trigger interval (default {@code 500
 *       milliseconds}).
 * </ul>
 *
 * <p>It prints {@code STOKER-DRIVER-READY <ui url> <application id>} on standard output once the
 * query runs, and stops (query, then SparkContext and its executors) on a line {@code stop} or when
 * standard input closes. A line {@code cache <host> <executor id>} caches a one-partition RDD on
 * that executor (the task prefers it, as a task reading a block there would) and prints {@code
 * STOKER-CACHED <rdd id>}, so that a test can see which executor holds cached data.
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
    String bootstrap = required("stoker.e2e.bootstrap");
    String outputTopic = System.getProperty("stoker.e2e.outputTopic");
    boolean kafkaOut = outputTopic != null && !outputTopic.isBlank();
    Dataset<String> records =
        spark
            .readStream()
            .format("kafka")
            .option("kafka.bootstrap.servers", bootstrap)
            .option("subscribe", required("stoker.e2e.topic"))
            .option("startingOffsets", "earliest")
            .option("maxOffsetsPerTrigger", System.getProperty("stoker.e2e.maxOffsetsPerTrigger"))
            .load()
            .selectExpr(
                kafkaOut
                    ? "concat(CAST(partition AS STRING), ':', CAST(offset AS STRING)) AS v"
                    : "CAST(value AS STRING) AS v")
            .as(Encoders.STRING())
            .map(new Work(Long.getLong("stoker.e2e.recordCostMicros", 1000)), Encoders.STRING());
    DataStreamWriter<Row> out = records.toDF("value").writeStream().queryName("clicks");
    if (kafkaOut) {
      out =
          out.format("kafka")
              .option("kafka.bootstrap.servers", bootstrap)
              .option("topic", outputTopic);
    } else {
      out = out.format("noop");
    }
    StreamingQuery query =
        out.option("checkpointLocation", required("stoker.e2e.checkpoint"))
            .trigger(
                Trigger.ProcessingTime(
                    System.getProperty("stoker.e2e.trigger", "500 milliseconds")))
            .start();
    String ui = spark.sparkContext().uiWebUrl().get();
    System.out.println(READY + " " + ui + " " + spark.sparkContext().applicationId());
    System.out.flush();
    commands(spark, System.in);
    try {
      query.stop();
    } finally {
      spark.stop();
    }
    // Spark and Kafka client threads may linger; the parent waits for this process to end.
    Runtime.getRuntime().halt(0);
  }

  /** Runs the commands of standard input until {@code stop} or its end. */
  private static void commands(SparkSession spark, InputStream in) throws IOException {
    BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
    for (String line = r.readLine(); line != null; line = r.readLine()) {
      String[] words = line.trim().split(" ");
      if (words[0].equals("stop")) {
        return;
      }
      if (words[0].equals("cache") && words.length == 3) {
        System.out.println("STOKER-CACHED " + cacheOn(spark, words[1], words[2]));
        System.out.flush();
      }
    }
  }

  /** Caches a one-partition RDD whose task prefers executor {@code id} on {@code host}. */
  @SuppressWarnings({"unchecked", "rawtypes"}) // Scala collections from Java
  private static int cacheOn(SparkSession spark, String host, String id) {
    // Spark's own location string for "this executor" (ExecutorCacheTaskLocation).
    Seq<String> where =
        CollectionConverters.asScala(List.of("executor_" + host + "_" + id)).toSeq();
    Seq data = CollectionConverters.asScala(List.of(new Tuple2<>("cached", where))).toSeq();
    RDD<String> rdd = spark.sparkContext().makeRDD(data, ClassTag$.MODULE$.apply(String.class));
    rdd.persist(StorageLevel.MEMORY_ONLY());
    rdd.count();
    return rdd.id();
  }

  private static String required(String key) {
    String v = System.getProperty(key);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException("system property " + key + " is required");
    }
    return v;
  }
}
