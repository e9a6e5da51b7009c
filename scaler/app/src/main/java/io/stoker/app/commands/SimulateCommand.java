package io.stoker.app.commands;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stoker.core.model.ScalingOptions;
import io.stoker.sim.Comparison;
import io.stoker.sim.InputException;
import io.stoker.sim.Scenario;
import io.stoker.sim.Trace;
import io.stoker.sim.TraceCsv;
import io.stoker.sim.Workloads;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code stoker simulate}: replay a workload through several policies, side by side. */
@Command(
    name = "simulate",
    mixinStandardHelpOptions = true,
    description = {
      "Replay a workload through several scaling policies side by side (docs/simulator.md).",
      "Exit codes: 0 ok, 2 bad input (nothing is printed to stdout then)."
    })
public final class SimulateCommand implements Callable<Integer> {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @ArgGroup(multiplicity = "1")
  Source source;

  /** Exactly one of a trace file or a built-in workload. */
  static final class Source {
    @Option(names = "--trace", paramLabel = "FILE.csv", description = "Trace CSV (header t,rate).")
    Path trace;

    @Option(
        names = "--workload",
        paramLabel = "NAME",
        description = "Built-in workload: bursty, diurnal, flash-crowd, ramp, step.")
    String workload;
  }

  @Option(
      names = "--scenario",
      paramLabel = "FILE.json",
      description = "Scenario JSON overriding the defaults (docs/simulator.md).")
  Path scenarioFile;

  @Option(
      names = "--policies",
      split = ",",
      paramLabel = "LIST",
      description =
          "Policies to run (default: all): stoker, stoker+placeholders, keda-hpa, spark-da,"
              + " streaming-da (with a trigger interval only), static-peak, oracle.")
  List<String> policies;

  @Option(
      names = "--stoker",
      paramLabel = "KEY=VALUE",
      description = {
        "Tune Stoker's policy (repeatable), e.g. --stoker targetUtilization=0.8"
            + " --stoker scaleDown.stabilizationWindow=300 (durations in seconds).",
        "Keys: targetUtilization, tolerance, scaleUp.|scaleDown.{stabilizationWindow,"
            + "maxStepPercent,maxStepExecutors}, executorStartup, burstMemory, capacityRetention,"
            + " maxSignalAge, ineffectiveThreshold, ineffectiveHold, rateSettleTime,"
            + " initialExecutorRate."
      })
  Map<String, String> stokerOptions;

  @Option(
      names = "--history",
      paramLabel = "N",
      defaultValue = "0",
      description = {
        "Replay the trace N times before the measured pass, every policy keeping its state"
            + " (default: ${DEFAULT-VALUE}); the figures cover the measured pass only."
      })
  int history;

  @Option(names = "--json", description = "Print one JSON object (schema in docs/simulator.md).")
  boolean json;

  @Option(
      names = "--plot",
      paramLabel = "FILE.png|.svg",
      description = "Write rate, backlog, latency and executors over time.")
  Path plot;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter out = spec.commandLine().getOut();
    Comparison.Result result;
    try {
      if (history < 0) {
        throw new InputException("--history must be >= 0, got " + history);
      }
      Scenario scenario = scenarioFile == null ? Scenario.defaults() : readScenario(scenarioFile);
      Trace trace =
          source.trace != null
              ? TraceCsv.read(source.trace)
              : Workloads.generate(source.workload, scenario.seed());
      trace.checkHistory(history);
      Set<String> chosen = choosePolicies(policies);
      if (plot != null) {
        Plots.checkExtension(plot);
      }
      ScalingOptions options =
          StokerOptions.parse(stokerOptions == null ? Map.of() : stokerOptions);
      result = Comparison.run(trace, scenario, chosen, options, history);
    } catch (InputException e) {
      err.println("stoker simulate: " + e.getMessage());
      err.flush();
      return 2;
    }
    if (json) {
      out.println(Reports.json(result));
    } else {
      out.print(Reports.table(result));
    }
    out.flush();
    if (plot != null) {
      try {
        Plots.write(result, plot);
      } catch (IOException e) {
        err.println("stoker simulate: cannot write plot " + plot + ": " + e.getMessage());
        err.flush();
        return 1;
      }
    }
    return 0;
  }

  static Set<String> choosePolicies(List<String> names) throws InputException {
    if (names == null || names.isEmpty()) {
      return new LinkedHashSet<>(Comparison.POLICIES);
    }
    Set<String> chosen = new LinkedHashSet<>();
    for (String n : names) {
      String name = n.strip();
      if (!Comparison.POLICIES.contains(name)) {
        throw new InputException(
            "--policies: unknown policy '"
                + name
                + "' (known: "
                + String.join(", ", Comparison.POLICIES)
                + ")");
      }
      chosen.add(name);
    }
    return chosen;
  }

  /** The largest scenario file read: its two dozen keys fit in a kilobyte. */
  static final int MAX_SCENARIO_BYTES = 64 * 1024;

  /**
   * Reads a scenario file: a JSON object of numbers; any other shape names the problem. At most
   * {@link #MAX_SCENARIO_BYTES} are read, whatever the file.
   */
  static Scenario readScenario(Path file) throws InputException {
    ObjectMapper mapper = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes(MAX_SCENARIO_BYTES + 1);
    } catch (IOException e) {
      throw new InputException(file + ": cannot read: " + e.getMessage());
    }
    if (bytes.length > MAX_SCENARIO_BYTES) {
      throw new InputException(
          file + ": a scenario file may be at most " + MAX_SCENARIO_BYTES + " bytes");
    }
    JsonNode root;
    try {
      root = mapper.readTree(bytes);
    } catch (IOException e) {
      throw new InputException(file + ": not valid JSON: " + firstLine(e.getMessage()));
    }
    if (root == null || !root.isObject()) {
      throw new InputException(file + ": a scenario must be a JSON object");
    }
    Map<String, Object> values = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> f : root.properties()) {
      JsonNode v = f.getValue();
      values.put(f.getKey(), v.isNumber() ? v.numberValue() : v.isTextual() ? v.asText() : v);
    }
    try {
      return Scenario.fromMap(values);
    } catch (InputException e) {
      throw new InputException(file + ": " + e.getMessage());
    }
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int i = s.indexOf('\n');
    return i < 0 ? s : s.substring(0, i);
  }
}
