package io.stoker.adapters;

import io.stoker.adapters.prometheus.PrometheusTextParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Parser throughput on the Spark samples (all *.txt files of the test resources' {@code
 * spark-samples/}, captured from real Spark drivers, concatenated and repeated to about 1 MiB). MB/s
 * = bytes × ops/s; the setup prints the byte count.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ParserBenchmark {
  byte[] data;
  final PrometheusTextParser parser = new PrometheusTextParser();

  @Setup
  public void load() throws IOException, URISyntaxException {
    Path dir = Path.of(ParserBenchmark.class.getResource("/spark-samples").toURI());
    ByteArrayOutputStream one = new ByteArrayOutputStream();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.filter(f -> f.toString().endsWith(".txt")).sorted().toList()) {
        one.write(Files.readAllBytes(p));
      }
    }
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    while (all.size() < 1 << 20) {
      all.write(one.toByteArray());
    }
    data = all.toByteArray();
    System.out.println("parser benchmark input: " + data.length + " bytes");
  }

  /** Parse every line; consume value and name length (what a matcher touches without allocating). */
  @Benchmark
  public void parse(Blackhole bh) {
    parser.parse(
        data,
        l -> {
          bh.consume(l.value());
          bh.consume(l.nameEndsWith("_Value"));
        });
  }

  /** Same, but the handler materialises the name and the labels as Strings. */
  @Benchmark
  public void parseWithStrings(Blackhole bh) {
    parser.parse(
        data,
        l -> {
          bh.consume(l.name());
          for (int i = 0; i < l.labelCount(); i++) {
            bh.consume(l.labelValue(i));
          }
          bh.consume(l.value());
        });
  }
}
