package io.stoker.adapters.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PrometheusTextParserTest {

  record Parsed(String name, Map<String, String> labels, double value, Double ts, int line) {}

  static List<Parsed> parse(String text) {
    List<Parsed> out = new ArrayList<>();
    new PrometheusTextParser()
        .parse(
            text.getBytes(StandardCharsets.UTF_8),
            l -> {
              Map<String, String> labels = new LinkedHashMap<>();
              for (int i = 0; i < l.labelCount(); i++) {
                labels.put(l.labelName(i), l.labelValue(i));
              }
              out.add(
                  new Parsed(
                      l.name(),
                      labels,
                      l.value(),
                      l.hasTimestamp() ? l.timestamp() : null,
                      l.lineNumber()));
            });
    return out;
  }

  static Stream<Arguments> valid() {
    return Stream.of(
        Arguments.of("plain", "up 1", "up", Map.of(), 1.0, null),
        Arguments.of("tab separated", "up\t2", "up", Map.of(), 2.0, null),
        Arguments.of("colon name", "a:b_c 3", "a:b_c", Map.of(), 3.0, null),
        Arguments.of("labels", "m{a=\"x\",b=\"y\"} 4", "m", Map.of("a", "x", "b", "y"), 4.0, null),
        Arguments.of("trailing comma", "m{a=\"x\",} 5", "m", Map.of("a", "x"), 5.0, null),
        Arguments.of("empty labels", "m{} 6", "m", Map.of(), 6.0, null),
        Arguments.of(
            "blanks in labels",
            "m { a = \"x\" , b=\"\" } 7",
            "m",
            Map.of("a", "x", "b", ""),
            7.0,
            null),
        Arguments.of("no blank after }", "m{a=\"x\"}8", "m", Map.of("a", "x"), 8.0, null),
        Arguments.of(
            "escapes", "m{a=\"q\\\"b\\\\s\\nn\"} 1", "m", Map.of("a", "q\"b\\s\nn"), 1.0, null),
        Arguments.of("utf8 value", "m{a=\"héllo ✓\"} 1", "m", Map.of("a", "héllo ✓"), 1.0, null),
        Arguments.of("NaN", "m NaN", "m", Map.of(), Double.NaN, null),
        Arguments.of("+Inf", "m +Inf", "m", Map.of(), Double.POSITIVE_INFINITY, null),
        Arguments.of("-Inf", "m -Inf", "m", Map.of(), Double.NEGATIVE_INFINITY, null),
        Arguments.of("inf lower", "m inf", "m", Map.of(), Double.POSITIVE_INFINITY, null),
        Arguments.of(
            "Java exponent", "m 3.392613914915804E7", "m", Map.of(), 3.392613914915804E7, null),
        Arguments.of("negative exponent", "m 1.5e-3", "m", Map.of(), 1.5e-3, null),
        Arguments.of("explicit plus", "m +12", "m", Map.of(), 12.0, null),
        Arguments.of("negative", "m -0.25", "m", Map.of(), -0.25, null),
        Arguments.of(
            "Java double", "m 2083.3333333333335", "m", Map.of(), 2083.3333333333335, null),
        Arguments.of("leading dot", "m .5", "m", Map.of(), 0.5, null),
        Arguments.of("trailing dot", "m 5.", "m", Map.of(), 5.0, null),
        Arguments.of(
            "big integer",
            "m 123456789012345678901234",
            "m",
            Map.of(),
            1.2345678901234568e23,
            null),
        Arguments.of("tiny", "m 4.9e-324", "m", Map.of(), 4.9e-324, null),
        Arguments.of("ms timestamp", "m 1 1700000000000", "m", Map.of(), 1.0, 1.7e12),
        Arguments.of(
            "OpenMetrics s timestamp", "m 1 1700000000.123", "m", Map.of(), 1.0, 1700000000.123),
        Arguments.of(
            "exemplar skipped",
            "m_total 3 # {trace_id=\"a\"} 1 1.5",
            "m_total",
            Map.of(),
            3.0,
            null),
        Arguments.of("CRLF", "m 9\r", "m", Map.of(), 9.0, null),
        Arguments.of("leading blanks", "   m 10", "m", Map.of(), 10.0, null),
        Arguments.of(
            "Spark gauge",
            "metrics_local_1795463519408_driver_DAGScheduler_stage_runningStages_Value{type=\"gauges\"} 0",
            "metrics_local_1795463519408_driver_DAGScheduler_stage_runningStages_Value",
            Map.of("type", "gauges"),
            0.0,
            null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valid")
  void parsesValidLine(
      String title, String line, String name, Map<String, String> labels, double value, Double ts) {
    List<Parsed> p = parse(line);
    assertThat(p).hasSize(1);
    assertThat(p.get(0).name()).isEqualTo(name);
    assertThat(p.get(0).labels()).isEqualTo(labels);
    assertThat(Double.valueOf(p.get(0).value())).isEqualTo(Double.valueOf(value));
    assertThat(p.get(0).ts()).isEqualTo(ts);
  }

  static Stream<Arguments> invalid() {
    return Stream.of(
        Arguments.of("no value", "m", 1, "blank after the metric name"),
        Arguments.of("blank no value", "m ", 1, "expected a sample value"),
        Arguments.of("bad value", "m abc", 1, "invalid sample value"),
        Arguments.of("Java suffix", "m 1.0d", 1, "invalid sample value"),
        Arguments.of("hex", "m 0x10", 1, "invalid sample value"),
        Arguments.of("double dot", "m 1.2.3", 1, "invalid sample value"),
        Arguments.of("empty exponent", "m 1e", 1, "invalid exponent"),
        Arguments.of("name starts with digit", "1m 1", 1, "expected a metric name"),
        Arguments.of("unterminated labels", "m{a=\"x\" 1", 1, "expected ',' or '}'"),
        Arguments.of("unterminated value", "m{a=\"x} 1", 1, "unterminated label value"),
        Arguments.of("missing =", "m{a\"x\"} 1", 1, "expected '='"),
        Arguments.of("unquoted", "m{a=x} 1", 1, "expected '\"'"),
        Arguments.of("bad escape", "m{a=\"\\t\"} 1", 1, "invalid escape"),
        Arguments.of("duplicate label", "m{a=\"1\",a=\"2\"} 1", 1, "duplicate label"),
        Arguments.of("label starts with digit", "m{1a=\"x\"} 1", 1, "expected a label name"),
        Arguments.of("trailing garbage", "m 1 2 3", 1, "unexpected text"),
        Arguments.of("bad timestamp", "m 1 abc", 1, "invalid timestamp"),
        Arguments.of("NaN timestamp", "m 1 NaN", 1, "timestamp must be finite"),
        Arguments.of("bad TYPE", "# TYPE m bogus", 1, "unknown metric type"),
        Arguments.of("TYPE without name", "# TYPE", 1, "expected a metric name"),
        Arguments.of("error on line 3", "a 1\n# comment\nb{ 1\nc 2", 3, "expected a label name"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void rejectsWithLineNumber(String title, String text, int line, String message) {
    assertThatThrownBy(() -> parse(text))
        .isInstanceOfSatisfying(
            MetricsParseException.class,
            e -> {
              assertThat(e.line()).isEqualTo(line);
              assertThat(e.getMessage()).startsWith("line " + line + ",").contains(message);
            });
  }

  @org.junit.jupiter.api.Test
  void commentsBlankLinesTypesAndEof() {
    String text =
        "# HELP m help text with \"quotes\"\n"
            + "# TYPE m counter\n"
            + "\n"
            + "# just a comment\n"
            + "m_total{a=\"1\"} 1\n"
            + "m_total{a=\"2\"} 2\n"
            + "# EOF\n";
    List<String> types = new ArrayList<>();
    List<Parsed> samples = new ArrayList<>();
    new PrometheusTextParser()
        .parse(
            text.getBytes(StandardCharsets.UTF_8),
            new SampleHandler() {
              @Override
              public void sample(MetricLine l) {
                samples.add(new Parsed(l.name(), Map.of(), l.value(), null, l.lineNumber()));
              }

              @Override
              public void type(String metricName, String type) {
                types.add(metricName + ":" + type);
              }
            });
    assertThat(types).containsExactly("m:counter");
    assertThat(samples).extracting(Parsed::line).containsExactly(5, 6);
    assertThat(samples).extracting(Parsed::value).containsExactly(1.0, 2.0);
  }

  @org.junit.jupiter.api.Test
  void streamingMatchesInMemoryAcrossBufferBoundaries() throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 20_000; i++) {
      sb.append("metric_").append(i).append("{l=\"").append("x".repeat(i % 50)).append("\"} ");
      sb.append(i).append(".5\n");
    }
    sb.append("long_line{v=\"").append("y".repeat(200_000)).append("\"} 1"); // longer than buffer
    byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
    List<Double> streamed = new ArrayList<>();
    new PrometheusTextParser().parse(new ByteArrayInputStream(bytes), l -> streamed.add(l.value()));
    List<Double> inMemory = new ArrayList<>();
    new PrometheusTextParser().parse(bytes, l -> inMemory.add(l.value()));
    assertThat(streamed).hasSize(20_001).isEqualTo(inMemory);
    assertThat(streamed.get(19_999)).isEqualTo(19_999.5);
  }

  @org.junit.jupiter.api.Test
  void streamingReportsLineNumbers() {
    byte[] bytes = "a 1\nb 2\nc{x} 3\n".getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(
            () -> new PrometheusTextParser().parse(new ByteArrayInputStream(bytes), l -> {}))
        .isInstanceOfSatisfying(
            MetricsParseException.class, e -> assertThat(e.line()).isEqualTo(3));
  }

  @org.junit.jupiter.api.Test
  void nameHelpersDoNotNeedStrings() {
    new PrometheusTextParser()
        .parse(
            "metrics_app_1_driver_x_Value{type=\"gauges\"} 1".getBytes(StandardCharsets.UTF_8),
            l -> {
              assertThat(l.nameStartsWith("metrics_")).isTrue();
              assertThat(l.nameEndsWith("_Value")).isTrue();
              assertThat(l.nameEndsWith("_Number")).isFalse();
              assertThat(l.nameIndexOf("_driver_", 0)).isEqualTo(13);
              assertThat(l.nameSubstring(21, 22)).isEqualTo("x");
              assertThat(l.nameEquals("metrics_app_1_driver_x_Value")).isTrue();
              assertThat(l.label("type")).isEqualTo("gauges");
              assertThat(l.label("missing")).isNull();
            });
  }

  @org.junit.jupiter.api.Test
  void aLineTheHandlerDeclinesIsSkippedAfterItsName() {
    byte[] text =
        "wanted{a=\"1\"} 1\nskipped{a=\"unterminated 2\nwanted 3\n"
            .getBytes(StandardCharsets.UTF_8);
    List<Double> seen = new ArrayList<>();
    new PrometheusTextParser()
        .parse(
            text,
            new SampleHandler() {
              @Override
              public boolean wants(MetricLine l) {
                return l.nameEquals("wanted");
              }

              @Override
              public void sample(MetricLine l) {
                seen.add(l.value());
              }
            });
    assertThat(seen).containsExactly(1.0, 3.0);
    // A handler that wants every line meets the broken one.
    assertThatThrownBy(() -> new PrometheusTextParser().parse(text, l -> {}))
        .isInstanceOfSatisfying(
            MetricsParseException.class, e -> assertThat(e.line()).isEqualTo(2));
  }
}
