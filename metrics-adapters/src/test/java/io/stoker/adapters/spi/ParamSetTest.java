package io.stoker.adapters.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The typed config parser itself: defaults, optional, enum, secret, unknown-key flag. */
class ParamSetTest {
  enum Mode {
    FAST,
    SAFE
  }

  static final Param<String> NAME = Param.string("name", "n").asRequired();
  static final Param<Long> COUNT = Param.int64("count", "c").withDefault(3L);
  static final Param<Mode> MODE = Param.oneOf("mode", Mode.class, "m").withDefault(Mode.SAFE);
  static final Param<Boolean> FLAG = Param.bool("flag", "f");
  static final Param<Duration> WAIT =
      Param.duration("wait", "w").withDefault(Duration.ofSeconds(1));
  static final Param<String> TOKEN = Param.string("token", "t").asSecret();
  static final Param<Double> RATIO = Param.float64("ratio", "r");
  static final ParamSet SET = ParamSet.of(NAME, COUNT, MODE, FLAG, WAIT, TOKEN, RATIO);

  @Test
  void defaultsAndOptional() {
    ParamSet.Values v = SET.parse(Map.of("name", " x "), true);
    assertThat(v.get(NAME)).isEqualTo("x");
    assertThat(v.get(COUNT)).isEqualTo(3L);
    assertThat(v.get(MODE)).isEqualTo(Mode.SAFE);
    assertThat(v.get(FLAG)).isFalse();
    assertThat(v.get(WAIT)).isEqualTo(Duration.ofSeconds(1));
    assertThat(v.get(TOKEN)).isNull();
    assertThat(v.get(RATIO)).isNull();
    assertThat(v.isSet(COUNT)).isFalse();
    assertThat(SET.parse(Map.of("name", "x", "count", ""), true).get(COUNT)).isEqualTo(3L);
  }

  static Stream<Arguments> values() {
    return Stream.of(
        Arguments.of("count", "42", COUNT, 42L),
        Arguments.of("mode", "fast", MODE, Mode.FAST),
        Arguments.of("flag", "T", FLAG, true),
        Arguments.of("flag", "0", FLAG, false),
        Arguments.of("wait", "250ms", WAIT, Duration.ofMillis(250)),
        Arguments.of("wait", "1.5s", WAIT, Duration.ofMillis(1500)),
        Arguments.of("wait", "2m", WAIT, Duration.ofMinutes(2)),
        Arguments.of("wait", "3", WAIT, Duration.ofSeconds(3)),
        Arguments.of("ratio", "-1.5e2", RATIO, -150.0));
  }

  @ParameterizedTest
  @MethodSource("values")
  void parsesEachType(String key, String raw, Param<?> param, Object expected) {
    ParamSet.Values v = SET.parse(Map.of("name", "x", key, raw), true);
    assertThat((Object) v.get(param)).isEqualTo(expected);
    assertThat(v.isSet(param)).isTrue();
  }

  static Stream<Arguments> errors() {
    return Stream.of(
        Arguments.of(Map.of(), "parameter 'name' is required"),
        Arguments.of(Map.of("name", "x", "count", "1.5"), "parameter 'count': invalid value '1.5'"),
        Arguments.of(Map.of("name", "x", "mode", "FAST"), "must be one of fast|safe"),
        Arguments.of(Map.of("name", "x", "flag", "yes"), "must be true or false"),
        Arguments.of(Map.of("name", "x", "wait", "soon"), "duration"),
        Arguments.of(Map.of("name", "x", "ratio", "NaN"), "'ratio'"),
        Arguments.of(Map.of("name", "x", "colour", "red"), "unknown parameter(s) [colour]"));
  }

  @ParameterizedTest
  @MethodSource("errors")
  void errorsNameTheParameter(Map<String, String> raw, String message) {
    assertThatThrownBy(() -> SET.parse(raw, true))
        .isInstanceOfSatisfying(
            AdapterException.class,
            e -> assertThat(e.kind()).isEqualTo(AdapterException.Kind.INVALID_CONFIG))
        .hasMessageContaining(message);
  }

  @Test
  void secretValuesAreNeverEchoed() {
    Param<Long> secretNumber = Param.int64("pin", "p").asSecret();
    assertThatThrownBy(() -> ParamSet.of(secretNumber).parse(Map.of("pin", "hunter2"), true))
        .hasMessageContaining("'pin'")
        .hasMessageNotContaining("hunter2");
    assertThat(Redaction.redact(Map.of("sasl.jaas.config", "x password=\"p\"", "topic", "t")))
        .containsEntry("sasl.jaas.config", "[redacted]")
        .containsEntry("topic", "t");
    assertThat(Redaction.redact("login password=hunter2 user=u")).doesNotContain("hunter2");
  }

  @Test
  void unknownKeysCanBeReportedInsteadOfRejected() {
    ParamSet.Values v = SET.parse(Map.of("name", "x", "colour", "red"), false);
    assertThat(v.unknownKeys()).containsExactly("colour");
  }
}
