package io.stoker.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TraceCsvTest {
  @TempDir Path dir;

  static Stream<Arguments> badFiles() {
    return Stream.of(
        Arguments.of("missing header", "0,100\n10,200\n", ":1:", "missing header"),
        Arguments.of("wrong header", "time,records\n0,100\n", ":1:", "missing header"),
        Arguments.of("non-numeric rate", "t,rate\n0,100\n10,lots\n", ":3:", "rate is not a number"),
        Arguments.of("non-numeric t", "t,rate\nzero,100\n", ":2:", "t is not a number"),
        Arguments.of("NaN rate", "t,rate\n0,NaN\n", ":2:", "rate is not a number"),
        Arguments.of("infinite rate", "t,rate\n0,Infinity\n", ":2:", "rate is not a number"),
        Arguments.of("empty cell", "t,rate\n0,\n", ":2:", "rate is not a number"),
        Arguments.of("negative rate", "t,rate\n0,100\n10,-5\n", ":3:", "rate must be >= 0"),
        Arguments.of("negative t", "t,rate\n-10,100\n", ":2:", "t must be >= 0"),
        Arguments.of("decreasing t", "t,rate\n0,1\n20,2\n10,3\n", ":4:", "t decreases"),
        Arguments.of(
            "a line too long", "t,rate\n0,1" + "0".repeat(300) + "\n", ":2:", "line longer"),
        Arguments.of(
            "a header too long", "t,rate" + " ".repeat(300) + "\n0,1\n", ":1:", "line longer"),
        Arguments.of("t beyond a month", "t,rate\n0,1\n1e12,2\n", ":3:", "t must be below"),
        // each row within a month, but the last rate holds as long again: 4 million s
        Arguments.of("lasting beyond a month", "t,rate\n0,1\n2000000,2\n", "", "at most"),
        Arguments.of("three columns", "t,rate\n0,100,7\n", ":2:", "expected 2 columns"),
        Arguments.of("one column", "t,rate\n0,100\n10\n", ":3:", "expected 2 columns"),
        Arguments.of("header only", "t,rate\n", "", "no data rows"),
        Arguments.of("empty file", "", "", "empty file"),
        Arguments.of("blank first line", "\n0,1\n", "", "empty file"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badFiles")
  void rejectsBadInputNamingTheFileTheLineAndTheProblem(
      String label, String content, String line, String problem) throws Exception {
    Path file = write("bad.csv", content);

    assertThatThrownBy(() -> TraceCsv.read(file))
        .isInstanceOf(InputException.class)
        .hasMessageStartingWith(file + line)
        .hasMessageContaining(problem);
  }

  /** Rows at one time cost memory without lengthening the trace: they are counted too. */
  @Test
  void rejectsMoreRowsThanOneASecondForAMonth() throws Exception {
    StringBuilder content = new StringBuilder("t,rate\n");
    content.append("0,1\n".repeat(Trace.MAX_SECONDS + 1));
    Path file = write("many.csv", content.toString());

    assertThatThrownBy(() -> TraceCsv.read(file))
        .isInstanceOf(InputException.class)
        .hasMessageStartingWith(file + ":" + (Trace.MAX_SECONDS + 2) + ":")
        .hasMessageContaining("more than 2678400 rows");
  }

  @Test
  void acceptsAByteOrderMarkBeforeTheHeader() throws Exception {
    Path f = dir.resolve("excel.csv");
    Files.writeString(f, "\uFEFFt,rate\n0,100\n10,200\n", StandardCharsets.UTF_8);
    Trace t = TraceCsv.read(f);
    assertThat(t.rateAt(15)).isEqualTo(200.0);
  }

  @Test
  void rejectsAMissingFileNamingIt() {
    Path file = dir.resolve("absent.csv");

    assertThatThrownBy(() -> TraceCsv.read(file))
        .isInstanceOf(InputException.class)
        .hasMessageStartingWith(file + ": cannot read");
  }

  @Test
  void holdsEachRateUntilTheNextRow() throws Exception {
    Trace t = TraceCsv.read(write("shape.csv", "t,rate\n0,100\n10,250.5\n30,0\n"));

    assertThat(t.name()).isEqualTo("shape");
    assertThat(t.size()).isEqualTo(3);
    assertThat(t.rateAt(0)).isEqualTo(100);
    assertThat(t.rateAt(9)).isEqualTo(100);
    assertThat(t.rateAt(10)).isEqualTo(250.5);
    assertThat(t.rateAt(29)).isEqualTo(250.5);
    assertThat(t.rateAt(30)).isZero();
    assertThat(t.peakRate()).isEqualTo(250.5);
    // The last row lasts as long as the spacing of the last two rows.
    assertThat(t.durationSeconds()).isEqualTo(50);
  }

  @Test
  void acceptsLinesEndedByACarriageReturnAlone() throws Exception {
    Trace t = TraceCsv.read(write("mac.csv", "t,rate\r0,100\r10,200\r"));

    assertThat(t.size()).isEqualTo(2);
    assertThat(t.rateAt(10)).isEqualTo(200);
  }

  @Test
  void acceptsSpacesBlankLinesCrLfAndRepeatedTimes() throws Exception {
    Trace t =
        TraceCsv.read(
            write("loose.csv", "t, rate\r\n0, 100\r\n\r\n10 ,200\r\n10,300\r\n20,300\r\n"));

    assertThat(t.size()).isEqualTo(4);
    assertThat(t.rateAt(10)).as("the last row of a repeated time wins").isEqualTo(300);
    assertThat(t.rateAt(5)).isEqualTo(100);
  }

  @Test
  void startsAtZeroRateBeforeTheFirstRow() throws Exception {
    Trace t = TraceCsv.read(write("late.csv", "t,rate\n5,100\n15,100\n"));

    assertThat(t.rateAt(0)).isZero();
    assertThat(t.rateAt(5)).isEqualTo(100);
  }

  @Test
  void readsTheReportsStepTrace() throws Exception {
    // The module's tests run in scaler/simulator; the report's traces are in docs/traces.
    Trace t = TraceCsv.read(Path.of("../../docs/traces/step.csv"));

    assertThat(t.name()).isEqualTo("step");
    assertThat(t.durationSeconds()).isEqualTo(7200);
    assertThat(t.rateAt(0)).isEqualTo(2000);
    assertThat(t.peakRate()).isGreaterThan(2000);
  }

  private Path write(String name, String content) throws Exception {
    return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
  }
}
