package io.stoker.adapters.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Property-based tests: arbitrary input never raises anything but {@link MetricsParseException},
 * and rendered samples parse back to what was rendered. 40k + 40k + 30k = 110k inputs per run.
 */
class PrometheusTextParserFuzzTest {
  private static final String SYNTAX = "ab_:Z09{}=\",\\ \t\n#.+-eEInfNa\r";

  @Provide
  Arbitrary<String> syntaxSoup() {
    return Arbitraries.strings().withChars(SYNTAX.toCharArray()).ofMaxLength(80);
  }

  @Property(tries = 40_000)
  void syntaxSoupOnlyFailsWithTypedError(@ForAll("syntaxSoup") String text) {
    assertOnlyTypedErrors(text.getBytes(StandardCharsets.UTF_8));
  }

  @Property(tries = 40_000)
  void arbitraryBytesOnlyFailWithTypedError(@ForAll byte[] bytes) {
    assertOnlyTypedErrors(bytes);
  }

  private static void assertOnlyTypedErrors(byte[] bytes) {
    try {
      new PrometheusTextParser()
          .parse(
              bytes,
              l -> {
                for (int i = 0; i < l.labelCount(); i++) {
                  l.labelName(i);
                  l.labelValue(i);
                }
                l.name();
              });
    } catch (MetricsParseException e) {
      assertThat(e.line()).isPositive();
      assertThat(e.column()).isPositive();
    }
  }

  record Rendered(String name, Map<String, String> labels, double value) {}

  @Provide
  Arbitrary<Rendered> samples() {
    Arbitrary<String> names =
        Arbitraries.strings()
            .withCharRange('a', 'z')
            .withChars('_', ':')
            .ofMinLength(1)
            .ofMaxLength(20);
    Arbitrary<String> labelNames =
        Arbitraries.strings().withCharRange('a', 'z').withChars('_').ofMinLength(1).ofMaxLength(8);
    Arbitrary<String> labelValues =
        Arbitraries.strings()
            .all()
            .ofMaxLength(12)
            .filter(s -> s.chars().noneMatch(c -> Character.isSurrogate((char) c)));
    Arbitrary<Map<String, String>> labels = Arbitraries.maps(labelNames, labelValues).ofMaxSize(4);
    Arbitrary<Double> values =
        Arbitraries.oneOf(
            Arbitraries.doubles(),
            Arbitraries.longs().map(Long::doubleValue),
            Arbitraries.of(
                Double.NaN,
                Double.POSITIVE_INFINITY,
                Double.NEGATIVE_INFINITY,
                -0.0,
                4.9e-324,
                1.7976931348623157e308));
    return Combinators.combine(names, labels, values).as(Rendered::new);
  }

  @Property(tries = 30_000)
  void renderedSamplesRoundTrip(@ForAll("samples") Rendered s) {
    StringBuilder sb = new StringBuilder(s.name());
    if (!s.labels().isEmpty()) {
      sb.append('{');
      s.labels()
          .forEach(
              (k, v) ->
                  sb.append(k)
                      .append("=\"")
                      .append(v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n"))
                      .append("\","));
      sb.append('}');
    }
    sb.append(' ').append(render(s.value())).append('\n');
    List<Rendered> back = new ArrayList<>();
    new PrometheusTextParser()
        .parse(
            sb.toString().getBytes(StandardCharsets.UTF_8),
            l -> {
              Map<String, String> m = new TreeMap<>();
              for (int i = 0; i < l.labelCount(); i++) {
                m.put(l.labelName(i), l.labelValue(i));
              }
              back.add(new Rendered(l.name(), m, l.value()));
            });
    assertThat(back).hasSize(1);
    assertThat(back.get(0).name()).isEqualTo(s.name());
    assertThat(back.get(0).labels()).isEqualTo(new TreeMap<>(s.labels()));
    assertThat(Double.valueOf(back.get(0).value())).isEqualTo(Double.valueOf(s.value()));
  }

  private static String render(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    return Double.toString(v);
  }
}
