package io.stoker.app.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stoker.adapters.kafka.KafkaLagConfig;
import io.stoker.adapters.promql.PromQueryConfig;
import io.stoker.adapters.spark.SparkDriverConfig;
import io.stoker.adapters.spi.SignalConfig;
import io.stoker.app.k8s.model.ExecutorAutoscalerSpec;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every malformed field is reported with its name; nothing else is guessed. */
class SpecParserTest {

  static ExecutorAutoscalerSpec valid() {
    ExecutorAutoscalerSpec s = new ExecutorAutoscalerSpec();
    s.target = new ExecutorAutoscalerSpec.Target();
    s.target.sparkApplication = "clickstream";
    s.signals = new ExecutorAutoscalerSpec.Signals();
    s.signals.kafka = new ExecutorAutoscalerSpec.KafkaSignal();
    s.signals.kafka.bootstrapServers = "kafka:9092";
    s.signals.kafka.consumerGroup = "clickstream";
    return s;
  }

  static Stream<Arguments> badSpecs() {
    return Stream.of(
        bad("no target", s -> s.target = null, "target is required"),
        bad(
            "two targets",
            s -> s.target.scaleTargetRef = new ExecutorAutoscalerSpec.ScaleTargetRef(),
            "target must set exactly one of"),
        bad(
            "min above max",
            s -> {
              s.minExecutors = 5;
              s.maxExecutors = 3;
            },
            "minExecutors (5) must be <= maxExecutors (3)"),
        bad(
            "latency not a duration",
            s -> {
              s.objective = new ExecutorAutoscalerSpec.Objective();
              s.objective.targetLatency = "a minute";
            },
            "objective.targetLatency"),
        bad(
            "utilization above one",
            s -> {
              s.objective = new ExecutorAutoscalerSpec.Objective();
              s.objective.targetUtilization = 1.5;
            },
            "objective.targetUtilization"),
        bad(
            "step percent zero",
            s -> {
              s.behavior = new ExecutorAutoscalerSpec.Behavior();
              s.behavior.scaleUp = new ExecutorAutoscalerSpec.StepBehavior();
              s.behavior.scaleUp.maxStepPercent = 0;
            },
            "behavior.scaleUp.maxStepPercent"),
        bad("no signals", s -> s.signals = null, "signals must configure"),
        bad("kafka without group", s -> s.signals.kafka.consumerGroup = null, "signals.kafka"),
        bad(
            "duplicate topic",
            s -> s.signals.kafka.topics = List.of("a", "a"),
            "signals.kafka.topics[1]: duplicate topic a"),
        bad(
            "comma in a topic",
            s -> s.signals.kafka.topics = List.of("a,b"),
            "signals.kafka.topics[0]: not a topic name"),
        bad(
            "Scale on a driver target",
            s -> s.actuation = ExecutorAutoscalerSpec.Actuation.Scale,
            "actuation Scale needs target.scaleTargetRef"),
        bad("zero cores", s -> s.executorCores = 0, "executorCores"),
        bad(
            "negative headroom",
            s -> placeholders(s).headroomExecutors = -1,
            "capacity.placeholders.headroomExecutors must be >= 0, got -1"),
        bad(
            "headroom above maxExecutors",
            s -> {
              s.maxExecutors = 10;
              placeholders(s).headroomExecutors = 11;
            },
            "capacity.placeholders.headroomExecutors must be <= maxExecutors (10), got 11"),
        bad(
            "empty priority class",
            s -> placeholders(s).priorityClassName = " ",
            "capacity.placeholders.priorityClassName must not be empty"),
        bad(
            "unknown provisioning class",
            s -> {
              s.capacity = new ExecutorAutoscalerSpec.Capacity();
              s.capacity.provisioningRequest = new ExecutorAutoscalerSpec.ProvisioningRequest();
              s.capacity.provisioningRequest.className = "queued-provisioning.gke.io";
            },
            "capacity.provisioningRequest.className must be check-capacity.autoscaling.x-k8s.io"
                + " or best-effort-atomic-scale-up.autoscaling.x-k8s.io"));
  }

