package io.stoker.app.cli;

import io.stoker.sim.Comparison;
import io.stoker.sim.Goals;
import io.stoker.sim.InputException;
import io.stoker.sim.Scenario;
import io.stoker.sim.SimResult;
import io.stoker.sim.Trace;
import io.stoker.sim.TraceCsv;
import io.stoker.sim.Workloads;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code stoker report}: the benchmark report over a folder of traces, with plots. */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description = {
      "Run every trace of a folder (and the built-in workloads with other seeds) through all",
      "policies with the default scenario, and write the benchmark report and its plots."
    })
public final class ReportCommand implements Callable<Integer> {

  /** The command that produces the committed report, quoted in it. */
  static final String COMMAND =
      "./mvnw -q -pl scaler/app -am package -DskipTests && java -jar scaler/app/target/stoker.jar"
          + " report --traces ../shared/traces --out docs/benchmarks.md --plots docs/plots";

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--traces",
      paramLabel = "DIR",
      required = true,
      description = "Folder of *.csv traces.")
  Path traces;

  @Option(
      names = "--out",
      paramLabel = "FILE.md",
      defaultValue = "docs/benchmarks.md",
      description = "Markdown report to write (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(
      names = "--plots",
      paramLabel = "DIR",
      defaultValue = "docs/plots",
      description = "Folder for one PNG per trace (default: ${DEFAULT-VALUE}).")
  Path plots;

  @Option(
      names = "--unseen-seeds",
      split = ",",
      defaultValue = "7,11,23",
      description =
          "Seeds of the built-in workloads run as unseen workloads (default: ${DEFAULT-VALUE}).")
  List<Long> unseenSeeds;

  @Override
  public Integer call() throws IOException {
    PrintWriter err = spec.commandLine().getErr();
    List<Trace> list = new ArrayList<>();
    try {
      if (!Files.isDirectory(traces)) {
        throw new InputException("--traces: " + traces + " is not a folder");
      }
      try (DirectoryStream<Path> files = Files.newDirectoryStream(traces, "*.csv")) {
        List<Path> sorted = new ArrayList<>();
        files.forEach(sorted::add);
        sorted.sort(null);
        for (Path f : sorted) {
          list.add(TraceCsv.read(f));
        }
      }
      if (list.isEmpty()) {
        throw new InputException("--traces: no *.csv file in " + traces);
      }
    } catch (InputException e) {
      err.println("stoker report: " + e.getMessage());
      err.flush();
      return 2;
    }
    Scenario scenario = Scenario.defaults();
    StringBuilder md = new StringBuilder();
    header(md, scenario);
    List<String[]> summary = new ArrayList<>();
    StringBuilder sections = new StringBuilder();
    for (Trace trace : list) {
      Comparison.Result r =
          Comparison.run(trace, scenario, new LinkedHashSet<>(Comparison.POLICIES));
      Goals g = Goals.of(r, trace);
      summary.add(summaryRow(trace.name(), g));
      section(sections, r, g);
      Path png = plots.resolve(trace.name() + ".png");
      Plots.write(r, png);
      sections.append("![").append(trace.name()).append("](").append(relative(png)).append(")\n\n");
    }
    summaryTable(md, summary);
    md.append(sections);
    unseen(md, scenario);
    Path parent = out.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(out, md.toString(), StandardCharsets.UTF_8);
    spec.commandLine()
        .getOut()
        .println("wrote " + out + " and " + list.size() + " plots in " + plots);
    spec.commandLine().getOut().flush();
    return 0;
  }

  private String relative(Path png) {
    Path base = out.toAbsolutePath().getParent();
    return base == null ? png.toString() : base.relativize(png.toAbsolutePath()).toString();
  }

  private static void header(StringBuilder md, Scenario sc) {
    md.append("# Benchmarks\n\n");
    md.append(
        "## Simulator: Stoker against KEDA + HPA, Spark dynamic allocation, a static fleet and the oracle\n\n");
    md.append("Produced by:\n\n```\n").append(COMMAND).append("\n```\n\n");
    md.append(
        "Default scenario (docs/simulator.md): "
            + String.format(
                Locale.ROOT,
                "executorRate %.0f/s (noise %.2f), %d cores, %d partitions, pod start-up %.0f s ± %.0f,"
                    + " node provisioning %.0f s, %d executors per node, %d initial nodes, executors %d..%d"
                    + " (initially %d), latency objective %.0f s, tick %d s, decommission %.0f s, seed %d.",
                sc.executorRate(),
                sc.executorRateNoise(),
                sc.coresPerExecutor(),
                sc.partitions(),
                sc.podStartupSeconds(),
                sc.podStartupJitterSeconds(),
                sc.nodeProvisionSeconds(),
                sc.executorsPerNode(),
                sc.initialNodes(),
                sc.minExecutors(),
                sc.maxExecutors(),
                sc.initialExecutors(),
                sc.targetLatencySeconds(),
                sc.pollSeconds(),
                sc.decommissionSeconds(),
                sc.seed())
            + " SLA budget: 1 % of each trace's duration in violation seconds."
            + " Stoker runs with its one default configuration everywhere; each peer runs with its"
            + " published default and a sweep of its main knob, and the plain `keda-hpa` and"
            + " `spark-da` rows are the best point of the sweep (cheapest within the budget, else"
            + " fewest violation seconds).\n\n");
  }

  private static String[] summaryRow(String trace, Goals g) {
    return new String[] {
      trace,
      mark(g.slaMet()) + " " + g.slaViolationSeconds() + " / " + fmt(g.slaBudgetSeconds()),
      mark(g.frontierMet())
          + (g.frontierMet() ? " none" : " " + String.join(", ", g.dominatedBy())),
      mark(g.costMet())
          + String.format(
              Locale.ROOT,
              " %.0f / %.0f (%.2f×)",
              g.executorSeconds(),
              g.costBound(),
              g.executorSeconds() / g.costBound()),
      String.format(Locale.ROOT, "%.2f×", g.executorSeconds() / g.oracleExecutorSeconds()),
      mark(g.maxStepActions() <= 2) + " " + g.stepActions()
    };
  }

  private static void summaryTable(StringBuilder md, List<String[]> rows) {
    md.append("### Goals\n\n");
    md.append(
        "| trace | SLA: violation s / budget | frontier: peer points that beat stoker on both |"
            + " cost: stoker / bound | stoker ÷ oracle | actions after each step (≤ 2) |\n");
    md.append("|---|---|---|---|---|---|\n");
    for (String[] r : rows) {
      md.append("| ").append(String.join(" | ", r)).append(" |\n");
    }
    md.append(
        "\nThe cost bound is max(0.75 × the cheapest peer point within the budget, 1.15 × the"
            + " oracle). A step is a change of the rate by more than 1.5× between two rows; actions"
            + " are counted until the next step, at most 20 minutes.\n\n");
  }

  private static void section(StringBuilder md, Comparison.Result r, Goals g) {
    md.append("### ").append(r.trace()).append("\n\n");
    md.append(
        String.format(
            Locale.ROOT,
            "%d s; SLA budget %.0f violation seconds.%n%n",
            r.durationSeconds(),
            r.slaBudgetSeconds()));
    md.append(
        "| policy | setting | executor-s | node-s | SLA-violation s | p99 latency s | max latency s |"
            + " max backlog | actions | mean utilisation | stoker ÷ this |\n");
    md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    SimResult stoker = r.get("stoker");
    for (Comparison.Entry e : r.entries()) {
      SimResult s = e.result();
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %.0f | %.0f | %d | %.1f | %.1f | %.0f | %d | %.2f | %s |%n",
              e.sweepPoint() ? "↳ " + e.name() : "**" + e.name() + "**",
              s.setting(),
              s.executorSeconds(),
              s.nodeSeconds(),
              s.slaViolationSeconds(),
              s.p99LatencySeconds(),
              s.maxLatencySeconds(),
              s.maxBacklogRecords(),
              s.scalingActions(),
              s.meanUtilization(),
              e.name().equals("stoker")
                  ? ""
                  : String.format(
                      Locale.ROOT, "%.2f×", stoker.executorSeconds() / s.executorSeconds())));
    }
    md.append('\n');
  }

  private static void unseen(StringBuilder md, Scenario scenario) {
    md.append("### Workloads the defaults were not tuned on\n\n");
    md.append(
        "The built-in generators (`stoker simulate --workload NAME`) with other seeds: same shapes,"
            + " different burst times, sizes and noise.\n\n");
    md.append(
        "| workload | seed | stoker executor-s | stoker violation s / budget | oracle executor-s |"
            + " stoker ÷ oracle | cost bound | cheapest peer within budget |\n");
    md.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (String name : Workloads.NAMES) {
      for (long seed : new long[] {7, 11, 23}) {
        Trace t;
        try {
          t = Workloads.generate(name, seed);
        } catch (InputException e) {
          throw new IllegalStateException(e);
        }
        Comparison.Result r = Comparison.run(t, scenario, new LinkedHashSet<>(Comparison.POLICIES));
        Goals g = Goals.of(r, t);
        md.append(
            String.format(
                Locale.ROOT,
                "| %s | %d | %.0f | %s %d / %.0f | %.0f | %.2f× | %.0f | %s |%n",
                name,
                seed,
                g.executorSeconds(),
                mark(g.slaMet()),
                g.slaViolationSeconds(),
                g.slaBudgetSeconds(),
                g.oracleExecutorSeconds(),
                g.executorSeconds() / g.oracleExecutorSeconds(),
                g.costBound(),
                Double.isNaN(g.cheapestPeerWithinBudget())
                    ? "none"
                    : String.format(Locale.ROOT, "%.0f", g.cheapestPeerWithinBudget())));
      }
    }
    md.append('\n');
  }

  private static String mark(boolean ok) {
    return ok ? "✅" : "❌";
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.0f", v);
  }
}
