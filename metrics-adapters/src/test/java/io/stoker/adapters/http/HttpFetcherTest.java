package io.stoker.adapters.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stoker.adapters.spi.AdapterContext;
import io.stoker.adapters.spi.AdapterException;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile HTTP bodies (issue 17 item 5) from a driver stub: oversized and endless bodies fail
 * clearly within a bounded heap, and requests past their deadline are reset so that slow endless
 * bodies do not hold the pool's connections.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpFetcherTest {
  private HostileDriver driver;

  @BeforeAll
  void start() {
    driver = new HostileDriver();
  }

  @AfterAll
  void stop() {
    driver.close();
  }

  /**
   * In a JVM with a 64 MB heap, a 50 MB body or an endless one used to end in {@code
   * OutOfMemoryError} (exit 3 with the Dockerfile's flag); now it is an error naming the URL and
   * the 8 MiB cap.
   */
  @ParameterizedTest
  @ValueSource(strings = {"/big", "/endless"})
  void oversizedBodiesFailClearlyWithinABoundedHeap(String path) throws Exception {
    String url = driver.url(path);
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    File log = File.createTempFile("fetch-once", ".log");
    log.deleteOnExit();
    Process p =
        new ProcessBuilder(
                javaBin,
                "-Xmx64m",
                "-XX:+ExitOnOutOfMemoryError",
                "-cp",
                System.getProperty("java.class.path"),
                FetchOnce.class.getName(),
                url,
                "20000")
            .redirectErrorStream(true)
            .redirectOutput(log)
            .start();
    assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("the forked JVM ends").isTrue();
    String out = Files.readString(log.toPath(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as("exit code (3 = OutOfMemoryError); output:%n%s", out).isZero();
    assertThat(out)
        .contains("outcome error AdapterException[MALFORMED]: GET " + url)
        .contains("larger than the cap of 8388608 bytes");
    long peak =
        Long.parseLong(
            out.lines()
                .filter(l -> l.startsWith("peakOldGenBytes "))
                .findFirst()
                .orElseThrow()
                .substring(16));
    System.out.printf(
        "hostile input: driver body %s, JVM -Xmx64m: old generation peak %.1f MB%n",
        path, peak / 1e6);
  }

  @Test
  void aSmallCapIsNamedInTheError() {
    try (AdapterContext ctx = new AdapterContext(Clock.systemUTC())) {
      HttpFetcher f = HttpFetcher.shared(ctx, 1000);
      assertThatThrownBy(() -> f.get(driver.url("/big"), Map.of(), Duration.ofSeconds(10)).join())
          .cause()
          .isInstanceOfSatisfying(
              AdapterException.class,
              e -> assertThat(e.kind()).isEqualTo(AdapterException.Kind.MALFORMED))
          .hasMessageContaining("GET " + driver.url("/big"))
          .hasMessageContaining("cap of 1000 bytes (announced 50000000 bytes)");
      assertThat(f.get(driver.url("/ok"), Map.of(), Duration.ofSeconds(10)).join().toString())
          .isEqualTo("ok");
    }
  }

  /**
   * Twice as many slow endless bodies as the pool has connections: each fails at its deadline and
   * is reset, the stub sees every connection closed, and a normal request is then served at once.
   */
  @Test
  void slowEndlessBodiesAreResetAtTheirDeadlineAndFreeThePool() {
    try (AdapterContext ctx = new AdapterContext(Clock.systemUTC())) {
      HttpFetcher f = HttpFetcher.shared(ctx);
      List<CompletableFuture<?>> slow = new ArrayList<>();
      for (int i = 0; i < 2 * HttpFetcher.POOL_SIZE; i++) {
        slow.add(f.get(driver.url("/slow"), Map.of(), Duration.ofMillis(700)));
      }
      for (CompletableFuture<?> s : slow) {
        assertThatThrownBy(s::join)
            .cause()
            .isInstanceOfSatisfying(
                AdapterException.class,
                e -> assertThat(e.kind()).isEqualTo(AdapterException.Kind.TIMEOUT))
            .hasMessageContaining("GET " + driver.url("/slow") + ": no answer within 700 ms");
      }
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> driver.openConnections() == 0);
      assertThat(f.get(driver.url("/ok"), Map.of(), Duration.ofSeconds(5)).join().toString())
          .isEqualTo("ok");
    }
  }
}
