package io.stoker.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which executors a scale-down removes when the controller prefers some of them. */
class ExecutorScalerChoiceTest {

  /** Lists are blank-separated ids; an empty cell is an empty list. */
  @ParameterizedTest(
      name = "[{index}] surplus {0}, safe {1}, preferred {2}, active {3}, waited for {4} -> {5}")
  @CsvSource(
      delimiter = '|',
      value = {
        // no preference: the plugin's own order (newest first)
        "2 | 5 4 3   |       | 1 2 3 4 5 |     | 5 4",
        // preferred and safe: exactly those, in the controller's order
        "2 | 5 4 3 1 | 1 3   | 1 2 3 4 5 |     | 1 3",
        // fewer preferred than the surplus: the plugin's own choice fills in
        "3 | 5 4 3 1 | 1     | 1 2 3 4 5 |     | 1 5 4",
        // more preferred than the surplus: the first ones
        "1 | 5 4 3 1 | 3 1   | 1 2 3 4 5 |     | 3",
        // a preferred executor runs a task: its place is held while waiting ...
        "2 | 5 4 3   | 1 3   | 1 2 3 4 5 | 1   | 3",
        // ... and filled by the plugin's own choice once the wait is over
        "2 | 5 4 3   | 1 3   | 1 2 3 4 5 |     | 3 5",
        // one that holds needed data (not worth waiting for): filled at once
        "2 | 5 4 3   | 2 3   | 1 2 3 4 5 | 1   | 3 5",
        // a busy preferred executor does not block a safe one after it
        "1 | 5 4 3   | 1 3   | 1 2 3 4 5 | 1   | 3",
        // preferred executors that are gone (or unknown) are skipped at once
        "2 | 5 4 3   | 9 8 3 | 1 2 3 4 5 | 9 8 | 3 5",
        // nothing safe: nothing removed
        "2 |         | 1 2   | 1 2 3     |     | ",
        "0 | 3 2 1   | 1     | 1 2 3     | 1   | ",
      })
  void prefersTheControllersChoiceAmongTheSafeExecutors(
      int surplus, String safe, String preferred, String active, String waitFor, String expected) {
    assertThat(
            ExecutorScaler.choose(
                surplus,
                list(safe),
                list(preferred),
                new LinkedHashSet<>(list(active)),
                Set.copyOf(list(waitFor))))
        .containsExactlyElementsOf(list(expected));
  }

  @org.junit.jupiter.api.Test
  void neverMoreThanTheSurplus() {
    List<String> safe = List.of("5", "4", "3", "2", "1");
    Set<String> active = Set.copyOf(safe);
    for (int surplus = 0; surplus <= 5; surplus++) {
      assertThat(ExecutorScaler.choose(surplus, safe, List.of("1", "2"), active, Set.of()))
          .hasSize(surplus)
          .doesNotHaveDuplicates();
    }
  }

  private static List<String> list(String s) {
    return s == null || s.isBlank() ? List.of() : Arrays.asList(s.trim().split("\\s+"));
  }
}
