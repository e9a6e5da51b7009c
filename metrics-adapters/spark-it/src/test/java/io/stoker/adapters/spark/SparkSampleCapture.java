package io.stoker.adapters.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.awaitility.Awaitility;
import scala.Tuple2;

/**
 * Captures the Spark samples that metrics-adapters' tests, the scaler's tests and the benchmarks
 * read ({@code metrics-adapters/src/test/resources/spark-samples/}) from real Spark drivers started
 * here, and writes their README. Not a test: run it with
 *
 * <pre>{@value #COMMAND}</pre>
 *
 * <p>Two drivers, one after the other, each with {@link LiveSparkDriver#SETTINGS}
 * (PrometheusServlet, streaming metrics, loopback only) and the rate-source query {@code rate-q}:
 * once the query has reported a batch, a batch job of {@value #TASKS} tasks that wait at a gate
 * fills every task slot, so that stages are active with pending tasks; once the driver shows that,
 * its endpoints are read.
 *
 * <ol>
 *   <li>Local mode ({@value #LOCAL}): the driver's {@code /metrics/prometheus/} and {@code
 *       /metrics/executors/prometheus}.
 *   <li>{@value #CLUSTER} (two standalone workers in this JVM, each launching executor JVMs of one
 *       core) with dynamic allocation ({@link #DYNAMIC_ALLOCATION}): the same two endpoints and the
 *       REST API's executors and active stages, read once, in addition, executors hold cached
 *       blocks and shuffle output ({@link #cacheAndShuffle}) and the allocation manager asks for
 *       more executors than the workers can run. The executors are separate processes: they run
 *       with this JVM's class path ({@code spark.executor.extraClassPath}) and need {@code
 *       SPARK_HOME} to be a directory with a {@code jars} folder (created here, empty: Spark's jars
 *       are on that class path) where the workers keep their work directories; the Maven profile
 *       sets it to {@code target/spark-home}.
 * </ol>
 */
public final class SparkSampleCapture {
  static final String COMMAND =
      "./mvnw -pl metrics-adapters/spark-it -am -Pcapture-samples -DskipTests verify";

  /** Where the samples are kept, from this module's directory (where Maven runs tests and exec). */
  static final Path SAMPLES = Path.of("..", "src", "test", "resources", "spark-samples");

  static final String LOCAL = "local[2]";
  static final String CLUSTER = "local-cluster[2,1,1024]";
  static final int SLOTS = 2;
  static final int TASKS = 8;
  static final int CACHED_PARTITIONS = 4;
  static final Map<String, String> DYNAMIC_ALLOCATION = dynamicAllocation();
  private static final Duration START = Duration.ofMinutes(3);

  private SparkSampleCapture() {}

