package io.stoker.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stoker.app.commands.RunCommand;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * docs/configuration.md is generated from {@link OperatorConfig#PARAMETERS} and must be up to date;
 * every parameter is a flag of {@code stoker run} and a documented environment variable. Regenerate
 * with {@code -Dstoker.docs.update=true}.
 */
class ConfigDocsTest {
  static final Path DOC = Path.of("../../docs/configuration.md");

  @Test
  void docsAreGeneratedAndUpToDate() throws Exception {
    String expected = ConfigDocs.markdown();
    if (Boolean.getBoolean("stoker.docs.update")) {
      Files.writeString(DOC, expected, StandardCharsets.UTF_8);
    }
    assertThat(DOC).exists();
    assertThat(Files.readString(DOC, StandardCharsets.UTF_8))
        .as("docs/configuration.md is stale: rerun with -Dstoker.docs.update=true")
        .isEqualTo(expected);
  }

  @Test
  void everyParameterIsAFlagAnEnvVarAndDocumented() throws Exception {
    CommandLine run = RunCommand.commandLine();
    String doc = ConfigDocs.markdown();
    Set<String> envs = new HashSet<>();
    for (ConfigParameter<?> p : OperatorConfig.PARAMETERS) {
      assertThat(run.getCommandSpec().findOption(p.flag())).as(p.flag()).isNotNull();
      assertThat(doc).contains("`" + p.flag() + "`").contains("`" + p.env() + "`");
      assertThat(envs.add(p.env())).as("duplicate " + p.env()).isTrue();
    }
    assertThat(
            run.getCommandSpec().options().stream().filter(o -> o.longestName().startsWith("--")))
        .extracting(o -> o.longestName())
        .filteredOn(n -> !n.equals("--help") && !n.equals("--version"))
        .hasSize(OperatorConfig.PARAMETERS.size());
  }

  @Test
  void defaultsParseAndFlagsWinOverEnvironment() {
    OperatorConfig d = OperatorConfig.defaults(Map.of());
    assertThat(d.get(OperatorConfig.TICK)).isEqualTo(Duration.ofSeconds(10));
    assertThat(d.get(OperatorConfig.NAMESPACE)).isEmpty();
    OperatorConfig c =
        OperatorConfig.from(
            Map.of("tick-interval", "2s"),
            Map.of("STOKER_TICK_INTERVAL", "5s", "STOKER_NAMESPACE", "spark"));
    assertThat(c.get(OperatorConfig.TICK)).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.get(OperatorConfig.NAMESPACE)).containsExactly("spark");
  }

  @Test
  void severalNamespacesAreWatchedWhenListed() {
    assertThat(
            OperatorConfig.defaults(Map.of("namespace", "team-a, team-b"))
                .get(OperatorConfig.NAMESPACE))
        .containsExactly("team-a", "team-b");
    assertThatThrownBy(() -> OperatorConfig.defaults(Map.of("namespace", "team-a,,Team_B")))
        .hasMessageContaining("--namespace")
        .hasMessageContaining("'' is not a namespace name");
    assertThatThrownBy(() -> OperatorConfig.defaults(Map.of("namespace", "a,a")))
        .hasMessageContaining("namespace a is listed twice");
  }

  @Test
  void badValuesNameTheFlagAndTheVariable() {
    assertThatThrownBy(() -> OperatorConfig.from(Map.of("metrics-port", "99999"), Map.of()))
        .hasMessageContaining("--metrics-port")
        .hasMessageContaining("STOKER_METRICS_PORT");
    assertThatThrownBy(
            () -> OperatorConfig.from(Map.of(), Map.of("STOKER_LEASE_RENEW_DEADLINE", "20s")))
        .hasMessageContaining("--lease-renew-deadline");
  }
}
