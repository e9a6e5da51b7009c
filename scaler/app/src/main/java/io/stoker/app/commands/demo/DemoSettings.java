package io.stoker.app.commands.demo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What one demo run does.
 *
 * @param workload a built-in workload of the simulator ({@code Workloads.NAMES})
 * @param duration how long the producer runs; the workload is compressed into it
 * @param seed seeds the workload and the executors' start-up delays
 * @param tick how often Stoker decides
 * @param executorStartup mean time from asking for an executor to its first poll (± 25 %)
 * @param targetLatency the latency objective: records older than this when processed violate it
 * @param executorRate records/s one executor processes (a fixed cost per record)
 * @param peakRate the workload is scaled so that its peak arrival rate is this, records/s
 * @param partitions partitions of the demo topic (and Stoker's maxExecutors)
 */
public record DemoSettings(
    String workload,
    Duration duration,
    long seed,
    Duration tick,
    Duration executorStartup,
    Duration targetLatency,
    double executorRate,
    double peakRate,
    int partitions) {

  /** The defaults {@code stoker demo} runs with. */
  public static DemoSettings defaults() {
    return new DemoSettings(
        "flash-crowd",
        Duration.ofSeconds(75),
        42,
        Duration.ofSeconds(1),
        Duration.ofSeconds(3),
        Duration.ofSeconds(10),
        200,
        2000,
        16);
  }

  public DemoSettings withDuration(Duration d) {
    return new DemoSettings(
        workload,
        d,
        seed,
        tick,
        executorStartup,
        targetLatency,
        executorRate,
        peakRate,
        partitions);
  }

  public DemoSettings withSeed(long s) {
    return new DemoSettings(
        workload,
        duration,
        s,
        tick,
        executorStartup,
        targetLatency,
        executorRate,
        peakRate,
        partitions);
  }

  public DemoSettings withTick(Duration t) {
    return new DemoSettings(
        workload,
        duration,
        seed,
        t,
        executorStartup,
        targetLatency,
        executorRate,
        peakRate,
        partitions);
  }

  public DemoSettings withWorkload(String w) {
    return new DemoSettings(
        w,
        duration,
        seed,
        tick,
        executorStartup,
        targetLatency,
        executorRate,
        peakRate,
        partitions);
  }

  /** Every problem, each naming its option; empty when the settings can run. */
  public List<String> validate() {
    List<String> errors = new ArrayList<>();
    if (duration.compareTo(Duration.ofSeconds(10)) < 0
        || duration.compareTo(Duration.ofHours(1)) > 0) {
      errors.add("--duration must be between 10s and 1h, got " + seconds(duration));
    }
    if (tick.compareTo(Duration.ofMillis(200)) < 0 || tick.compareTo(Duration.ofSeconds(10)) > 0) {
      errors.add("--tick must be between 200ms and 10s, got " + seconds(tick));
    } else if (tick.multipliedBy(5).compareTo(duration) > 0) {
      errors.add("--tick must be at most a fifth of --duration (" + seconds(duration) + ")");
    }
    return errors;
  }

  private static String seconds(Duration d) {
    return d.toMillis() / 1000.0 + "s";
  }
}
