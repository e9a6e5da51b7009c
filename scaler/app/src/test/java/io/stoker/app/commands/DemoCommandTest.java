package io.stoker.app.commands;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code stoker demo} in-process, as a user runs it: a real broker, producer and consumers, Stoker
 * sizing the fleet live. One short run (~30 s of producing) carries the behaviour; bad options are
 * checked without starting anything.
 */
class DemoCommandTest {
  private static final Pattern TICK =
      Pattern.compile(
          "^\\s*(\\d+)s\\s+rate\\s+\\d+/s\\s+lag\\s+(\\S+)\\s+executors\\s+(\\d+) →\\s+(\\d+)");
  private static final Pattern BROKER = Pattern.compile("on 127\\.0\\.0\\.1:(\\d+)");

  @TempDir Path dir;

  record Tick(int seconds, long lag, int running, int target) {}

  @Test
  void stokerScalesTheFleetUpDuringTheBurstAndDownAfterItThenStopsTheBroker() throws Exception {
    Set<Thread> before = Thread.getAllStackTraces().keySet();
    Path plot = dir.resolve("demo.png");

    Cli.Result r = Cli.run("demo", "--duration", "30", "--plot", plot.toString());

    assertThat(r.exitCode()).as(r.err()).isZero();
    List<Tick> ticks = ticks(r.out());
    assertThat(ticks).as(r.out()).hasSizeGreaterThan(10);
    int first = ticks.get(0).target();
    int peakAt = 0;
    for (int i = 0; i < ticks.size(); i++) {
      peakAt = ticks.get(i).target() > ticks.get(peakAt).target() ? i : peakAt;
    }
    Tick peak = ticks.get(peakAt);
    // Up during the burst: more executors asked for than at the start, and they came up.
    assertThat(peak.target()).as(r.out()).isGreaterThan(first + 2);
    assertThat(ticks.stream().mapToInt(Tick::running).max().orElse(0))
        .as(r.out())
        .isGreaterThan(first);
    // Down after it.
    assertThat(
            ticks.subList(peakAt, ticks.size()).stream().mapToInt(Tick::target).min().orElseThrow())
        .as(r.out())
        .isLessThan(peak.target());
    // The lag the burst built drains.
    long maxLag = ticks.stream().mapToLong(Tick::lag).max().orElse(0);
    long lastLag =
        ticks.stream().filter(t -> t.lag() >= 0).reduce((a, b) -> b).map(Tick::lag).orElse(-1L);
    assertThat(maxLag).as(r.out()).isGreaterThan(1000);
    assertThat(lastLag).as(r.out()).isBetween(0L, maxLag / 5);
    // The summary compares with the fixed fleet; the plot is a PNG.
    assertThat(r.out()).contains("Summary:", "stoker (live sizing)", "static 10 (peak)");
    assertThat(r.out()).containsPattern("Stoker used \\d+% (fewer|more) executor-seconds");
    assertThat(Files.size(plot)).isGreaterThan(10_000);
    assertThat(Files.readAllBytes(plot)).startsWith(0x89, 'P', 'N', 'G');
    // Nothing left behind: the broker's port is free again and its threads are gone.
    Matcher m = BROKER.matcher(r.out());
    assertThat(m.find()).as(r.out()).isTrue();
    try (ServerSocket s =
        new ServerSocket(Integer.parseInt(m.group(1)), 1, InetAddress.getLoopbackAddress())) {
      assertThat(s.isBound()).isTrue();
    }
    Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(leftOver(before)).isEmpty());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "--duration 0 | --duration",
        "--duration soon | --duration",
        "--duration 5 | --duration must be between",
        "--tick 0.01 | --tick must be between",
        "--tick 20 | --tick must be between",
        "--workload nope | unknown workload 'nope'",
        "--plot out.gif | must end in .png or .svg",
        "--bogus | Unknown option",
      })
  void badOptionsExitTwoWithTheUsageAndStartNothing(String args, String message) {
    Cli.Result r = Cli.run(("demo " + args).split(" "));

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains(message).contains("Usage:");
    assertThat(r.out()).isEmpty();
  }

  private static List<Tick> ticks(String out) {
    List<Tick> ticks = new ArrayList<>();
    for (String line : out.split("\n")) {
      Matcher m = TICK.matcher(line);
      if (m.find()) {
        ticks.add(
            new Tick(
                Integer.parseInt(m.group(1)),
                m.group(2).equals("?") ? -1 : Long.parseLong(m.group(2)),
                Integer.parseInt(m.group(3)),
                Integer.parseInt(m.group(4))));
      }
    }
    return ticks;
  }

  /** Live threads the demo started (its own, the broker's, its clients'), by name. */
  private static List<String> leftOver(Set<Thread> before) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> !before.contains(t) && t.isAlive())
        .map(Thread::getName)
        // JVM-wide JDK threads started on first use (timeouts, AWT for the plot) and the test's.
        .filter(n -> !Set.of("CompletableFutureDelayScheduler", "Java2D Disposer").contains(n))
        .filter(n -> !n.startsWith("awaitility") && !n.startsWith("ForkJoinPool"))
        // The demo uses no Vert.x: threads of a Vert.x instance that another test class of this
        // JVM is still shutting down (seen once in a full run) are not the demo's.
        .filter(n -> !n.startsWith("vert.x-"))
        .sorted()
        .collect(Collectors.toList());
  }
}
