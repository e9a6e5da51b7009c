package io.stoker.adapters.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Property-based tests: arbitrary input never raises anything but {@link MetricsParseException},
 * and rendered samples parse back to what was rendered. 70k + 20k + 20k = 110k inputs per run.
 */
class PrometheusTextParserFuzzTest {
  private static final String SYNTAX = "ab_:Z09{}=\",\\ \t\n#.+-eEInfNa\r";

  @Provide
  Arbitrary<String> syntaxSoup() {
    return Arbitraries.strings().withChars(SYNTAX.toCharArray()).ofMaxLength(80);
  }

  @Property(tries = 70_000)
  void syntaxSoupOnlyFailsWithTypedError(@ForAll("syntaxSoup") String text) {
    assertOnlyTypedErrors(text.getBytes(StandardCharsets.UTF_8));
  }

  /** Arbitrary bytes (length 0..120) derived from a jqwik-generated seed: cheap to generate. */
  @Property(tries = 20_000)
  void arbitraryBytesOnlyFailWithTypedError(@ForAll long seed) {
    java.util.Random r = new java.util.Random(seed);
    byte[] bytes = new byte[r.nextInt(121)];
    r.nextBytes(bytes);
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

  /** A random valid sample derived from a jqwik-generated seed. */
  static Rendered sample(long seed) {
    java.util.Random r = new java.util.Random(seed);
    String nameChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_:0123456789";
    StringBuilder name = new StringBuilder().append(nameChars.charAt(r.nextInt(54)));
    for (int i = r.nextInt(20); i > 0; i--) {
      name.append(nameChars.charAt(r.nextInt(nameChars.length())));
    }
    String valueChars = " !#$%&'()*+,-./09:;<=>?@AZaz[]^_`{|}~\\\"\n\t\u00e9\u2713\u4e2d";
    Map<String, String> labels = new TreeMap<>();
    for (int i = r.nextInt(5); i > 0; i--) {
      StringBuilder k = new StringBuilder().append((char) ('a' + r.nextInt(26)));
      for (int j = r.nextInt(6); j > 0; j--) {
        k.append(nameChars.charAt(r.nextInt(53)));
      }
      StringBuilder v = new StringBuilder();
      for (int j = r.nextInt(12); j > 0; j--) {
        v.append(valueChars.charAt(r.nextInt(valueChars.length())));
      }
      labels.put(k.toString().replace(":", "_"), v.toString());
    }
    double[] special = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 0.0};
    double value =
        switch (r.nextInt(4)) {
          case 0 -> Double.longBitsToDouble(r.nextLong()); // any bit pattern
          case 1 -> (double) r.nextLong();
          case 2 -> r.nextInt(100_000) / 1000.0;
          default -> special[r.nextInt(special.length)];
        };
    return new Rendered(name.toString(), labels, value);
  }

  @Property(tries = 20_000)
  void renderedSamplesRoundTrip(@ForAll long seed) {
    Rendered s = sample(seed);
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
