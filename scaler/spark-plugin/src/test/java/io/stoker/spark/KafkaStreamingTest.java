package io.stoker.spark;

import static io.stoker.spark.SparkTestSupport.pluginGauge;
import static io.stoker.spark.SparkTestSupport.scrape;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stoker.kafka.broker.KafkaBroker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.SourceProgress;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A Structured Streaming query reading a real (in-JVM, KRaft) Kafka broker, rate-limited so a
 * backlog builds: the plugin's offsets-behind-latest gauges follow the backlog the test creates,
 * and the committer makes the consumer group's committed offsets show the query's progress.
 */
class KafkaStreamingTest {

  private static final String NS = "stokerkafka";
  private static final String TOPIC = "orders";
  private static final String GROUP = "stoker-orders";
  private static final String QUERY = "orders_query";
  private static final int PARTITIONS = 3;

  private static KafkaBroker broker;
  private static Admin admin;
  private static KafkaProducer<String, String> producer;
  private static SparkSession spark;
  private static StreamingQuery query;
  private static Path checkpoint;
  private static String ui;
  private static long produced;

  @BeforeAll
  static void start() throws Exception {
    broker = KafkaBroker.start();
    Properties ap = new Properties();
    ap.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
    admin = Admin.create(ap);
    admin
        .createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1)))
        .all()
        .get(30, TimeUnit.SECONDS);
    Properties pp = new Properties();
    pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
    pp.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    producer = new KafkaProducer<>(pp, new StringSerializer(), new StringSerializer());
    produce(3000);

    checkpoint = Files.createTempDirectory("stoker-checkpoint");
    spark =
        SparkSession.builder()
            .config(
                SparkTestSupport.conf("local[2]", NS)
                    .set("spark.stoker.kafka.commitGroup", GROUP)
                    .set("spark.stoker.kafka.bootstrapServers", broker.bootstrap()))
            .getOrCreate();
    ui = spark.sparkContext().uiWebUrl().get();
    query =
        spark
            .readStream()
            .format("kafka")
            .option("kafka.bootstrap.servers", broker.bootstrap())
            .option("subscribe", TOPIC)
            .option("startingOffsets", "earliest")
            .option("maxOffsetsPerTrigger", "150")
            .load()
            .writeStream()
            .queryName(QUERY)
            .format("noop")
            .option("checkpointLocation", checkpoint.toString())
            .trigger(Trigger.ProcessingTime("250 milliseconds"))
            .start();
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (query != null) {
        query.stop();
      }
      if (spark != null) {
        spark.stop();
      }
    } finally {
      try {
        if (producer != null) {
          producer.close();
        }
        if (admin != null) {
          admin.close();
        }
      } finally {
        if (broker != null) {
          broker.close();
        }
        if (checkpoint != null) {
          deleteTree(checkpoint);
        }
      }
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }

  private static void produce(int n) throws ExecutionException, InterruptedException {
    for (int i = 0; i < n; i++) {
      producer.send(new ProducerRecord<>(TOPIC, i % PARTITIONS, "k" + i, "v" + i));
    }
    producer.flush();
    produced += n;
  }

  private static Double g(Map<String, Double> m, String gauge) {
    return m.get(pluginGauge(NS, "streaming." + QUERY + "." + gauge));
  }

  private static long committedTotal() throws Exception {
    Map<TopicPartition, OffsetAndMetadata> c =
        admin
            .listConsumerGroupOffsets(GROUP)
            .partitionsToOffsetAndMetadata()
            .get(30, TimeUnit.SECONDS);
    return c.values().stream().filter(o -> o != null).mapToLong(OffsetAndMetadata::offset).sum();
  }

  private static Map<TopicPartition, Long> latestOffsets() throws Exception {
    Map<TopicPartition, OffsetSpec> req =
        IntStream.range(0, PARTITIONS)
            .boxed()
            .collect(Collectors.toMap(p -> new TopicPartition(TOPIC, p), p -> OffsetSpec.latest()));
    return admin.listOffsets(req).all().get(30, TimeUnit.SECONDS).entrySet().stream()
        .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
  }

  /** Σ end offsets of the Kafka source in the query's progress for {@code batchId}. */
  private static Optional<Long> consumedAfterBatch(long batchId) {
    return Arrays.stream(query.recentProgress())
        .filter(p -> p.batchId() == batchId)
        .findFirst()
        .map(StreamingQueryProgress::sources)
        .map(s -> s[0])
        .map(SourceProgress::endOffset)
        .flatMap(KafkaOffsets::parse)
        .map(m -> m.values().stream().mapToLong(Long::longValue).sum());
  }

  /**
   * Waits for a scrape that shows a backlog, and checks it against the real batch it describes: sum
   * = produced − Σ end offsets of that batch (nothing is produced meanwhile).
   */
  private static void awaitBacklogMatchingARealBatch() {
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              Map<String, Double> m = scrape(ui);
              Double sum = g(m, "offsetsBehindLatestSum");
              Double max = g(m, "offsetsBehindLatestMax");
              Double batch = g(m, "batchId");
              if (sum == null || sum <= 0 || batch == null) {
                return false;
              }
              Optional<Long> consumed = consumedAfterBatch(batch.longValue());
              return consumed.isPresent()
                  && sum == (double) (produced - consumed.get())
                  && max >= sum / PARTITIONS
                  && max <= sum;
            });
  }

  private static void awaitDrainedAndCommitted() throws Exception {
    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> Double.valueOf(0).equals(g(scrape(ui), "offsetsBehindLatestSum")));
    await().atMost(Duration.ofSeconds(30)).until(() -> committedTotal() == produced);
    Map<TopicPartition, OffsetAndMetadata> committed =
        admin
            .listConsumerGroupOffsets(GROUP)
            .partitionsToOffsetAndMetadata()
            .get(30, TimeUnit.SECONDS);
    Map<TopicPartition, Long> latest = latestOffsets();
    assertThat(committed).hasSize(PARTITIONS);
    committed.forEach(
        (tp, o) -> {
          assertThat(o.offset()).as("%s", tp).isEqualTo(latest.get(tp));
          assertThat(o.metadata()).isEqualTo("stoker:" + QUERY);
        });
  }

  @Test
  void offsetsBehindLatestTrackTheBacklogAndTheCommitterShowsProgress() throws Exception {
    // Backlog 1: 3000 records, drained at 150 per batch.
    awaitBacklogMatchingARealBatch();
    long committedMidway = committedTotal();
    assertThat(committedMidway).isBetween(0L, produced);
    awaitDrainedAndCommitted();
    assertThat(g(scrape(ui), "offsetsBehindLatestMax")).isEqualTo(0.0);

    // Backlog 2: the gauges rise again and fall back; the group follows.
    produce(1500);
    awaitBacklogMatchingARealBatch();
    awaitDrainedAndCommitted();
    assertThat(committedTotal()).isEqualTo(4500L);

    Map<String, Double> m = scrape(ui);
    assertThat(m.get(pluginGauge(NS, "kafkaCommitErrors"))).isEqualTo(0.0);
    // Commits may be coalesced when batches outpace them; the group's offsets above are the proof.
    assertThat(m.get(pluginGauge(NS, "kafkaCommits"))).isGreaterThanOrEqualTo(2.0);
    assertThat(query.exception().isEmpty()).isTrue();
  }

  @Test
  void withoutAPodNameThereIsNoTargetChannelAndNothingBreaks() throws Exception {
    Map<String, Double> m = scrape(ui);
    assertThat(m.get(pluginGauge(NS, "kubernetesWatchConnected"))).isEqualTo(0.0);
    assertThat(m.get(pluginGauge(NS, "requestedTargetExecutors"))).isEqualTo(-1.0);
    assertThat(query.isActive()).isTrue();
  }
}
