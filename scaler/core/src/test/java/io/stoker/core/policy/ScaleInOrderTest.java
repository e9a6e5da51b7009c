package io.stoker.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stoker.core.policy.ScaleInOrder.Executor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Scale-in removes executors so that nodes empty: emptiest node first, deterministic ties. */
class ScaleInOrderTest {

  /**
   * {@code executors}: {@code id@node} separated by blanks ({@code id@} = node unknown); {@code
   * pods}: {@code node=pods} separated by blanks (pods on the node, ours included); {@code
   * expected}: the chosen ids in order.
   */
  @ParameterizedTest(name = "[{index}] {0} | pods {1} | remove {2} -> {3}")
  @CsvSource(
      delimiter = '|',
      value = {
        // spread 3/1: the node with one executor empties first, then the newest of the other
        "1@a 2@b 3@a 4@a | a=3 b=1 | 2 | 2 4",
        // spread 2/2/2 (LeastAllocated): the whole of one node before touching another; equally
        // full nodes: the one holding the newest executor first
        "1@a 2@b 3@c 4@a 5@b 6@c | a=2 b=2 c=2 | 2 | 6 3",
        "1@a 2@b 3@c 4@a 5@b 6@c | a=2 b=2 c=2 | 3 | 6 3 5",
        // packed 4/4/1: the partly full node, then the node of the newest executor
        "1@a 2@a 3@a 4@a 5@b 6@b 7@b 8@b 9@c | a=4 b=4 c=1 | 3 | 9 8 7",
        // a node that keeps another application's pod comes after nodes we can empty
        "1@a 2@b 3@b | a=2 b=2 | 1 | 3",
        "1@a 2@b 3@b | a=2 b=2 | 3 | 3 2 1",
        // equally full nodes with other pods: fewer others first
        "1@a 2@b | a=4 b=2 | 1 | 2",
        // unknown node: occupancy taken as ours only
        "1@a 2@b 3@b | b=2 | 1 | 1",
        // a count above the pods' is capped; executors without a node come last
        "1@ 2@a 3@a | a=2 | 5 | 3 2 1",
        // numeric ids by value, not text: 10 is newer than 9
        "9@a 10@a 2@b 3@b | a=2 b=2 | 1 | 10",
        "9@a 10@a | a=2 | 2 | 10 9",
        // equally full: the node of the newest executor
        "1@b 2@a | a=1 b=1 | 1 | 2",
        "2@b 1@a | a=1 b=1 | 1 | 2",
        "| | 3 |",
        "1@a | a=1 | 0 |",
      })
  void choosesSoThatNodesEmptyFirst(String executors, String pods, int count, String expected) {
    assertThat(ScaleInOrder.choose(parse(executors), occupancy(pods), count))
        .containsExactlyElementsOf(words(expected));
  }

  @Test
  void theOrderDoesNotDependOnTheInputOrder() {
    List<Executor> in = new ArrayList<>(parse("1@a 2@b 3@c 4@a 5@b 6@c 7@c 8@d 11@d 12@e 13@"));
    Map<String, Integer> pods = occupancy("a=2 b=3 c=3 d=2 e=1");
    List<String> expected = ScaleInOrder.order(in, pods);
    assertThat(expected).containsExactly("12", "11", "8", "4", "1", "7", "6", "3", "5", "2", "13");
    for (int i = 0; i < 10; i++) {
      java.util.Collections.shuffle(in, new java.util.Random(i));
      assertThat(ScaleInOrder.order(in, pods)).isEqualTo(expected);
    }
  }

  @Test
  void aNegativeCountIsRefused() {
    assertThatThrownBy(() -> ScaleInOrder.choose(List.of(), Map.of(), -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("count");
  }

  private static List<Executor> parse(String s) {
    List<Executor> out = new ArrayList<>();
    for (String w : words(s)) {
      int at = w.indexOf('@');
      out.add(new Executor(w.substring(0, at), w.substring(at + 1)));
    }
    return out;
  }

  private static Map<String, Integer> occupancy(String s) {
    Map<String, Integer> out = new HashMap<>();
    for (String w : words(s)) {
      String[] kv = w.split("=");
      out.put(kv[0], Integer.parseInt(kv[1]));
    }
    return out;
  }

  private static List<String> words(String s) {
    return s == null || s.isBlank() ? List.of() : Arrays.asList(s.trim().split("\\s+"));
  }
}
