package io.stoker.app.commands;

import io.stoker.app.commands.demo.Demo;
import io.stoker.app.commands.demo.DemoResult;
import io.stoker.app.commands.demo.DemoSettings;
import io.stoker.sim.InputException;
import io.stoker.sim.Workloads;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code stoker demo}: Stoker sizing a fleet of Kafka consumers live, on an embedded broker. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Stoker's main job without a cluster: a Kafka broker in this JVM, a bursty producer, and a"
          + " fleet of consumer executors that Stoker's controller logic sizes live, next to a"
          + " fixed fleet sized for the peak that reads the same records.",
      "Prints a line per tick and a summary, and writes a plot.",
      "Exit codes: 0 ok, 1 the demo failed, 2 bad options."
    })
public final class DemoCommand implements Callable<Integer> {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--duration",
      paramLabel = "SECONDS",
      description = "How long the producer runs (default: ${DEFAULT-VALUE}).",
      defaultValue = "75")
  double durationSeconds;

  @Option(
      names = "--seed",
      description = "Seeds the workload and executor start-up delays (default: ${DEFAULT-VALUE}).",
      defaultValue = "42")
  long seed;

  @Option(
      names = "--tick",
      paramLabel = "SECONDS",
      description = "How often Stoker decides (default: ${DEFAULT-VALUE}).",
      defaultValue = "1")
  double tickSeconds;

  @Option(
      names = "--workload",
      paramLabel = "NAME",
      description =
          "Built-in workload of the simulator, compressed into --duration: "
              + "bursty, diurnal, flash-crowd, ramp, step (default: ${DEFAULT-VALUE}).",
      defaultValue = "flash-crowd")
  String workload;

  @Option(
      names = "--plot",
      paramLabel = "FILE.png|.svg",
      description = "Where to draw the run (default: ${DEFAULT-VALUE}).",
      defaultValue = "stoker-demo.png")
  Path plot;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    DemoSettings settings;
    try {
      settings = settings();
      Plots.checkExtension(plot);
    } catch (InputException e) {
      return usage(err, e.getMessage());
    }
    DemoResult result;
    try {
      out.println(header(settings));
      out.flush();
      result =
          Demo.run(
              settings,
              t -> {
                out.println(line(t));
                out.flush();
              },
              info -> {
                out.println("# " + info);
                out.flush();
              });
    } catch (InputException e) {
      return usage(err, e.getMessage());
    } catch (IOException e) {
      err.println("stoker demo: " + e.getMessage());
      err.flush();
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("stoker demo: interrupted");
      err.flush();
      return 1;
    }
    out.print(summary(result));
    out.flush();
    try {
      Plots.writeDemo(result, plot);
    } catch (IOException e) {
      err.println("stoker demo: cannot write plot " + plot + ": " + e.getMessage());
      err.flush();
      return 1;
    }
    out.println("Plot: " + plot);
    out.flush();
    return 0;
  }

  private DemoSettings settings() throws InputException {
    if (!Workloads.NAMES.contains(workload)) {
      throw new InputException(
          "--workload: unknown workload '"
              + workload
              + "' (known: "
              + String.join(", ", Workloads.NAMES)
              + ")");
    }
    DemoSettings s =
        DemoSettings.defaults()
            .withDuration(duration("--duration", durationSeconds))
            .withTick(duration("--tick", tickSeconds))
            .withSeed(seed)
            .withWorkload(workload);
    List<String> errors = s.validate();
    if (!errors.isEmpty()) {
      throw new InputException(String.join("; ", errors));
    }
    return s;
  }

  private static Duration duration(String option, double seconds) throws InputException {
    if (!Double.isFinite(seconds) || seconds <= 0) {
      throw new InputException(option + " must be a positive number of seconds, got " + seconds);
    }
    return Duration.ofMillis(Math.round(seconds * 1000));
  }

  private int usage(PrintWriter err, String message) {
    err.println("stoker demo: " + message);
    spec.commandLine().usage(err);
    err.flush();
    return 2;
  }

  static String header(DemoSettings s) {
    return String.format(
        Locale.ROOT,
        "stoker demo: workload %s compressed into %d s, seed %d, tick %s s; one executor processes"
            + " %.0f records/s and starts in ~%s s; latency objective %s s.%n"
            + "Columns: time, arrival rate, lag of Stoker's fleet, its executors running → target"
            + " (+ starting), its latency | the fixed fleet's lag and latency | why.",
        s.workload(),
        s.duration().toSeconds(),
        s.seed(),
        seconds(s.tick()),
        s.executorRate(),
        seconds(s.executorStartup()),
        seconds(s.targetLatency()));
  }

  static String line(DemoResult.Tick t) {
    String starting = t.pending() > 0 ? " (+" + t.pending() + ")" : "";
    return String.format(
        Locale.ROOT,
        "%5.0fs  rate %5.0f/s  lag %6s  executors %2d → %2d%-6s latency %5.1fs | fixed %2d: lag %6s"
            + " latency %5.1fs | %s",
        t.seconds(),
        t.rate(),
        t.lag() < 0 ? "?" : Long.toString(t.lag()),
        t.ready(),
        t.target(),
        starting,
        t.latency(),
        t.fixedExecutors(),
        t.fixedLag() < 0 ? "?" : Long.toString(t.fixedLag()),
        t.fixedLatency(),
        t.signalError().isEmpty() ? t.reason() : t.reason() + " (" + t.signalError() + ")");
  }

  static String summary(DemoResult r) {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "%nSummary: both fleets ran live, side by side, on the same records (separate consumer"
                + " groups); latency objective %s s.%n",
            seconds(r.settings().targetLatency())));
    b.append(
        String.format(
            Locale.ROOT,
            "  %-22s %12s %16s %14s %9s %10s %15s%n",
            "fleet",
            "executor-s",
            "SLA violation s",
            "max latency s",
            "max lag",
            "final lag",
            "peak executors"));
    for (DemoResult.Summary s : new DemoResult.Summary[] {r.stoker(), r.fixed()}) {
      String name =
          s == r.stoker() ? "stoker (live sizing)" : "static " + r.staticExecutors() + " (peak)";
      b.append(
          String.format(
              Locale.ROOT,
              "  %-22s %12.0f %16.0f %14.1f %9d %10d %15d%n",
              name,
              s.executorSeconds(),
              s.slaViolationSeconds(),
              s.maxLatencySeconds(),
              s.maxLag(),
              s.finalLag(),
              s.peakExecutors()));
    }
    double saved = 1 - r.stoker().executorSeconds() / Math.max(1e-9, r.fixed().executorSeconds());
    b.append(
        String.format(
            Locale.ROOT,
            "Stoker used %.0f%% %s executor-seconds than the fixed fleet, in %d scaling actions, with"
                + " %.0f s over the %s s objective (fixed fleet: %.0f s).%n",
            Math.abs(saved) * 100,
            saved >= 0 ? "fewer" : "more",
            r.stoker().scalingActions(),
            r.stoker().slaViolationSeconds(),
            seconds(r.settings().targetLatency()),
            r.fixed().slaViolationSeconds()));
    return b.toString();
  }

  private static String seconds(Duration d) {
    double s = d.toMillis() / 1000.0;
    return s == Math.rint(s) ? Long.toString((long) s) : Double.toString(s);
  }
}
