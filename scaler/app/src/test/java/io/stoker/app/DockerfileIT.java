package io.stoker.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The root {@code Dockerfile}, checked without a Docker engine (there is none here): after {@code
 * package}, what the run stage copies exists and is the controller's jar, the image runs as a
 * non-root user on a Java 17 JRE, and its exec-form entrypoint, run with this machine's Java on
 * that jar, starts {@code stoker run}.
 */
class DockerfileIT {
  private static final Path ROOT =
      Path.of(System.getProperty("stoker.repo.root", "../..")).normalize();

  /** One instruction of the Dockerfile, its continuation lines joined. */
  record Instruction(String keyword, String args) {}

  private static List<Instruction> instructions;

  @BeforeAll
  static void parse() throws IOException {
    instructions = parse(Files.readString(ROOT.resolve("Dockerfile"), StandardCharsets.UTF_8));
  }

  static List<Instruction> parse(String text) {
    List<Instruction> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : text.split("\n", -1)) {
      String t = line.strip();
      if (current.isEmpty() && (t.isEmpty() || t.startsWith("#"))) {
        continue;
      }
      if (t.endsWith("\\")) {
        current.append(t, 0, t.length() - 1).append(' ');
        continue;
      }
      current.append(t);
      String whole = current.toString().strip();
      current.setLength(0);
      int space = whole.indexOf(' ');
      out.add(new Instruction(whole.substring(0, space).toUpperCase(), whole.substring(space + 1)));
    }
    return out;
  }

  private static List<Instruction> all(String keyword) {
    return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
  }

  /** The instructions after the last FROM: what the image is made of. */
  private static List<Instruction> runStage() {
    int last = 0;
    for (int i = 0; i < instructions.size(); i++) {
      if (instructions.get(i).keyword().equals("FROM")) {
        last = i;
      }
    }
    return instructions.subList(last, instructions.size());
  }

  private static List<String> execForm(String keyword) throws IOException {
    List<Instruction> found = runStage().stream().filter(i -> i.keyword().equals(keyword)).toList();
    assertThat(found).as("one %s in the run stage", keyword).hasSize(1);
    String args = found.get(0).args();
    assertThat(args).as("%s in exec form (a JSON array, no shell)", keyword).startsWith("[");
    List<String> out = new ArrayList<>();
    for (Object o : new ObjectMapper().readValue(args, List.class)) {
      out.add((String) o);
    }
    return out;
  }

  @Test
  void buildsInOneStageAndRunsOnASlimJava17JreInAnother() {
    List<Instruction> froms = all("FROM");
    assertThat(froms).hasSize(2);
    assertThat(froms.get(0).args()).contains(":17-jdk").endsWith(" AS build");
    assertThat(froms.get(1).args()).contains(":17-jre").doesNotContain("jdk");
    for (Instruction f : froms) {
      assertThat(f.args()).as("a pinned tag, not latest").contains(":").doesNotContain(":latest");
    }
    assertThat(all("RUN").get(0).args())
        .as("the build stage packages the controller with the Maven Wrapper, tests left to CI")
        .contains("./mvnw")
        .contains("-pl scaler/app -am package")
        .contains("-DskipTests");
  }

  @Test
  void theRunStageCopiesOnlyTheControllerJarThatPackageBuilds() throws IOException {
    List<Instruction> copies = runStage().stream().filter(i -> i.keyword().equals("COPY")).toList();
    assertThat(copies).hasSize(1);
    String[] words = copies.get(0).args().split("\\s+");
    assertThat(words[0]).isEqualTo("--from=build");
    String source = words[words.length - 2];
    String dest = words[words.length - 1];
    assertThat(source).startsWith("/src/");
    Path built = ROOT.resolve(source.substring("/src/".length()));
    assertThat(built).as("what the run stage copies exists after package").isRegularFile();
    try (JarFile jar = new JarFile(built.toFile())) {
      assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class"))
          .isEqualTo(Main.class.getName());
      assertThat(jar.getEntry("io/stoker/app/commands/RunCommand.class")).isNotNull();
    }
    assertThat(execForm("ENTRYPOINT")).contains(dest);
    assertThat(all("WORKDIR").get(0).args()).isEqualTo("/src");
  }

  @Test
  void runsAsANumericNonRootUser() {
    List<Instruction> users = runStage().stream().filter(i -> i.keyword().equals("USER")).toList();
    assertThat(users).hasSize(1);
    Matcher m = Pattern.compile("(\\d+)(?::(\\d+))?").matcher(users.get(0).args());
    assertThat(m.matches()).as("numeric uid[:gid], so runAsNonRoot can check it").isTrue();
    assertThat(Integer.parseInt(m.group(1))).isPositive();
  }

  @Test
  void theEntrypointStartsTheController() throws Exception {
    List<String> entrypoint = execForm("ENTRYPOINT");
    List<String> cmd = execForm("CMD");
    assertThat(cmd).containsExactly("run");
    Path jar = ROOT.resolve("scaler/app/target/stoker.jar");
    List<String> command = new ArrayList<>();
    for (String word : entrypoint) {
      if (word.equals("java")) {
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      } else if (word.startsWith("/opt/stoker/")) {
        command.add(jar.toString());
      } else {
        command.add(word);
      }
    }
    List<String> help = new ArrayList<>(command);
    help.addAll(cmd);
    help.add("--help");
    Process p = new ProcessBuilder(help).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out)
        .contains("Usage: stoker run")
        .contains("--metrics-port")
        .contains("--grpc-port");

    List<String> bad = new ArrayList<>(command);
    bad.addAll(cmd);
    bad.add("--tick-interval=soon");
    Process q = new ProcessBuilder(bad).redirectErrorStream(true).start();
    String err = new String(q.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(q.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(q.exitValue()).as("a bad flag is a usage error: " + err).isEqualTo(2);
    assertThat(err).contains("--tick-interval");
  }

  @Test
  void theBuildContextHasTheSourcesButNoBuildOutput() throws IOException {
    List<PathMatcher> ignored = new ArrayList<>();
    for (String line : Files.readAllLines(ROOT.resolve(".dockerignore"))) {
      String t = line.strip();
      if (!t.isEmpty() && !t.startsWith("#")) {
        ignored.add(FileSystems.getDefault().getPathMatcher("glob:" + t));
      }
    }
    for (String kept :
        List.of(
            "mvnw",
            ".mvn/wrapper/maven-wrapper.properties",
            "pom.xml",
            "scaler/app/pom.xml",
            "scaler/app/src/main/java/io/stoker/app/Main.java",
            ".checkstyle/checkstyle.xml",
            "e2e/pom.xml")) {
      assertThat(ignored).as(kept).noneMatch(m -> m.matches(Path.of(kept)));
      assertThat(ROOT.resolve(kept)).exists();
    }
    for (String left : List.of(".git", "scaler/app/target", "e2e/spark-driver/target")) {
      assertThat(ignored).as(left).anyMatch(m -> m.matches(Path.of(left)));
    }
  }
}
