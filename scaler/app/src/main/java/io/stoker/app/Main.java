package io.stoker.app;

import io.stoker.app.commands.DemoCommand;
import io.stoker.app.commands.ReportCommand;
import io.stoker.app.commands.RunCommand;
import io.stoker.app.commands.SimulateCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code stoker} executable. */
@Command(
    name = "stoker",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Event-driven executor autoscaler for Apache Spark on Kubernetes.",
    subcommands = {SimulateCommand.class, ReportCommand.class, DemoCommand.class})
public final class Main implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns the exit code (0 ok, 1 failure, 2 bad input). */
  public static int run(String... args) {
    return commandLine().execute(args);
  }

  /**
   * The command line with every subcommand; usage errors (unknown option, missing or conflicting
   * options) exit 2 like other bad input, anything else that escapes a command exits 1.
   */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    cl.addSubcommand("run", RunCommand.commandLine());
    cl.setExitCodeExceptionMapper(
        e -> e instanceof CommandLine.ParameterException ? CommandLine.ExitCode.USAGE : 1);
    return cl;
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** Version from the jar manifest, if any. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"stoker " + (v == null ? "dev" : v)};
    }
  }
}