  /** Numbers beyond {@link SpecLimits} (the CRD's bounds), refused naming the field. */
  static Stream<Arguments> outOfBounds() {
    return Stream.of(
        bad(
            "maxExecutors beyond any application",
            s -> s.maxExecutors = Integer.MAX_VALUE,
            "maxExecutors must be <= 10000, got 2147483647"),
        bad(
            "minExecutors beyond any application",
            s -> {
              s.minExecutors = 20_000;
              s.maxExecutors = 30_000;
            },
            "minExecutors must be <= 10000, got 20000"),
        bad("a core count no node has", s -> s.executorCores = 4096, "executorCores must be <="),
        bad(
            "a day-long scale-down window",
            s -> behavior(s).scaleDown.stabilizationWindow = "24h",
            "behavior.scaleDown.stabilizationWindow must be at most 1h, got 24h"),
        bad(
            "an overflowing scale-up window",
            s -> behavior(s).scaleUp.stabilizationWindow = "99999999999999999999h",
            "behavior.scaleUp.stabilizationWindow must be at most 1h"),
        bad(
            "a duration too long to read",
            s -> behavior(s).scaleUp.stabilizationWindow = "1".repeat(100_000) + "s",
            "behavior.scaleUp.stabilizationWindow: a duration of at most 32 characters"),
        bad(
            "a week of latency",
            s -> {
              s.objective = new ExecutorAutoscalerSpec.Objective();
              s.objective.targetLatency = "168h";
            },
            "objective.targetLatency must be at most 24h, got 168h"),
        bad(
            "step percent beyond reason",
            s -> behavior(s).scaleUp.maxStepPercent = 1_000_000,
            "behavior.scaleUp.maxStepPercent must be <= 10000"),
        bad(
            "step executors beyond maxExecutors' bound",
            s -> behavior(s).scaleDown.maxStepExecutors = 50_000,
            "behavior.scaleDown.maxStepExecutors must be <= 10000"),
        bad(
            "a thousand topics",
            s ->
                s.signals.kafka.topics =
                    java.util.stream.IntStream.range(0, 1000).mapToObj(i -> "t" + i).toList(),
            "signals.kafka.topics: at most 100 topics"),
        bad(
            "lag threshold beyond any log",
            s -> s.signals.kafka.lagThreshold = Long.MAX_VALUE,
            "signals.kafka.lagThreshold must be <= 1000000000000000"));
  }

  private static ExecutorAutoscalerSpec.Behavior behavior(ExecutorAutoscalerSpec s) {
    s.behavior = new ExecutorAutoscalerSpec.Behavior();
    s.behavior.scaleUp = new ExecutorAutoscalerSpec.StepBehavior();
    s.behavior.scaleDown = new ExecutorAutoscalerSpec.StepBehavior();
    return s.behavior;
  }

  @Test
  void theBoundsThemselvesAreValid() {
    ExecutorAutoscalerSpec s = valid();
    s.minExecutors = 0;
    s.maxExecutors = SpecLimits.EXECUTORS;
    s.executorCores = SpecLimits.EXECUTOR_CORES;
    behavior(s).scaleDown.stabilizationWindow = "1h";
    s.behavior.scaleUp.stabilizationWindow = "59m60s";
    s.behavior.scaleUp.maxStepPercent = SpecLimits.STEP_PERCENT;
    s.objective = new ExecutorAutoscalerSpec.Objective();
    s.objective.targetLatency = "24h";
    assertThat(SpecParser.parse(s).errors()).isEmpty();
  }

  private static ExecutorAutoscalerSpec.Placeholders placeholders(ExecutorAutoscalerSpec s) {
    s.capacity = new ExecutorAutoscalerSpec.Capacity();
    s.capacity.placeholders = new ExecutorAutoscalerSpec.Placeholders();
    s.capacity.placeholders.enabled = true;
    return s.capacity.placeholders;
  }

