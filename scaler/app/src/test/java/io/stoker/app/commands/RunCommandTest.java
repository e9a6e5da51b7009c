package io.stoker.app.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.stoker.app.config.ConfigParameter;
import io.stoker.app.config.OperatorConfig;
import org.junit.jupiter.api.Test;

/**
 * {@code stoker run} on the command line: help and bad input (nothing here starts a controller).
 */
class RunCommandTest {

  @Test
  void helpListsEveryFlagAndItsEnvironmentVariable() {
    Cli.Result r = Cli.run("run", "--help");

    assertThat(r.exitCode()).isZero();
    for (ConfigParameter<?> p : OperatorConfig.PARAMETERS) {
      assertThat(r.out()).as(p.key()).contains(p.flag()).contains(p.env());
    }
  }

  @Test
  void aBadFlagValueExitsTwoNamingTheFlag() {
    Cli.Result r = Cli.run("run", "--tick-interval", "soon");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--tick-interval");
  }

  @Test
  void everyBadValueIsNamed() {
    Cli.Result r = Cli.run("run", "--metrics-port", "70000", "--leader-election", "maybe");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--metrics-port").contains("--leader-election");
  }

  @Test
  void anUnknownFlagExitsTwoNamingIt() {
    Cli.Result r = Cli.run("run", "--tick-intervall", "10s");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--tick-intervall");
  }
}
