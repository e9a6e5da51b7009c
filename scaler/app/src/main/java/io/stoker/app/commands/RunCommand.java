package io.stoker.app.commands;

import io.stoker.adapters.http.HttpFetcher;
import io.stoker.adapters.spi.AdapterContext;
import io.stoker.app.config.ConfigParameter;
import io.stoker.app.config.OperatorConfig;
import io.stoker.app.config.PortUnavailable;
import io.stoker.app.controller.Operator;
import io.stoker.app.k8s.KubernetesRuntime;
import io.stoker.app.signals.AdapterSignalCollector;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code stoker run}: the Kubernetes controller. Its flags are generated from {@link
 * OperatorConfig#PARAMETERS}, so that flags, environment variables and docs never disagree.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Run the ExecutorAutoscaler controller (kubeconfig or in-cluster service account).",
      "Every flag can also be set with its STOKER_* environment variable;"
          + " see docs/configuration.md."
    })
public final class RunCommand implements Callable<Integer> {
  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
  private CommandLine self;

  /** The command line of {@code run}, with one option per configuration parameter. */
  public static CommandLine commandLine() {
    RunCommand cmd = new RunCommand();
    CommandLine cl = new CommandLine(cmd);
    for (ConfigParameter<?> p : OperatorConfig.PARAMETERS) {
      cl.getCommandSpec()
          .addOption(
              OptionSpec.builder(p.flag())
                  .paramLabel("<" + p.type() + ">")
                  .type(String.class)
                  .description(
                      p.description()
                          + " Env: "
                          + p.env()
                          + (p.defaultValue().isEmpty() ? "" : ". Default: " + p.defaultValue()))
                  .build());
    }
    cmd.self = cl;
    return cl;
  }

  /** The flags given on the command line, by parameter key. */
  Map<String, String> flags() {
    Map<String, String> out = new HashMap<>();
    for (ConfigParameter<?> p : OperatorConfig.PARAMETERS) {
      OptionSpec o = self.getCommandSpec().findOption(p.flag());
      if (o != null && o.getValue() != null) {
        out.put(p.key(), o.getValue());
      }
    }
    return out;
  }

  /**
   * kafka-clients resolves {@code ${provider:...}} references in client properties through config
   * providers ({@code org.apache.kafka.automatic.config.providers}); {@code none} allows none, so
   * that no property can make the controller read its own files or environment.
   */
  public static final String KAFKA_CONFIG_PROVIDERS = "org.apache.kafka.automatic.config.providers";

  /** Sets the process-wide safety settings of {@code stoker run}; called first. */
  public static void hardenProcess() {
    System.setProperty(KAFKA_CONFIG_PROVIDERS, "none");
  }

  @Override
  public Integer call() throws Exception {
    hardenProcess();
    OperatorConfig config;
    try {
      config = OperatorConfig.from(flags(), System.getenv());
    } catch (IllegalArgumentException e) {
      self.getErr().println("stoker run: " + e.getMessage());
      return 2;
    }
    String identity = identity(config);
    Clock clock = Clock.systemUTC();
    AdapterContext adapters = new AdapterContext(clock);
    HttpFetcher.shared(adapters, config.get(OperatorConfig.SIGNAL_MAX_BODY));
    Operator op;
    try {
      op =
          Operator.start(
                  config,
                  identity,
                  clock,
                  KubernetesRuntime::connect,
                  new AdapterSignalCollector(adapters))
              .get(STARTUP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      self.getErr()
          .println(
              "stoker run: could not start within "
                  + STARTUP_TIMEOUT.toSeconds()
                  + "s (is the Kubernetes API reachable, and is the ExecutorAutoscaler CRD"
                  + " installed?)");
      return 1;
    } catch (ExecutionException e) {
      self.getErr().println("stoker run: " + startFailure(e));
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  op.close();
                  stopped.countDown();
                },
                "stoker-shutdown"));
    stopped.await();
    return 0;
  }

  /**
   * Why the start failed, truthfully: a port that cannot be opened is named as such (it used to be
   * reported as an unreachable API server); anything else points at the API server and the CRD.
   */
  static String startFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof PortUnavailable p) {
        return p.getMessage();
      }
    }
    Throwable cause = e;
    while ((cause instanceof ExecutionException || cause instanceof CompletionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return "could not start (is the Kubernetes API reachable, and is the ExecutorAutoscaler CRD"
        + " installed?): "
        + cause;
  }

  private static String identity(OperatorConfig config) {
    String id = config.get(OperatorConfig.IDENTITY);
    if (!id.isBlank()) {
      return id;
    }
    String pod = System.getenv("POD_NAME");
    if (pod != null && !pod.isBlank()) {
      return pod;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "stoker-" + ProcessHandle.current().pid();
    }
  }
}
