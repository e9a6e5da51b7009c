package io.stoker.app.cli;

import io.stoker.sim.Comparison;
import io.stoker.sim.Goals;
import io.stoker.sim.InputException;
import io.stoker.sim.Scenario;
import io.stoker.sim.SimResult;
import io.stoker.sim.StokerPolicy;
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
          + " report --traces docs/traces --out docs/benchmarks.md --plots docs/plots";

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--traces",
      paramLabel = "DIR",
      defaultValue = "docs/traces",
      description = "Folder of *.csv traces (default: ${DEFAULT-VALUE}, the repository's own).")
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
    StringBuilder misses = new StringBuilder();
    StringBuilder sections = new StringBuilder();
    Placeholders placeholders = new Placeholders();
    for (Trace trace : list) {
      Comparison.Result r =
          Comparison.run(trace, scenario, new LinkedHashSet<>(Comparison.POLICIES));
      placeholders.add(trace.name(), r, true);
      Goals g = Goals.of(r, trace);
      summary.add(summaryRow(trace.name(), g));
      explainMisses(misses, trace, g, r.get("stoker"));
      section(sections, r, g);
      Path png = plots.resolve(trace.name() + ".png");
      Plots.write(r, png);
      sections.append("![").append(trace.name()).append("](").append(relative(png)).append(")\n\n");
    }
    summaryTable(md, summary);
    if (misses.length() > 0) {
      md.append("#### Where a goal is missed, and why\n\n").append(misses).append('\n');
    }
    md.append(sections);
    unseen(md, unseenSeeds, placeholders);
    placeholders.write(md);
    Path parent = out.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(out, merge(out, md.toString()), StandardCharsets.UTF_8);
    spec.commandLine()
        .getOut()
        .println("wrote " + out + " and " + list.size() + " plots in " + plots);
    spec.commandLine().getOut().flush();
    return 0;
  }

  static final String BEGIN = "<!-- stoker report: begin (generated; edit ReportCommand) -->";
  static final String END = "<!-- stoker report: end -->";

  /**
   * The report is one section of the benchmarks file: other sections (written by other benchmarks)
   * are kept, this one is replaced between its markers.
   */
  static String merge(Path file, String section) throws IOException {
    String marked = BEGIN + "\n" + section + END + "\n";
    if (!Files.exists(file)) {
      return "# Benchmarks\n\n" + marked;
    }
    String old = Files.readString(file, StandardCharsets.UTF_8);
    int begin = old.indexOf(BEGIN);
    int end = old.indexOf(END);
    if (begin >= 0 && end > begin) {
      return old.substring(0, begin)
          + marked
          + old.substring(end + END.length()).replaceFirst("^\n", "");
    }
    int title = old.startsWith("# ") ? old.indexOf('\n') + 1 : 0;
    return old.substring(0, title) + "\n" + marked + "\n" + old.substring(title);
  }

  private String relative(Path png) {
    Path base = out.toAbsolutePath().getParent();
    return base == null ? png.toString() : base.relativize(png.toAbsolutePath()).toString();
  }

  private static void header(StringBuilder md, Scenario sc) {
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
            + " fewest violation seconds). `stoker+placeholders` is Stoker's same decisions plus"
            + " placeholder pods (below, and docs/simulator.md), swept over the configured headroom"
            + " the same way; its executor-seconds include the placeholders'.\n\n");
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

  /** Says by how much and why a goal is missed: which bursts, and what nodes ready would do. */
  private static void explainMisses(StringBuilder md, Trace trace, Goals g, SimResult stoker) {
    if (g.maxStepActions() > 2) {
      List<int[]> upDown = Goals.stepUpsAndDowns(stoker, trace);
      StringBuilder detail = new StringBuilder();
      for (int i = 0; i < upDown.size(); i++) {
        int[] ud = upDown.get(i);
        if (ud[0] + ud[1] > 2) {
          detail.append(
              String.format(
                  Locale.ROOT,
                  "%s step %d: %d up, %d down",
                  detail.length() == 0 ? "" : ";",
                  i + 1,
                  ud[0],
                  ud[1]));
        }
      }
      md.append(
          String.format(
              Locale.ROOT,
              "- **%s** (settling): more than 2 actions after some steps (%s). Scale-downs that"
                  + " follow a rate still falling after the step (a decay, or the end of a burst"
                  + " counted as its own step) are Stoker following demand down one tolerance band"
                  + " at a time, not oscillation; more than one scale-up after a step means the"
                  + " backlog grew while new nodes were provisioned.%n",
              trace.name(),
              detail.toString().strip()));
    }
    if (g.slaMet()) {
      return;
    }
    md.append(
        String.format(
            Locale.ROOT,
            "- **%s**: %d violation seconds, %d over the budget of %.0f.",
            trace.name(),
            g.slaViolationSeconds(),
            Math.round(g.slaViolationSeconds() - g.slaBudgetSeconds()),
            g.slaBudgetSeconds()));
    int novel = 0;
    for (Goals.Episode e : g.episodes()) {
      md.append(
          String.format(
              Locale.ROOT,
              " At %d s, %d s over the objective after the rate rose to %.0f/s%s.",
              e.start(),
              e.seconds(),
              e.rate(),
              e.novel()
                  ? String.format(
                      Locale.ROOT, ", above anything seen before (%.0f/s)", e.highestBefore())
                  : String.format(
                      Locale.ROOT, " (%.0f/s had been seen before)", e.highestBefore())));
      novel += e.novel() ? e.seconds() : 0;
    }
    SimResult warm = warmNodes(trace);
    md.append(
        String.format(
            Locale.ROOT,
            " %d of the %d seconds follow bursts larger than any seen before: the executors they"
                + " need do not fit on the nodes there are, and a new node (150 s) plus the pod"
                + " start-up (60 s) take longer than the 60 s objective, so no reactive policy"
                + " avoids them without capacity held in advance. With nodes ready in advance"
                + " (`nodeProvisionSeconds` 0, what capacity hints aim at), stoker has %d violation"
                + " seconds at %.0f executor-seconds; placeholder pods hold such room, at a price"
                + " (last section).%n",
            novel,
            g.slaViolationSeconds(),
            warm.slaViolationSeconds(),
            warm.executorSeconds()));
  }

  private static SimResult warmNodes(Trace trace) {
    try {
      Scenario warm = Scenario.fromMap(java.util.Map.of("nodeProvisionSeconds", 0));
      return Comparison.run(trace, warm, java.util.Set.of("stoker")).get("stoker");
    } catch (InputException e) {
      throw new IllegalStateException(e);
    }
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

  private static void unseen(StringBuilder md, List<Long> seeds, Placeholders placeholders) {
    md.append("### Workloads the defaults were not tuned on\n\n");
    md.append(
        "The built-in generators (`stoker simulate --workload NAME`) with other seeds (the"
            + " scenario's seed too): same kinds of shape, other burst times, sizes and noise.\n\n");
    md.append(
        "| workload | seed | stoker executor-s | stoker violation s / budget | oracle executor-s |"
            + " stoker ÷ oracle | cost: stoker / bound | cheapest peer within budget |\n");
    md.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (String name : Workloads.NAMES) {
      for (long seed : seeds) {
        Trace t;
        Scenario seeded;
        try {
          t = Workloads.generate(name, seed);
          seeded = Scenario.fromMap(java.util.Map.of("seed", seed));
        } catch (InputException e) {
          throw new IllegalStateException(e);
        }
        Comparison.Result r = Comparison.run(t, seeded, new LinkedHashSet<>(Comparison.POLICIES));
        placeholders.add(name + " (seed " + seed + ")", r, false);
        Goals g = Goals.of(r, t);
        md.append(
            String.format(
                Locale.ROOT,
                "| %s | %d | %.0f | %s %d / %.0f | %.0f | %.2f× | %s %.2f× | %s |%n",
                name,
                seed,
                g.executorSeconds(),
                mark(g.slaMet()),
                g.slaViolationSeconds(),
                g.slaBudgetSeconds(),
                g.oracleExecutorSeconds(),
                g.executorSeconds() / g.oracleExecutorSeconds(),
                mark(g.costMet()),
                g.executorSeconds() / g.costBound(),
                Double.isNaN(g.cheapestPeerWithinBudget())
                    ? "none"
                    : String.format(Locale.ROOT, "%.0f", g.cheapestPeerWithinBudget())));
      }
    }
    md.append('\n');
  }

  /**
   * The placeholder section: for each trace, stoker against stoker+placeholders at every headroom
   * of the sweep and the static peak fleet, in violation seconds, p99 latency and executor-seconds
   * (placeholders included).
   */
  static final class Placeholders {
    private final StringBuilder standardRows = new StringBuilder();
    private final StringBuilder builtInRows = new StringBuilder();
    private final List<String> columns = new ArrayList<>();

    /** Per column over the standard traces: violation s, worst p99, executor-s, placeholder-s. */
    private final List<double[]> totals = new ArrayList<>();

    private int standardTraces;

    void add(String name, Comparison.Result r, boolean standard) {
      List<SimResult> points = new ArrayList<>();
      List<String> names = new ArrayList<>();
      points.add(r.get("stoker"));
      names.add("stoker");
      for (Comparison.Entry e : r.entries()) {
        if (e.sweepPoint() && e.name().startsWith(StokerPolicy.WITH_PLACEHOLDERS + "[")) {
          points.add(e.result());
          names.add(
              "placeholders, " + e.result().setting().replace("headroomExecutors=", "headroom "));
        }
      }
      points.add(r.get("static-peak"));
      names.add("static-peak");
      if (columns.isEmpty()) {
        columns.addAll(names);
      }
      StringBuilder rows = standard ? standardRows : builtInRows;
      rows.append("| ").append(name);
      for (int i = 0; i < points.size(); i++) {
        SimResult p = points.get(i);
        rows.append(" | ").append(cell(p));
        if (standard) {
          if (totals.size() <= i) {
            totals.add(new double[4]);
          }
          double[] t = totals.get(i);
          t[0] += p.slaViolationSeconds();
          t[1] = Math.max(t[1], p.p99LatencySeconds());
          t[2] += p.executorSeconds();
          t[3] += p.placeholderSeconds();
        }
      }
      rows.append(" |\n");
      if (standard) {
        standardTraces++;
      }
    }

    private static String cell(SimResult p) {
      return String.format(
          Locale.ROOT,
          "%d · %.0f · %.0f (%.0f)",
          p.slaViolationSeconds(),
          p.p99LatencySeconds(),
          p.executorSeconds(),
          p.placeholderSeconds());
    }

    private void header(StringBuilder md, String first) {
      md.append("| ").append(first);
      for (String c : columns) {
        md.append(" | ").append(c);
      }
      md.append(" |\n|---");
      for (int i = 0; i < columns.size(); i++) {
        md.append("|---:");
      }
      md.append("|\n");
    }

    void write(StringBuilder md) {
      md.append("### Placeholder pods: latency bought with room held in advance\n\n");
      md.append(
          "`stoker+placeholders` makes the same decisions as `stoker` and, after each, keeps the"
              + " placeholder pods `Headroom` decides (scaler-core): the configured"
              + " `headroomExecutors`, or the executors the forecast needs before a new node could"
              + " arrive, whichever is more. An executor that finds no free room preempts a"
              + " placeholder and starts after the pod start-up instead of waiting for a new node;"
              + " placed placeholders are billed like executors and keep their nodes. Each cell:"
              + " violation seconds · p99 latency (s) · executor-seconds (of which placeholders);"
              + " the static peak fleet is there for scale.\n\n");
      header(md, "trace");
      md.append(standardRows);
      if (standardTraces > 0) {
        md.append("| **all ").append(standardTraces).append("** (p99: the worst)");
        for (double[] t : totals) {
          md.append(
              String.format(
                  Locale.ROOT, " | **%.0f · %.0f · %.0f (%.0f)**", t[0], t[1], t[2], t[3]));
        }
        md.append(" |\n");
      }
      if (builtInRows.length() > 0) {
        md.append("\nThe built-in workloads with the seeds of the table above:\n\n");
        header(md, "workload");
        md.append(builtInRows);
      }
      md.append(
          "\nWhat this shows. With headroom 0 the placeholders follow the forecast alone; they cost"
              + " little and change little, because Stoker already holds real executors as burst"
              + " headroom sized against the node delay it has learned, and the violation seconds"
              + " on these traces follow bursts larger than any seen before, which no forecast"
              + " foresees. A configured headroom turns the node wait into a pod start-up for as"
              + " many executors as it holds: a burst that needs no more than that stays within the"
              + " objective, a larger one still waits for new nodes for the executors beyond it."
              + " The price is the held room, billed all the time, quiet hours included: where"
              + " Stoker has no violations it buys nothing, and a headroom large enough to remove"
              + " them can cost as much as, or more than, a fleet sized for the peak. The model is"
              + " the optimistic"
              + " case of the pattern: preemption is instant (a real scheduler takes seconds), and"
              + " the placeholder is shaped exactly like an executor.\n\n");
    }
  }

  private static String mark(boolean ok) {
    return ok ? "✅" : "❌";
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.0f", v);
  }
}
