package io.stoker.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The Spark application ({@code e2e/spark-driver}, {@code StreamingDriver}) in its own JVM: a real
 * driver with the Stoker plugin, either on a {@code local-cluster} master, whose in-JVM standalone
 * workers launch real executor JVMs, or on a {@code k8s://} master, whose executors are pods.
 * {@link #close()} stops the query and the SparkContext, and then ends any process the driver
 * started that is still alive (executors), also after a failure.
 */
final class SparkDriverProcess implements AutoCloseable {
  /** Spark's own JVM options (org.apache.spark.launcher.JavaModuleOptions, 4.1.1). */
  private static final List<String> SPARK_JVM_OPTIONS =
      List.of(
          "-XX:+IgnoreUnrecognizedVMOptions",
          "--add-modules=jdk.incubator.vector",
          "--add-opens=java.base/java.lang=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
          "--add-opens=java.base/java.io=ALL-UNNAMED",
          "--add-opens=java.base/java.net=ALL-UNNAMED",
          "--add-opens=java.base/java.nio=ALL-UNNAMED",
          "--add-opens=java.base/java.util=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
          "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
          "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
          "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
          "--add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
          "-Djdk.reflect.useDirectMethodHandle=false",
          "-Dio.netty.tryReflectionSetAccessible=true",
          "--enable-native-access=ALL-UNNAMED");

  private final Process process;
  private final Path dir;
  final String ui;
  final String appId;

  private SparkDriverProcess(Process process, Path dir, String ui, String appId) {
    this.process = process;
    this.dir = dir;
    this.ui = ui;
    this.appId = appId;
  }

  /**
   * Starts the driver with these {@code spark.*} and {@code stoker.e2e.*} settings and waits until
   * its query runs.
   *
   * @param env extra environment (e.g. KUBECONFIG for the plugin's Kubernetes client)
   */
  static SparkDriverProcess start(Map<String, String> settings, Map<String, String> env)
      throws IOException {
    Path dir = Files.createTempDirectory("stoker-spark-driver");
    Path home = Files.createDirectories(dir.resolve("spark-home"));
    String classpath = String.join(java.io.File.pathSeparator, imageClasspath());
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(SPARK_JVM_OPTIONS);
    cmd.add("-Xmx768m");
    cmd.add("-XX:TieredStopAtLevel=1");
    boolean localCluster = settings.getOrDefault("spark.master", "").startsWith("local-cluster");
    if (localCluster) {
      // local-cluster mode is Spark's test fixture: the in-JVM workers take their home from
      // spark.test.home and, with spark.testing, launch executors with this JVM's class path.
      cmd.add("-Dspark.testing=true");
      cmd.add("-Dspark.test.home=" + home);
    }
    settings.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
    cmd.add("-cp");
    cmd.add(classpath);
    cmd.add("io.stoker.e2e.driver.StreamingDriver");
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectError(dir.resolve("driver.log").toFile())
            .directory(dir.toFile());
    pb.environment().put("SPARK_HOME", home.toString());
    pb.environment().put("SPARK_SCALA_VERSION", "2.13");
    if (localCluster) {
      pb.environment().put("SPARK_TESTING", "1");
    }
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    pb.environment().putAll(env);
    Process p = pb.start();
    CompletableFuture<String> ready =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                BufferedReader r =
                    new BufferedReader(
                        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                  if (line.startsWith("STOKER-DRIVER-READY ")) {
                    return line;
                  }
                }
                return null;
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    try {
      String line = ready.get(180, TimeUnit.SECONDS);
      if (line == null) {
        throw new IllegalStateException("the Spark driver exited:\n" + tail(dir));
      }
      String[] parts = line.split(" ");
      return new SparkDriverProcess(p, dir, parts[1], parts[2]);
    } catch (Exception e) {
      kill(p);
      throw new IllegalStateException("the Spark driver did not start:\n" + tail(dir), e);
    }
  }

  /**
   * What a Spark image holds in {@code $SPARK_HOME/jars} for this application: the driver module's
   * classes and its run-time class path (Spark, its Kubernetes backend, the Stoker plugin, the
   * Kafka connector).
   */
  static List<String> imageClasspath() throws IOException {
    String classes = System.getProperty("stoker.spark.driver.classes");
    Path cpFile = Path.of(System.getProperty("stoker.spark.driver.classpath", ""));
    if (classes == null || !Files.isRegularFile(cpFile)) {
      throw new IllegalStateException(
          "the Spark driver's class path is not built ("
              + cpFile
              + "): build the e2e/spark-driver module first (./mvnw -pl e2e -am verify does)");
    }
    List<String> cp = new ArrayList<>();
    cp.add(classes);
    cp.addAll(List.of(Files.readString(cpFile).trim().split(java.io.File.pathSeparator)));
    return cp;
  }

  /** The last lines of the driver's log (Spark logs to standard error). */
  static String tail(Path dir) {
    try {
      List<String> lines = Files.readAllLines(dir.resolve("driver.log"));
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no driver log: " + e.getMessage() + ")";
    }
  }

  String log() {
    return tail(dir);
  }

  /** Sends one command line to the driver ({@code StreamingDriver} reads its standard input). */
  void send(String line) throws IOException {
    OutputStream in = process.getOutputStream();
    in.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
    in.flush();
  }

  private static void kill(Process p) {
    List<ProcessHandle> children = p.descendants().toList();
    p.destroyForcibly();
    children.forEach(ProcessHandle::destroyForcibly);
  }

  @Override
  public void close() {
    List<ProcessHandle> children = process.descendants().toList();
    try (OutputStream in = process.getOutputStream()) {
      in.write("stop\n".getBytes(StandardCharsets.US_ASCII));
    } catch (IOException e) {
      // already gone
    }
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        kill(process);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      kill(process);
    }
    // Executors the driver started and did not stop (it was killed, or it halted too early).
    children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