  private static Map<String, String> dynamicAllocation() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("spark.dynamicAllocation.enabled", "true");
    // no external shuffle service in local-cluster mode: executors keep their shuffle files
    m.put("spark.dynamicAllocation.shuffleTracking.enabled", "true");
    m.put("spark.dynamicAllocation.minExecutors", "0");
    m.put("spark.dynamicAllocation.initialExecutors", "1");
    // more than the two workers can run: the allocation manager's target exceeds what it gets
    m.put("spark.dynamicAllocation.maxExecutors", "4");
    m.put("spark.executor.cores", "1");
    return java.util.Collections.unmodifiableMap(m);
  }

  static String driverLocal(String version) {
    return "driver-local-" + version + ".txt";
  }

  static String driverCluster(String version) {
    return "driver-localcluster-dynalloc-" + version + ".txt";
  }

  static String executorsLocal(String version) {
    return "executors-local-" + version + ".txt";
  }

  static String executorsCluster(String version) {
    return "executors-localcluster-" + version + ".txt";
  }

  static final String API_EXECUTORS = "api-executors.json";
  static final String API_STAGES = "api-stages-active.json";

  public static void main(String[] args) {
    int status = 1;
    try {
      capture(args.length > 0 ? Path.of(args[0]) : SAMPLES);
      status = 0;
    } catch (Exception | AssertionError e) {
      e.printStackTrace();
    } finally {
      // executor JVMs the workers launched and did not stop (after a failure)
      ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
      System.out.flush();
      System.err.flush();
      // Spark leaves non-daemon threads behind; the files are written and closed
      Runtime.getRuntime().halt(status);
    }
  }

  private static void capture(Path out) throws Exception {
    String home = System.getenv("SPARK_HOME");
    if (home == null || home.isBlank()) {
      throw new IllegalStateException(
          "SPARK_HOME is not set: run the capture with "
              + COMMAND
              + " (it sets target/spark-home)");
    }
    Files.createDirectories(Path.of(home, "jars"));
    Files.createDirectories(out);
    ZonedDateTime at = ZonedDateTime.now(ZoneOffset.UTC);

    String localId;
    String version;
    try (LiveSparkDriver d = new LiveSparkDriver(LOCAL, Map.of())) {
      version = d.spark.version();
      localId = d.appId();
      busy(d);
      write(out, driverLocal(version), d.get("/metrics/prometheus/"));
      write(out, executorsLocal(version), d.get("/metrics/executors/prometheus"));
    }

    Map<String, String> cluster = new LinkedHashMap<>(DYNAMIC_ALLOCATION);
    cluster.put("spark.executor.extraClassPath", System.getProperty("java.class.path"));
    String clusterId;
    try (LiveSparkDriver d = new LiveSparkDriver(CLUSTER, cluster)) {
      clusterId = d.appId();
      d.awaitStreaming(START);
      // kept referenced until the capture: Spark's cleaner would drop the blocks of a lost RDD
      JavaRDD<Integer> cached = cacheAndShuffle(d);
      d.startBlockingJob(TASKS);
      d.awaitBlocked(SLOTS, TASKS - SLOTS, START);
      // the allocation manager has seen the backlog and asks for all it may
      Awaitility.await("dynamic allocation at its maximum")
          .atMost(START)
          .pollInterval(Duration.ofMillis(300))
          .untilAsserted(
              () -> {
                SparkSnapshot.AllocationManager m =
                    SparkMetricsReader.readDriver(
                            d.get("/metrics/prometheus/").getBytes(StandardCharsets.UTF_8), null)
                        .allocationManager()
                        .orElseThrow();
                assertThat(m.numberTargetExecutors())
                    .isEqualTo(
                        Long.parseLong(
                            DYNAMIC_ALLOCATION.get("spark.dynamicAllocation.maxExecutors")));
                assertThat(m.numberAllExecutors()).isEqualTo(SLOTS);
              });
      write(out, driverCluster(version), d.get("/metrics/prometheus/"));
      write(out, executorsCluster(version), d.get("/metrics/executors/prometheus"));
      String api = "/api/v1/applications/" + clusterId;
      write(out, API_EXECUTORS, d.get(api + "/executors"));
      write(out, API_STAGES, d.get(api + "/stages?status=active"));
      cached.unpersist(false);
    }
    write(out, "README.md", readme(version, at, localId, clusterId));
  }

  /** The query has run a batch; then the blocking job fills every slot and leaves tasks pending. */
  private static void busy(LiveSparkDriver d) {
    d.awaitStreaming(START);
    d.startBlockingJob(TASKS);
    d.awaitBlocked(SLOTS, TASKS - SLOTS, START);
  }

  /**
   * A cached RDD ({@value #CACHED_PARTITIONS} partitions, on disk) and a shuffle of it, so that the
   * executors hold cached blocks and have written shuffle output, as executors of a real
   * application do; waits until the executors endpoint shows both.
   */
  private static JavaRDD<Integer> cacheAndShuffle(LiveSparkDriver d) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(d.spark.sparkContext());
    List<Integer> data = IntStream.range(0, 10_000).boxed().toList();
    JavaRDD<Integer> cached =
        jsc.parallelize(data, CACHED_PARTITIONS).persist(StorageLevel.DISK_ONLY());
    cached.count();
    cached.mapToPair(x -> new Tuple2<>(x % 16, 1L)).reduceByKey(Long::sum).count();
    Awaitility.await("cached blocks and shuffle output in the executors endpoint")
        .atMost(START)
        .pollInterval(Duration.ofMillis(300))
        .untilAsserted(
            () -> {
              Map<String, SparkExecutorStates.ExecutorState> states =
                  SparkExecutorStates.parse(
                      d.get(SparkExecutorStates.PATH).getBytes(StandardCharsets.UTF_8));
              assertThat(states.values().stream().mapToLong(e -> e.rddBlocks()).sum())
                  .isEqualTo(CACHED_PARTITIONS);
              assertThat(states.values().stream().mapToLong(e -> e.diskUsedBytes()).sum())
                  .isPositive();
              assertThat(states.values().stream().mapToLong(e -> e.shuffleWriteBytes()).sum())
                  .isPositive();
            });
    return cached;
  }

  private static void write(Path dir, String name, String body) throws IOException {
    Files.writeString(dir.resolve(name), body, StandardCharsets.UTF_8);
    System.out.println("captured " + dir.resolve(name).normalize());
  }

  private static String readme(String version, ZonedDateTime at, String localId, String clusterId) {
    StringBuilder b = new StringBuilder();
    b.append("# Spark driver samples\n\n");
    b.append("What a real Apache Spark ")
        .append(version)
        .append(" driver answers on the endpoints the Spark adapter reads, captured on ")
        .append(at.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")))
        .append(" (Java ")
        .append(System.getProperty("java.version"))
        .append(") by `SparkSampleCapture` in `metrics-adapters/spark-it`, which also wrote this")
        .append(" file. Do not edit them by hand; regenerate them all with\n\n");
    b.append("```\n").append(COMMAND).append("\n```\n\n");
    b.append("| File | Endpoint | Driver |\n|---|---|---|\n");
    row(b, driverLocal(version), "`/metrics/prometheus/` (PrometheusServlet)", "local, " + localId);
    row(b, executorsLocal(version), "`/metrics/executors/prometheus`", "local, " + localId);
    row(
        b,
        driverCluster(version),
        "`/metrics/prometheus/` (PrometheusServlet)",
        "local-cluster, dynamic allocation, " + clusterId);
    row(
        b,
        executorsCluster(version),
        "`/metrics/executors/prometheus`",
        "local-cluster, dynamic allocation, " + clusterId);
    row(
        b,
        API_EXECUTORS,
        "`/api/v1/applications/<id>/executors`",
        "local-cluster, dynamic allocation, " + clusterId);
    row(
        b,
        API_STAGES,
        "`/api/v1/applications/<id>/stages?status=active`",
        "local-cluster, dynamic allocation, " + clusterId);
    b.append("\n## How they were made\n\n");
    b.append("Two drivers, one after the other, in the capture's JVM, on loopback only. Both run")
        .append(" with these settings (no `spark.metrics.namespace`: the application id is in")
        .append(" every driver metric name):\n\n");
    LiveSparkDriver.SETTINGS.forEach(
        (k, v) -> b.append("- `").append(k).append('=').append(v).append("`\n"));
    b.append("\nand a Structured Streaming query `rate-q` (rate source, 200 rows/s, `noop` sink,")
        .append(" 300 ms processing-time trigger). Once the query has reported a batch with input")
        .append(" and processing rates, a batch job of ")
        .append(TASKS)
        .append(" tasks that wait at a gate fills all ")
        .append(SLOTS)
        .append(" task slots; the endpoints are read once the REST API shows ")
        .append(SLOTS)
        .append(" running and at least ")
        .append(TASKS - SLOTS)
        .append(" pending tasks, and the executors endpoint ")
        .append(SLOTS)
        .append(" active tasks.\n\n");
    b.append("1. Local mode: master `").append(LOCAL).append("`.\n");
    b.append("2. Master `")
        .append(CLUSTER)
        .append("` (two standalone workers of one core and 1024 MiB in the driver's JVM; each")
        .append(" executor is a JVM of its own, with the capture's class path as")
        .append(" `spark.executor.extraClassPath`), with:\n\n");
    DYNAMIC_ALLOCATION.forEach(
        (k, v) -> b.append("   - `").append(k).append('=').append(v).append("`\n"));
    b.append("\n   Before the blocking job, once the query has reported a batch, a batch job")
        .append(" caches an RDD of ")
        .append(CACHED_PARTITIONS)
        .append(" partitions on disk and shuffles it, so that executors hold cached blocks")
        .append(" and have written shuffle output (the RDD stays cached until the end). The")
        .append(" endpoints are read once, in addition, the executors endpoint shows the ")
        .append(CACHED_PARTITIONS)
        .append(" blocks and the shuffle output, and the allocation manager targets ")
        .append(DYNAMIC_ALLOCATION.get("spark.dynamicAllocation.maxExecutors"))
        .append(" executors and knows of the ")
        .append(SLOTS)
        .append(" the workers run.\n\n");
    b.append("## Who reads them\n\n")
        .append(
            "- `SparkSamplesTest`, `SparkExecutorStatesTest` (metrics-adapters): the parser and")
        .append(" the Spark metrics reader on every file.\n")
        .append("- `AdapterSignalCollectorTest` (scaler/app, through metrics-adapters' test-jar):")
        .append(" a fake driver serving the local-cluster files.\n")
        .append("- `ParserBenchmark` (metrics-adapters, `-Pjmh`) and `ControllerScaleBench`")
        .append(" (scaler/app, `-Pscale-bench`).\n")
        .append("- `SparkSamplesFaithfulTest` (spark-it, every `./mvnw verify`): a live local-mode")
        .append(" driver of the Spark version on the class path still exposes every metric name of")
        .append(" the local samples, and that version is the samples' one.\n");
    return b.toString();
  }

  private static void row(StringBuilder b, String file, String endpoint, String driver) {
    b.append("| `")
        .append(file)
        .append("` | ")
        .append(endpoint)
        .append(" | ")
        .append(driver)
        .append(" |\n");
  }
}
