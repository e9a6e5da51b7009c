package io.stoker.app.commands;

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
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code stoker report}: the benchmark report over a folder of traces, with plots. */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description = {
      "Run every trace of a folder (and the built-in workloads with other seeds) through all",
      "policies in four execution modes (continuous, back-to-back micro-batches, 10 s and 30 s",
      "triggers), cold and after replayed history, and write the benchmark report and its plots."
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

  @Option(
      names = "--history",
      paramLabel = "N",
      defaultValue = "1",
      description = {
        "Passes of each trace replayed before the measured one in the warm goal tables, every"
            + " policy keeping its state (default: ${DEFAULT-VALUE}; 0: cold tables only)."
      })
  int history;

  @Option(
      names = "--threads",
      paramLabel = "N",
      defaultValue = "2",
      description = "Comparisons run at once (default: ${DEFAULT-VALUE}).")
  int threads;

  /**
   * An execution mode of the report: scenario keys over the defaults.
   *
   * @param title as the report names it
   * @param suffix of its plot files ("" for continuous processing)
   * @param overrides scenario keys and values
   */
  record Mode(String title, String suffix, Map<String, Object> overrides) {
    Scenario scenario(Map<String, Object> more) {
      Map<String, Object> m = new LinkedHashMap<>(overrides);
      m.putAll(more);
      try {
        return Scenario.fromMap(m);
      } catch (InputException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** The four modes of issue 18. */
  static final List<Mode> MODES =
      List.of(
          new Mode("continuous processing", "", Map.of()),
          new Mode(
              "back-to-back micro-batches, batchOverheadSeconds 1",
              "-overhead1",
              Map.of("batchOverheadSeconds", 1)),
          new Mode("trigger 10 s", "-trigger10", Map.of("triggerIntervalSeconds", 10)),
          new Mode(
              "trigger 30 s, batchOverheadSeconds 1",
              "-trigger30",
              Map.of("triggerIntervalSeconds", 30, "batchOverheadSeconds", 1)));

  /** Modes whose per-trace plots are written (the others' tables are in the report). */
  static final List<String> PLOTTED = List.of("", "-trigger30");

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
          Trace trace = TraceCsv.read(f);
          trace.checkHistory(history);
          list.add(trace);
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
    if (history < 0 || threads < 1) {
      err.println("stoker report: --history must be >= 0 and --threads >= 1");
      err.flush();
      return 2;
    }
    StringBuilder md = new StringBuilder();
    header(md, Scenario.defaults(), history);
    StringBuilder goals = new StringBuilder();
    StringBuilder misses = new StringBuilder();
    StringBuilder sections = new StringBuilder();
    StringBuilder unseenMd = new StringBuilder();
    Placeholders placeholders = new Placeholders();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      for (Mode mode : MODES) {
        for (int h : history == 0 ? List.of(0) : List.of(0, history)) {
          List<Future<TraceRun>> runs = new ArrayList<>();
          for (Trace trace : list) {
            runs.add(pool.submit(() -> runTrace(mode, trace, h)));
          }
          List<TraceRun> done = new ArrayList<>();
          for (Future<TraceRun> f : runs) {
            done.add(get(f));
          }
          goalTable(goals, mode, h, done);
          StringBuilder why = new StringBuilder();
          for (TraceRun t : done) {
            why.append(t.misses());
          }
          if (why.length() > 0) {
            misses.append("##### ").append(configTitle(mode, h)).append("\n\n").append(why);
            misses.append('\n');
          }
          for (TraceRun t : done) {
            if (h == 0 && mode.suffix().isEmpty()) {
              placeholders.add(t.placeholderRow(), true);
            }
          }
          sections(sections, mode, h, done);
        }
        unseen(unseenMd, mode, unseenSeeds, placeholders, pool);
      }
    } finally {
      pool.shutdownNow();
    }
    md.append(goals);
    md.append("### Where a goal is missed, and why (generated)\n\n");
    md.append(misses.length() == 0 ? "Every goal is met in every mode.\n\n" : misses.toString());
    md.append(sections);
    md.append(unseenMd);
    placeholders.write(md);
    Path parent = out.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(out, merge(out, md.toString()), StandardCharsets.UTF_8);
    spec.commandLine()
        .getOut()
        .println("wrote " + out + " and " + list.size() * PLOTTED.size() + " plots in " + plots);
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

  /** One trace replayed in one mode: what the report shows of it (the replays are dropped). */
  record TraceRun(
      String name,
      Goals goals,
      String goalRow,
      String misses,
      String section,
      Placeholders.Row placeholderRow) {}

  private TraceRun runTrace(Mode mode, Trace trace, int h) throws IOException {
    Scenario sc = mode.scenario(Map.of());
    Comparison.Result r =
        Comparison.run(
            trace,
            sc,
            new LinkedHashSet<>(Comparison.POLICIES),
            io.stoker.core.model.ScalingOptions.defaults(),
            h);
    Goals g = Goals.of(r, trace, h > 0);
    StringBuilder section = new StringBuilder();
    if (h == 0 && mode.suffix().isEmpty()) {
      fullSection(section, r);
    } else {
      compactRows(section, r);
    }
    if (h == 0 && PLOTTED.contains(mode.suffix())) {
      Path png = plots.resolve(trace.name() + mode.suffix() + ".png");
      Plots.write(r, png);
      section
          .append("\n![")
          .append(trace.name())
          .append(mode.suffix())
          .append("](")
          .append(relative(png))
          .append(")\n\n");
    }
    return new TraceRun(
        trace.name(),
        g,
        goalRow(trace.name(), g, r),
        explainMisses(trace, g, r, mode, h),
        section.toString(),
        Placeholders.row(trace.name(), r));
  }

  private static <T> T get(Future<T> f) throws IOException {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  static String configTitle(Mode mode, int h) {
    return mode.title() + (h == 0 ? ", cold" : ", --history " + h);
  }

  private static void header(StringBuilder md, Scenario sc, int history) {
    md.append(
        "## Simulator: Stoker against KEDA + HPA, Spark's dynamic allocations, a static fleet and"
            + " the oracle\n\n");
    md.append("Produced by:\n\n```\n").append(COMMAND).append("\n```\n\n");
    md.append(
        "Default scenario (docs/simulator.md): "
            + String.format(
                Locale.ROOT,
                "executorRate %.0f/s (noise %.2f), %d cores, %d partitions, pod start-up %.0f s ± %.0f,"
                    + " node provisioning %.0f s, %d executors per node, %d initial nodes, executors %d..%d"
                    + " (initially %d), latency objective %.0f s, tick %d s, decommission %.0f s, empty nodes go after %.0f s,"
                    + " pods placed `%s`, seed %d.",
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
                sc.nodeIdleSeconds(),
                sc.placement().key(),
                sc.seed())
            + " SLA budget: 1 % of each trace's duration in violation seconds.\n\n");
    md.append("Four execution modes, each cold and after ")
        .append(history)
        .append(
            " replayed pass(es) of the same trace (`--history`, every policy keeping its"
                + " state; the figures are the last pass's):\n\n");
    for (Mode m : MODES) {
      md.append("- **").append(m.title()).append("**: ");
      md.append(
          m.overrides().isEmpty()
              ? "the default scenario"
              : "scenario " + new java.util.TreeMap<>(m.overrides()));
      md.append('\n');
    }
    md.append(
        "\nStoker runs with its one default configuration everywhere. Each peer is tuned in"
            + " hindsight: `keda-hpa` over lagThreshold × the HPA's scale-down window {0, 60, 120,"
            + " 300} s, `spark-da` over executorIdleTimeout × executorAllocationRatio {1, 0.5,"
            + " 0.25}, `streaming-da` (Spark Streaming's batch-time rule, modes with a trigger"
            + " interval only) over scalingInterval {30, 60, 120} s; the plain rows are the best"
            + " point of each sweep (cheapest within the budget, else fewest violation seconds)."
            + " With micro-batches the `oracle` holds the fewest executors whose batches keep every"
            + " record within the objective (docs/simulator.md). `stoker+placeholders` is Stoker's"
            + " decisions plus placeholder pods, swept over the configured headroom; its points are"
            + " not peers.\n\n"
            + "Goals (issue 18). A point dominates another when it is at least as good on both"
            + " axes and better on one. **G1** frontier: no peer point dominates stoker on"
            + " (executor-seconds, violation seconds). **G2** SLA: cold, where a reactive peer point"
            + " (keda-hpa, spark-da, streaming-da) meets the budget, stoker does too; with history,"
            + " where any peer point does, static-peak included. **G3** cost: executor-seconds ≤"
            + " max(0.75 × the cheapest peer point within the budget, 1.10 × oracle) cold, ≤ max(the"
            + " cheapest such point, 1.10 × oracle) with history. **G4** node bill: no peer point"
            + " dominates stoker on (node-seconds, violation seconds). **G5** settling: ≤ 2 actions"
            + " after a step (a change of the rate by more than 1.5× between two rows; actions"
            + " counted until the next step, at most 20 minutes).\n\n");
  }

  private static String goalRow(String trace, Goals g, Comparison.Result r) {
    return "| "
        + String.join(
            " | ",
            trace,
            mark(g.frontierMet()) + " " + dominators(g.dominatedBy(), r, false),
            mark(g.slaMet())
                + " "
                + g.slaViolationSeconds()
                + " / "
                + fmt(g.slaBudgetSeconds())
                + (g.withinBudget() || g.slaRequired() ? "" : " (no peer meets it)"),
            mark(g.costMet())
                + String.format(
                    Locale.ROOT,
                    " %.0f / %.0f (%.2f×)",
                    g.executorSeconds(),
                    g.costBound(),
                    g.executorSeconds() / g.costBound()),
            mark(g.nodeBillMet()) + " " + dominators(g.dominatedOnNodesBy(), r, true),
            mark(g.settlingMet()) + " " + settling(g),
            String.format(
                Locale.ROOT,
                "%.0f · %.0f · %.2f×",
                g.executorSeconds(),
                g.nodeSeconds(),
                g.executorSeconds() / g.oracleExecutorSeconds()))
        + " |\n";
  }

  /** "none", or how many points dominate and the cheapest of them with its figures. */
  private static String dominators(List<String> names, Comparison.Result r, boolean nodes) {
    if (names.isEmpty()) {
      return "none";
    }
    String cheapest = names.get(0);
    for (String n : names) {
      if (cost(r.get(n), nodes) < cost(r.get(cheapest), nodes)) {
        cheapest = n;
      }
    }
    SimResult c = r.get(cheapest);
    return String.format(
        Locale.ROOT,
        "%d, e.g. `%s` (%.0f · %d s)",
        names.size(),
        cheapest,
        cost(c, nodes),
        c.slaViolationSeconds());
  }

  private static double cost(SimResult s, boolean nodes) {
    return nodes ? s.nodeSeconds() : s.executorSeconds();
  }

  private static String settling(Goals g) {
    List<Integer> a = g.stepActions();
    if (a.isEmpty()) {
      return "no step";
    }
    if (a.size() <= 6) {
      return a.toString();
    }
    int over = 0;
    for (int x : a) {
      over += x > 2 ? 1 : 0;
    }
    return String.format(
        Locale.ROOT, "max %d over %d steps (%d above 2)", g.maxStepActions(), a.size(), over);
  }

  private static void goalTable(StringBuilder md, Mode mode, int h, List<TraceRun> runs) {
    if (mode == MODES.get(0) && h == 0) {
      md.append("### Goals\n\n");
    }
    md.append("#### ").append(configTitle(mode, h)).append("\n\n");
    md.append(
        "| trace | G1 frontier: peer points dominating stoker | G2 SLA: violation s / budget |"
            + " G3 cost: stoker / bound | G4 node bill: peer points dominating on node-s |"
            + " G5 actions after each step | stoker executor-s · node-s · ÷ oracle |\n");
    md.append("|---|---|---|---|---|---|---|\n");
    int met = 0;
    for (TraceRun t : runs) {
      md.append(t.goalRow());
      Goals g = t.goals();
      met +=
          (g.frontierMet() ? 1 : 0)
              + (g.slaMet() ? 1 : 0)
              + (g.costMet() ? 1 : 0)
              + (g.nodeBillMet() ? 1 : 0)
              + (g.settlingMet() ? 1 : 0);
    }
    md.append(String.format(Locale.ROOT, "%n%d of %d goals met.%n%n", met, 5 * runs.size()));
  }

  /** Says by how much each goal is missed, with the figures behind it. */
  private String explainMisses(Trace trace, Goals g, Comparison.Result r, Mode mode, int h) {
    StringBuilder md = new StringBuilder();
    SimResult stoker = r.get("stoker");
    String who = "- **" + trace.name() + "**";
    if (!g.frontierMet()) {
      md.append(
          String.format(
              Locale.ROOT,
              "%s G1: stoker %.0f executor-s with %d violation s is dominated by %s.%n",
              who,
              stoker.executorSeconds(),
              stoker.slaViolationSeconds(),
              dominators(g.dominatedBy(), r, false)));
    }
    if (!g.nodeBillMet()) {
      md.append(
          String.format(
              Locale.ROOT,
              "%s G4: stoker %.0f node-s with %d violation s is dominated by %s.%n",
              who,
              stoker.nodeSeconds(),
              stoker.slaViolationSeconds(),
              dominators(g.dominatedOnNodesBy(), r, true)));
    }
    if (!g.costMet()) {
      md.append(
          String.format(
              Locale.ROOT,
              "%s G3: %.0f executor-s, %.2f× the bound %.0f (oracle %.0f, cheapest peer point within"
                  + " the budget %s).%n",
              who,
              g.executorSeconds(),
              g.executorSeconds() / g.costBound(),
              g.costBound(),
              g.oracleExecutorSeconds(),
              Double.isNaN(g.cheapestPeerWithinBudget())
                  ? "none"
                  : String.format(Locale.ROOT, "%.0f", g.cheapestPeerWithinBudget())));
    }
    if (!g.settlingMet()) {
      List<int[]> upDown = Goals.stepUpsAndDowns(stoker, trace);
      StringBuilder detail = new StringBuilder();
      for (int i = 0; i < upDown.size(); i++) {
        int[] ud = upDown.get(i);
        if (ud[0] + ud[1] > 2) {
          detail.append(
              String.format(
                  Locale.ROOT,
                  "%sstep %d: %d up, %d down",
                  detail.length() == 0 ? "" : "; ",
                  i + 1,
                  ud[0],
                  ud[1]));
        }
      }
      md.append(who)
          .append(" G5: more than 2 actions after a step (")
          .append(detail)
          .append(").\n");
    }
    if (!g.slaMet()) {
      md.append(
          String.format(
              Locale.ROOT,
              "%s G2: %d violation s, budget %.0f.",
              who,
              g.slaViolationSeconds(),
              g.slaBudgetSeconds()));
      int novel = 0;
      for (Goals.Episode e : g.episodes()) {
        novel += e.novel() ? e.seconds() : 0;
      }
      md.append(
          String.format(
              Locale.ROOT,
              " %d episode(s); %d of the seconds follow a burst above any rate seen before in"
                  + " the measured pass.",
              g.episodes().size(),
              novel));
      SimResult warm = warmNodes(trace, mode, h);
      md.append(
          String.format(
              Locale.ROOT,
              " With nodes ready in advance (`nodeProvisionSeconds` 0) stoker has %d violation s"
                  + " at %.0f executor-s.%n",
              warm.slaViolationSeconds(),
              warm.executorSeconds()));
    }
    return md.toString();
  }

  private static SimResult warmNodes(Trace trace, Mode mode, int h) {
    Scenario warm = mode.scenario(Map.of("nodeProvisionSeconds", 0));
    return Comparison.run(
            trace,
            warm,
            java.util.Set.of("stoker"),
            io.stoker.core.model.ScalingOptions.defaults(),
            h)
        .get("stoker");
  }

  private static final String ROW_HEADER =
      "| policy | setting | executor-s | node-s | SLA-violation s | p99 latency s | max latency s |"
          + " max backlog | actions | mean utilisation | stoker ÷ this |\n"
          + "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";

  private static void fullSection(StringBuilder md, Comparison.Result r) {
    md.append("#### ").append(r.trace()).append("\n\n");
    md.append(
        String.format(
            Locale.ROOT,
            "%d s; SLA budget %.0f violation seconds.%n%n",
            r.durationSeconds(),
            r.slaBudgetSeconds()));
    md.append(ROW_HEADER);
    for (Comparison.Entry e : r.entries()) {
      row(md, e, r.get("stoker"));
    }
  }

  private static void compactRows(StringBuilder md, Comparison.Result r) {
    md.append("#### ").append(r.trace()).append("\n\n");
    md.append(ROW_HEADER);
    for (Comparison.Entry e : r.entries()) {
      if (!e.sweepPoint()) {
        row(md, e, r.get("stoker"));
      }
    }
  }

  private static void row(StringBuilder md, Comparison.Entry e, SimResult stoker) {
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

  private static void sections(StringBuilder md, Mode mode, int h, List<TraceRun> runs) {
    md.append("### Per trace: ").append(configTitle(mode, h)).append("\n\n");
    if (h == 0 && mode.suffix().isEmpty()) {
      md.append("Every sweep point is listed (↳).\n\n");
    } else {
      md.append("The chosen entries; `stoker simulate --json` lists every sweep point.\n\n");
    }
    for (TraceRun t : runs) {
      md.append(t.section()).append('\n');
    }
  }

  private void unseen(
      StringBuilder md,
      Mode mode,
      List<Long> seeds,
      Placeholders placeholders,
      ExecutorService pool)
      throws IOException {
    md.append("### Workloads the defaults were not tuned on: ")
        .append(configTitle(mode, 0))
        .append("\n\n");
    md.append(
        "The built-in generators (`stoker simulate --workload NAME`) with other seeds (the"
            + " scenario's seed too): same kinds of shape, other burst times, sizes and noise.\n\n");
    md.append(
        "| workload | seed | G1 | G2: violation s / budget | G3: stoker / bound | G4 | G5 |"
            + " stoker executor-s · node-s | oracle executor-s | stoker ÷ oracle |\n");
    md.append("|---|---:|---|---|---|---|---|---:|---:|---:|\n");
    List<Future<Object[]>> rows = new ArrayList<>();
    for (String name : Workloads.NAMES) {
      for (long seed : seeds) {
        rows.add(pool.submit(() -> unseenRow(mode, name, seed)));
      }
    }
    for (Future<Object[]> f : rows) {
      Object[] row = get(f);
      md.append((String) row[0]);
      if (mode.suffix().isEmpty()) {
        placeholders.add((Placeholders.Row) row[1], false);
      }
    }
    md.append('\n');
  }

  private static Object[] unseenRow(Mode mode, String name, long seed) {
    Trace t;
    try {
      t = Workloads.generate(name, seed);
    } catch (InputException e) {
      throw new IllegalStateException(e);
    }
    Scenario seeded = mode.scenario(Map.of("seed", seed));
    Comparison.Result r = Comparison.run(t, seeded, new LinkedHashSet<>(Comparison.POLICIES));
    Goals g = Goals.of(r, t);
    String row =
        String.format(
            Locale.ROOT,
            "| %s | %d | %s | %s %d / %.0f | %s %.2f× | %s | %s %d | %.0f · %.0f | %.0f | %.2f× |%n",
            name,
            seed,
            mark(g.frontierMet()) + (g.frontierMet() ? "" : " " + g.dominatedBy().size()),
            mark(g.slaMet()),
            g.slaViolationSeconds(),
            g.slaBudgetSeconds(),
            mark(g.costMet()),
            g.executorSeconds() / g.costBound(),
            mark(g.nodeBillMet()) + (g.nodeBillMet() ? "" : " " + g.dominatedOnNodesBy().size()),
            mark(g.settlingMet()),
            g.maxStepActions(),
            g.executorSeconds(),
            g.nodeSeconds(),
            g.oracleExecutorSeconds(),
            g.executorSeconds() / g.oracleExecutorSeconds());
    return new Object[] {row, Placeholders.row(name + " (seed " + seed + ")", r)};
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

    /**
     * One trace's cells, taken from a comparison so the comparison itself need not be kept.
     *
     * @param name the row's name
     * @param columns the column names
     * @param figures per column: violation s, p99 latency, executor-s, placeholder-s
     */
    record Row(String name, List<String> columns, List<double[]> figures) {}

    static Row row(String name, Comparison.Result r) {
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
      List<double[]> figures = new ArrayList<>();
      for (SimResult p : points) {
        figures.add(
            new double[] {
              p.slaViolationSeconds(),
              p.p99LatencySeconds(),
              p.executorSeconds(),
              p.placeholderSeconds()
            });
      }
      return new Row(name, List.copyOf(names), List.copyOf(figures));
    }

    void add(Row row, boolean standard) {
      if (columns.isEmpty()) {
        columns.addAll(row.columns());
      }
      StringBuilder rows = standard ? standardRows : builtInRows;
      rows.append("| ").append(row.name());
      for (int i = 0; i < row.figures().size(); i++) {
        double[] p = row.figures().get(i);
        rows.append(" | ").append(cell(p));
        if (standard) {
          if (totals.size() <= i) {
            totals.add(new double[4]);
          }
          double[] t = totals.get(i);
          t[0] += p[0];
          t[1] = Math.max(t[1], p[1]);
          t[2] += p[2];
          t[3] += p[3];
        }
      }
      rows.append(" |\n");
      if (standard) {
        standardTraces++;
      }
    }

    private static String cell(double[] p) {
      return String.format(Locale.ROOT, "%.0f · %.0f · %.0f (%.0f)", p[0], p[1], p[2], p[3]);
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
      md.append(
          "### Placeholder pods: latency bought with room held in advance (continuous"
              + " processing, cold)\n\n");
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
