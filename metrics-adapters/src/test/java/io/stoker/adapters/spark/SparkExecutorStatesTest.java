package io.stoker.adapters.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.stoker.adapters.spark.SparkExecutorStates.ExecutorState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Per-executor state from /metrics/executors/prometheus: captured outputs and edge cases. */
class SparkExecutorStatesTest {

  static Stream<Arguments> cases() throws IOException {
    String row =
        "metrics_executor_%s{application_id=\"app-1\", application_name=\"a\", executor_id=\"%s\"}"
            + " %s\n";
    return Stream.of(
        Arguments.of(
            "local cluster, two executors running a task each; one holds cached blocks on disk"
                + " and has written shuffle output",
            new String(
                SparkSamplesTest.read("executors-localcluster-4.1.1.txt"), StandardCharsets.UTF_8),
            Map.of("0", new ExecutorState(1, 4, 106816, 3140), "1", new ExecutorState(1, 0, 0, 0))),
        Arguments.of(
            "local mode: only the driver row",
            new String(SparkSamplesTest.read("executors-local-4.1.1.txt"), StandardCharsets.UTF_8),
            Map.of()),
        Arguments.of(
            "cached blocks on disk, idle",
            String.format(row, "rddBlocks", "3", "12")
                + String.format(row, "diskUsed_bytes", "3", "4096")
                + String.format(row, "activeTasks", "3", "0"),
            Map.of("3", new ExecutorState(0, 12, 4096, 0))),
        Arguments.of(
            "several executors, other families ignored",
            String.format(row, "activeTasks", "1", "4")
                + String.format(row, "memoryUsed_bytes", "1", "99")
                + String.format(row, "activeTasks", "2", "0"),
            Map.of("1", new ExecutorState(4, 0, 0, 0), "2", new ExecutorState(0, 0, 0, 0))),
        Arguments.of("empty", "", Map.of()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void parses(String name, String text, Map<String, ExecutorState> expected) {
    assertThat(SparkExecutorStates.parse(text.getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(expected);
  }
}
