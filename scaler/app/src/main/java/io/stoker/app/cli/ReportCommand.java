package io.stoker.app.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code stoker report}: the benchmark report over a folder of traces. */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description = "Run every trace of a folder through all policies and write docs/benchmarks.md.")
public final class ReportCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    return 0;
  }
}
