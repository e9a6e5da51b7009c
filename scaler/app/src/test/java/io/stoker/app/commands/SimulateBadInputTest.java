package io.stoker.app.commands;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Bad input: exit code 2, a message naming the file and line or the key, nothing on stdout. */
class SimulateBadInputTest {
  @TempDir static Path dir;
  private static Path goodTrace;

  @BeforeAll
  static void writeGoodTrace() throws Exception {
    goodTrace = Files.writeString(dir.resolve("good.csv"), "t,rate\n0,100\n60,100\n");
  }

  static Stream<Arguments> badTraces() {
    return Stream.of(
        Arguments.of("missing header", "0,100\n10,200\n", ":1:", "missing header"),
        Arguments.of("non-numeric rate", "t,rate\n0,100\n10,many\n", ":3:", "not a number"),
        Arguments.of("non-numeric t", "t,rate\nsoon,100\n", ":2:", "not a number"),
        Arguments.of("negative rate", "t,rate\n0,-100\n", ":2:", "rate must be >= 0"),
        Arguments.of("negative t", "t,rate\n-1,100\n", ":2:", "t must be >= 0"),
        Arguments.of("decreasing t", "t,rate\n0,100\n20,100\n10,100\n", ":4:", "t decreases"),
        Arguments.of("wrong column count", "t,rate\n0,100,3\n", ":2:", "expected 2 columns"),
        Arguments.of("empty file", "", ":", "empty file"),
        Arguments.of("header only", "t,rate\n", ":", "no data rows"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badTraces")
  void rejectsABadTraceNamingFileLineAndProblem(
      String label, String content, String line, String problem) throws Exception {
    Path file = Files.writeString(dir.resolve("bad.csv"), content, StandardCharsets.UTF_8);

    Cli.Result r = Cli.run("simulate", "--trace", file.toString(), "--json");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains(file + line).contains(problem);
  }

  @Test
  void rejectsAMissingTraceFile() {
    Path file = dir.resolve("nowhere.csv");

    Cli.Result r = Cli.run("simulate", "--trace", file.toString());

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains(file.toString());
  }

  static Stream<Arguments> badScenarios() {
    return Stream.of(
        Arguments.of("unknown key", "{\"executorRat\": 1000}", "executorRat"),
        Arguments.of("string value", "{\"executorRate\": \"fast\"}", "executorRate"),
        Arguments.of("boolean value", "{\"partitions\": true}", "partitions"),
        Arguments.of("fraction for a whole key", "{\"partitions\": 12.5}", "partitions"),
        Arguments.of(
            "min above max", "{\"minExecutors\": 10, \"maxExecutors\": 5}", "minExecutors"),
        Arguments.of("zero executor rate", "{\"executorRate\": 0}", "executorRate"),
        Arguments.of("negative executor rate", "{\"executorRate\": -5}", "executorRate"),
        Arguments.of("zero latency objective", "{\"targetLatencySeconds\": 0}", "targetLatency"),
        Arguments.of("not JSON", "{executorRate: 1000", "not valid JSON"),
        Arguments.of("trailing garbage", "{} {}", "not valid JSON"),
        Arguments.of("not an object", "[1, 2]", "must be a JSON object"),
        Arguments.of(
            "too large", "{\"seed\": 1" + " ".repeat(70_000) + "}", "at most 65536 bytes"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badScenarios")
  void rejectsABadScenarioNamingTheKey(String label, String content, String named)
      throws Exception {
    Path file = Files.writeString(dir.resolve("bad.json"), content, StandardCharsets.UTF_8);

    Cli.Result r =
        Cli.run("simulate", "--trace", goodTrace.toString(), "--scenario", file.toString());

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains(file.toString()).contains(named);
  }

  static Stream<Arguments> badOptions() {
    return Stream.of(
        Arguments.of("unknown policy", new String[] {"--policies", "stoker,hpa"}, "hpa"),
        Arguments.of("unknown workload", new String[] {"--workload", "tsunami"}, "tsunami"),
        Arguments.of("bad plot extension", new String[] {"--plot", "out.jpg"}, "out.jpg"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badOptions")
  void rejectsBadOptionsWithExitCode2(String label, String[] extra, String named) {
    String[] args = Stream.concat(Stream.of("simulate"), Stream.of(extra)).toArray(String[]::new);
    if (!label.equals("unknown workload")) {
      args =
          Stream.concat(Stream.of(args), Stream.of("--trace", goodTrace.toString()))
              .toArray(String[]::new);
    }

    Cli.Result r = Cli.run(args);

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains(named);
  }

  // Usage errors exit 2 too.

  @Test
  void rejectsAnUnknownOption() {
    Cli.Result r = Cli.run("simulate", "--trace", goodTrace.toString(), "--colour");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains("--colour");
  }

  @Test
  void rejectsNeitherTraceNorWorkload() {
    Cli.Result r = Cli.run("simulate", "--json");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains("--trace", "--workload");
  }

  @Test
  void rejectsBothTraceAndWorkload() {
    Cli.Result r = Cli.run("simulate", "--trace", goodTrace.toString(), "--workload", "step");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
  }

  @Test
  void writesNoPlotWhenTheInputIsBad() throws Exception {
    Path bad = Files.writeString(dir.resolve("bad-for-plot.csv"), "t,rate\n0,-1\n");
    Path png = dir.resolve("never.png");

    Cli.Result r = Cli.run("simulate", "--trace", bad.toString(), "--plot", png.toString());

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(png).doesNotExist();
  }
}