  @Test
  void capacityDefaultsAndValues() {
    ExecutorAutoscalerSpec s = valid();
    assertThat(SpecParser.parse(s).spec().orElseThrow().capacity())
        .isEqualTo(ParsedSpec.Capacity.NONE);
    placeholders(s).headroomExecutors = 3;
    s.capacity.protectShuffle = true;
    ParsedSpec.Capacity c = SpecParser.parse(s).spec().orElseThrow().capacity();
    assertThat(c.placeholders()).isTrue();
    assertThat(c.headroomExecutors()).isEqualTo(3);
    assertThat(c.priorityClassName()).isEqualTo("stoker-placeholder");
    assertThat(c.provisioningRequest()).isFalse();
    assertThat(c.provisioningClassName()).isEqualTo("check-capacity.autoscaling.x-k8s.io");
    assertThat(c.protectShuffle()).isTrue();
  }

  private static Arguments bad(String name, Consumer<ExecutorAutoscalerSpec> edit, String msg) {
    return Arguments.of(name, edit, msg);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource({"badSpecs", "outOfBounds", "badSignals"})
  void rejectsNamingTheField(String name, Consumer<ExecutorAutoscalerSpec> edit, String message) {
    ExecutorAutoscalerSpec s = valid();
    edit.accept(s);
    SpecParser.Result r = SpecParser.parse(s);
    assertThat(r.valid()).isFalse();
    assertThat(String.join("; ", r.errors())).contains(message);
  }

  @Test
  void validSpecMapsToTheCore() {
    ExecutorAutoscalerSpec s = valid();
    s.minExecutors = 2;
    s.maxExecutors = 30;
    s.behavior = new ExecutorAutoscalerSpec.Behavior();
    s.behavior.scaleDown = new ExecutorAutoscalerSpec.StepBehavior();
    s.behavior.scaleDown.stabilizationWindow = "5m";
    s.signals.kafka.topics = List.of("events");
    ParsedSpec p = SpecParser.parse(s).spec().orElseThrow();
    assertThat(p.options().minExecutors()).isEqualTo(2);
    assertThat(p.options().maxExecutors()).isEqualTo(30);
    assertThat(p.options().scaleDown().stabilizationWindow()).contains(Duration.ofMinutes(5));
    assertThat(p.actuation()).isEqualTo(ParsedSpec.Actuation.DRIVER_PLUGIN);
    assertThat(p.target()).isEqualTo(new ParsedSpec.Target.SparkApplication("clickstream"));
    KafkaLagConfig kafka = p.signal(KafkaLagConfig.class).orElseThrow();
    assertThat(kafka.topics()).containsExactly("events");
    assertThat(kafka.bootstrapServers()).isEqualTo("kafka:9092");
    assertThat(kafka.consumerGroup()).isEqualTo("clickstream");
    assertThat(kafka.lagThreshold()).as("KEDA's default").isEqualTo(10);
  }

  @Test
  void everySignalIsATypedConfigInTheOrderKafkaSparkPrometheus() {
    ExecutorAutoscalerSpec s = valid();
    s.signals.kafka.activationLagThreshold = 25L;
    s.signals.kafka.offsetResetPolicy = ExecutorAutoscalerSpec.OffsetResetPolicy.earliest;
    s.signals.spark = new ExecutorAutoscalerSpec.SparkSignal();
    s.signals.spark.port = 4041;
    s.signals.spark.metricsNamespace = "clicks";
    s.signals.prometheus = new ExecutorAutoscalerSpec.PrometheusSignal();
    s.signals.prometheus.serverAddress = "http://prometheus:9090/";
    s.signals.prometheus.query = "sum(rate(x[1m]))";
    ParsedSpec p = SpecParser.parse(s).spec().orElseThrow();

    assertThat(p.signals().stream().map(SignalConfig::type))
        .containsExactly("kafka", "spark", "prometheus");
    KafkaLagConfig kafka = p.signal(KafkaLagConfig.class).orElseThrow();
    assertThat(kafka.activationLagThreshold()).isEqualTo(25);
    assertThat(kafka.offsetResetPolicy()).isEqualTo(KafkaLagConfig.OffsetResetPolicy.EARLIEST);
    SparkDriverConfig spark = p.signal(SparkDriverConfig.class).orElseThrow();
    assertThat(spark.host()).as("the driver pod's, at collection time").isNull();
    assertThat(spark.port()).isEqualTo(4041);
    assertThat(spark.metricsNamespace()).isEqualTo("clicks");
    assertThat(spark.stages()).as("the core reads no task backlog").isFalse();
    assertThat(spark.withDriverHost("10.0.0.7").baseUrl()).isEqualTo("http://10.0.0.7:4041");
    PromQueryConfig prom = p.signal(PromQueryConfig.class).orElseThrow();
    assertThat(prom.serverAddress()).isEqualTo("http://prometheus:9090");
    assertThat(prom.threshold()).as("absent threshold").isEqualTo(1.0);
  }

  static Stream<Arguments> badSignals() {
    return Stream.of(
        bad(
            "kafka lag threshold zero",
            s -> s.signals.kafka.lagThreshold = 0L,
            "signals.kafka: parameter 'lagThreshold' must be a positive number"),
        bad(
            "kafka bad broker list",
            s -> s.signals.kafka.bootstrapServers = "kafka",
            "signals.kafka: parameter 'bootstrapServers': invalid value 'kafka'"),
        bad(
            "one bad topic name",
            s -> s.signals.kafka.topics = List.of("bad topic!"),
            "signals.kafka: parameter 'topic': invalid value 'bad topic!'"),
        bad(
            "a bad topic name among several",
            s -> s.signals.kafka.topics = List.of("a", "bad topic!"),
            "signals.kafka.topics[1]: parameter 'topic': invalid value 'bad topic!'"),
        bad(
            "limit to partitions with lag without a topic",
            s -> s.signals.kafka.limitToPartitionsWithLag = true,
            "signals.kafka: parameter 'topic' must be specified when using"
                + " limitToPartitionsWithLag"),
        bad(
            "spark port out of range (a CRD installed without its schema)",
            s -> {
              s.signals.spark = new ExecutorAutoscalerSpec.SparkSignal();
              s.signals.spark.port = 70000;
            },
            "signals.spark: parameter 'port' must be between 1 and 65535"),
        bad(
            "spark path not absolute",
            s -> {
              s.signals.spark = new ExecutorAutoscalerSpec.SparkSignal();
              s.signals.spark.path = "metrics";
            },
            "signals.spark: parameter 'path' must start with '/'"),
        bad(
            "prometheus not a URL",
            s -> {
              s.signals.prometheus = new ExecutorAutoscalerSpec.PrometheusSignal();
              s.signals.prometheus.serverAddress = "prometheus:9090";
              s.signals.prometheus.query = "up";
            },
            "signals.prometheus: parameter 'serverAddress' must be an http:// or https:// URL"),
        bad(
            "prometheus threshold not a number",
            s -> {
              s.signals.prometheus = new ExecutorAutoscalerSpec.PrometheusSignal();
              s.signals.prometheus.serverAddress = "http://prometheus:9090";
              s.signals.prometheus.query = "up";
              s.signals.prometheus.threshold = "ten";
            },
            "signals.prometheus: parameter 'threshold': invalid value 'ten'"),
        bad(
            "prometheus without a query",
            s -> {
              s.signals.prometheus = new ExecutorAutoscalerSpec.PrometheusSignal();
              s.signals.prometheus.serverAddress = "http://prometheus:9090";
            },
            "signals.prometheus: parameter 'query' is required"));
  }

  @Test
  void kafkaTopicsNoneOneOrSeveral() {
    ExecutorAutoscalerSpec s = valid();
    s.signals.kafka.topics = List.of();
    assertThat(SpecParser.parse(s).spec().orElseThrow().signal(KafkaLagConfig.class))
        .as("empty: every topic the group has committed offsets on")
        .hasValueSatisfying(k -> assertThat(k.topics()).isEmpty());
    s.signals.kafka.topics = List.of("clicks", "views");
    assertThat(SpecParser.parse(s).spec().orElseThrow().signal(KafkaLagConfig.class))
        .as("several: one config listing them, read topic by topic and summed by the adapter")
        .hasValueSatisfying(k -> assertThat(k.topics()).containsExactly("clicks", "views"));
  }

  @Test
  void durations() {
    assertThat(DurationText.parse("1m30s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(DurationText.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(DurationText.parse("1.5h")).isEqualTo(Duration.ofMinutes(90));
    assertThatThrownBy(() -> DurationText.parse("10")).hasMessageContaining("not a duration");
  }
}
