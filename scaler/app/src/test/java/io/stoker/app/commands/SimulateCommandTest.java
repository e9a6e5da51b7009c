package io.stoker.app.commands;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulateCommandTest {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private static final List<String> POLICY_KEYS =
      List.of(
          "name",
          "executorSeconds",
          "placeholderSeconds",
          "nodeSeconds",
          "slaViolationSeconds",
          "p99LatencySeconds",
          "maxLatencySeconds",
          "maxBacklogRecords",
          "scalingActions",
          "meanUtilization");

  @TempDir static Path dir;
  private static Path trace;

  @BeforeAll
  static void writeTrace() throws Exception {
    trace =
        Files.writeString(
            dir.resolve("small-step.csv"),
            "t,rate\n0,2000\n300,7000\n600,2000\n890,2000\n",
            StandardCharsets.UTF_8);
  }

  @Test
  void printsATableNamingEveryPolicyAndSweepPoint() {
    Cli.Result r = Cli.run("simulate", "--trace", trace.toString());

    assertThat(r.exitCode()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(r.out())
        .startsWith("trace small-step: 1180 s")
        .contains("policy", "executor-s", "SLA-viol")
        .contains("\nstoker ", "\nkeda-hpa [lagThreshold=", "\nspark-da [executorIdleTimeout=")
        .contains("\nstoker+placeholders [headroomExecutors=", "placeholder-s")
        .contains("\nstatic-peak [executors=", "\noracle ")
        .contains(
            "  keda-hpa[lagThreshold=15000,scaleDownWindow=0]",
            "  spark-da[executorIdleTimeout=120s,executorAllocationRatio=0.25]");
  }

  @Test
  void printsOneJsonObjectWithTheDocumentedSchemaAndNothingElse() throws Exception {
    Cli.Result r = Cli.run("simulate", "--trace", trace.toString(), "--json");

    assertThat(r.exitCode()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(r.out()).startsWith("{").endsWith("}" + System.lineSeparator());
    assertThat(r.out().strip()).doesNotContain("\n");
    JsonNode root = JSON.readTree(r.out());
    assertThat(root.get("trace").asText()).isEqualTo("small-step");
    assertThat(root.get("durationSeconds").asInt()).isEqualTo(1180);
    JsonNode scenario = root.get("scenario");
    assertThat(scenario.isObject()).isTrue();
    assertThat(scenario.get("executorRate").asDouble()).isEqualTo(1000);
    assertThat(scenario.get("seed").asLong()).isEqualTo(42);
    assertThat(scenario.get("placement").asText()).isEqualTo("spread");
    assertThat(scenario.size()).isEqualTo(21);

    List<String> names = new ArrayList<>();
    for (JsonNode p : root.get("policies")) {
      String name = p.get("name").asText();
      names.add(name);
      for (String key : POLICY_KEYS) {
        assertThat(p.has(key)).as("%s has %s", name, key).isTrue();
      }
      for (String key : POLICY_KEYS.subList(1, POLICY_KEYS.size())) {
        assertThat(p.get(key).isNumber()).as("%s.%s is a number", name, key).isTrue();
      }
      if (name.equals("keda-hpa")
          || name.equals("spark-da")
          || name.equals("stoker+placeholders")) {
        assertThat(p.get("setting").asText()).as("the chosen point of " + name).isNotEmpty();
      }
    }
    assertThat(names.subList(0, 6))
        .containsExactly(
            "stoker", "stoker+placeholders", "keda-hpa", "spark-da", "static-peak", "oracle");
    assertThat(names)
        .contains(
            "keda-hpa[lagThreshold=15000,scaleDownWindow=0]",
            "keda-hpa[lagThreshold=30000,scaleDownWindow=120]",
            "keda-hpa[lagThreshold=240000,scaleDownWindow=300]",
            "spark-da[executorIdleTimeout=30s,executorAllocationRatio=1]",
            "spark-da[executorIdleTimeout=120s,executorAllocationRatio=0.5]",
            "stoker+placeholders[headroomExecutors=0]",
            "stoker+placeholders[headroomExecutors=12]")
        .hasSize(43);
  }

  @Test
  void sameSeedPrintsByteIdenticalJson() {
    Cli.Result a = Cli.run("simulate", "--trace", trace.toString(), "--json");
    Cli.Result b = Cli.run("simulate", "--trace", trace.toString(), "--json");

    assertThat(a.exitCode()).isZero();
    assertThat(b.out()).isEqualTo(a.out());
  }

  @Test
  void aScenarioFileOverridesTheDefaultsAndItsSeedChangesTheResult() throws Exception {
    Path seeded =
        Files.writeString(dir.resolve("seed7.json"), "{\"seed\": 7, \"maxExecutors\": 30}");
    Cli.Result base = Cli.run("simulate", "--trace", trace.toString(), "--json");
    Cli.Result other =
        Cli.run("simulate", "--trace", trace.toString(), "--json", "--scenario", seeded.toString());

    assertThat(other.exitCode()).isZero();
    JsonNode scenario = JSON.readTree(other.out()).get("scenario");
    assertThat(scenario.get("seed").asLong()).isEqualTo(7);
    assertThat(scenario.get("maxExecutors").asInt()).isEqualTo(30);
    assertThat(scenario.get("partitions").asInt()).isEqualTo(128);
    assertThat(JSON.readTree(other.out()).get("policies"))
        .isNotEqualTo(JSON.readTree(base.out()).get("policies"));
  }

  @Test
  void limitsTheEntriesToTheRequestedPolicies() throws Exception {
    Cli.Result r =
        Cli.run("simulate", "--trace", trace.toString(), "--json", "--policies", "stoker,oracle");

    assertThat(r.exitCode()).isZero();
    List<String> names = new ArrayList<>();
    JSON.readTree(r.out()).get("policies").forEach(p -> names.add(p.get("name").asText()));
    assertThat(names).containsExactly("stoker", "oracle");
  }

  @Test
  void runsStreamingDaWithATriggerInterval() throws Exception {
    Path batches =
        Files.writeString(
            dir.resolve("trigger.json"),
            "{\"triggerIntervalSeconds\": 10, \"batchOverheadSeconds\": 1}");
    Cli.Result r =
        Cli.run(
            "simulate",
            "--trace",
            trace.toString(),
            "--json",
            "--policies",
            "streaming-da,oracle",
            "--scenario",
            batches.toString());

    assertThat(r.exitCode()).as(r.err()).isZero();
    List<String> names = new ArrayList<>();
    JSON.readTree(r.out()).get("policies").forEach(p -> names.add(p.get("name").asText()));
    assertThat(names).contains("streaming-da", "streaming-da[scalingInterval=60s]", "oracle");
  }

  @Test
  void historyMeasuresThePassAfterTheReplayedOnes() throws Exception {
    Cli.Result cold =
        Cli.run("simulate", "--trace", trace.toString(), "--json", "--policies", "stoker");
    Cli.Result warm =
        Cli.run(
            "simulate",
            "--trace",
            trace.toString(),
            "--json",
            "--policies",
            "stoker",
            "--history",
            "1");

    assertThat(warm.exitCode()).as(warm.err()).isZero();
    JsonNode w = JSON.readTree(warm.out());
    assertThat(w.get("durationSeconds").asInt()).isEqualTo(1180);
    assertThat(w.get("policies").get(0).get("scalingActions").asInt())
        .as("the first pass's ramp from 2 executors is not measured")
        .isLessThan(JSON.readTree(cold.out()).get("policies").get(0).get("scalingActions").asInt());
  }

  @Test
  void rejectsANegativeHistory() {
    Cli.Result r = Cli.run("simulate", "--trace", trace.toString(), "--history", "-1");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains("--history");
  }

  /**
   * A history replayed so many times that the run would hold more seconds than memory allows is
   * refused before any work, with the length it would have, not an OutOfMemoryError.
   */
  @Test
  void rejectsAHistoryLongerThanAMonth() {
    Cli.Result r = Cli.run("simulate", "--workload", "diurnal", "--history", "100000");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err())
        .contains("--history 100000")
        .contains("2160021600 s")
        .contains("2678400 s (31 days)");
  }

  @Test
  void runsABuiltInWorkload() throws Exception {
    Cli.Result r =
        Cli.run("simulate", "--workload", "bursty", "--json", "--policies", "stoker,keda-hpa");

    assertThat(r.exitCode()).isZero();
    JsonNode root = JSON.readTree(r.out());
    assertThat(root.get("trace").asText()).isEqualTo("bursty");
    assertThat(root.get("durationSeconds").asInt()).isEqualTo(10800);
    assertThat(root.get("policies").get(0).get("executorSeconds").asDouble()).isPositive();
  }

  @Test
  void writesAPngPlot() throws Exception {
    Path png = dir.resolve("plots/small.png");
    Cli.Result r =
        Cli.run(
            "simulate",
            "--trace",
            trace.toString(),
            "--policies",
            "stoker,keda-hpa,oracle",
            "--plot",
            png.toString());

    assertThat(r.exitCode()).as(r.err()).isZero();
    byte[] bytes = Files.readAllBytes(png);
    assertThat(bytes.length).isGreaterThan(1000);
    assertThat(java.util.Arrays.copyOf(bytes, 8))
        .containsExactly(0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n');
    assertThat(javax.imageio.ImageIO.read(png.toFile()).getWidth()).isEqualTo(Plots.WIDTH);
  }

  @Test
  void writesAnSvgPlotWithOneLinePerPolicy() throws Exception {
    Path svg = dir.resolve("small.svg");
    Cli.Result r =
        Cli.run(
            "simulate",
            "--trace",
            trace.toString(),
            "--policies",
            "stoker,oracle",
            "--plot",
            svg.toString());

    assertThat(r.exitCode()).as(r.err()).isZero();
    String text = Files.readString(svg);
    assertThat(text.startsWith("<svg") || text.startsWith("<?xml"))
        .as(text.substring(0, 40))
        .isTrue();
    assertThat(text.strip()).endsWith("</svg>");
    assertThat(text).contains("stoker", "oracle", "arrival rate").doesNotContain("spark-da");
  }
}
