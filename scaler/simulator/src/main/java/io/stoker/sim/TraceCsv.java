package io.stoker.sim;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads a trace CSV: header {@code t,rate}, then one row per change of rate. */
public final class TraceCsv {
  /** The longest line read, in characters: a row is two numbers. */
  static final int MAX_LINE = 256;

  private TraceCsv() {}

  /**
   * Parses a trace file; the trace is named after the file without {@code .csv}.
   *
   * @throws InputException naming the file, the line and the problem
   */
  public static Trace read(Path file) throws InputException {
    String name = file.getFileName().toString().replaceFirst("\\.csv$", "");
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return parse(name, file.toString(), in);
    } catch (IOException e) {
      throw new InputException(file + ": cannot read: " + e.getMessage());
    }
  }

  static Trace parse(String name, String source, BufferedReader in)
      throws IOException, InputException {
    String header = readLine(in, source, 1);
    if (header != null && header.startsWith("\uFEFF")) {
      header = header.substring(1); // a byte-order mark, as spreadsheet programs write it
    }
    if (header == null || header.isBlank()) {
      throw new InputException(source + ": empty file (expected header t,rate)");
    }
    if (!header.strip().replace(" ", "").equals("t,rate")) {
      throw new InputException(
          source + ":1: missing header: expected 't,rate', got '" + header.strip() + "'");
    }
    List<double[]> rows = new ArrayList<>();
    String line;
    int lineNo = 1;
    double lastT = -1;
    while ((line = readLine(in, source, lineNo + 1)) != null) {
      lineNo++;
      if (line.isBlank()) {
        continue;
      }
      String[] cells = line.split(",", -1);
      if (cells.length != 2) {
        throw new InputException(
            source + ":" + lineNo + ": expected 2 columns (t,rate), got " + cells.length);
      }
      double t = number(source, lineNo, "t", cells[0]);
      double rate = number(source, lineNo, "rate", cells[1]);
      if (t < 0) {
        throw new InputException(source + ":" + lineNo + ": t must be >= 0, got " + cells[0]);
      }
      if (t >= Trace.MAX_SECONDS) {
        throw new InputException(
            source
                + ":"
                + lineNo
                + ": t must be below "
                + Trace.MAX_SECONDS
                + " (31 days, the longest simulation), got "
                + cells[0].strip());
      }
      if (rate < 0) {
        throw new InputException(
            source + ":" + lineNo + ": rate must be >= 0, got " + cells[1].strip());
      }
      if (t < lastT) {
        throw new InputException(
            source + ":" + lineNo + ": t decreases (" + cells[0].strip() + " after " + lastT + ")");
      }
      lastT = t;
      if (rows.size() == Trace.MAX_SECONDS) {
        throw new InputException(
            source
                + ":"
                + lineNo
                + ": more than "
                + Trace.MAX_SECONDS
                + " rows (one a second for 31 days, the longest simulation)");
      }
      rows.add(new double[] {t, rate});
    }
    if (rows.isEmpty()) {
      throw new InputException(source + ": no data rows after the header");
    }
    double[] times = new double[rows.size()];
    double[] rates = new double[rows.size()];
    for (int i = 0; i < rows.size(); i++) {
      times[i] = rows.get(i)[0];
      rates[i] = rows.get(i)[1];
    }
    try {
      return new Trace(name, times, rates);
    } catch (IllegalArgumentException e) {
      throw new InputException(source + ": " + e.getMessage());
    }
  }

  /**
   * The next line without its terminator ({@code \n}, {@code \r\n} or {@code \r}), or null at the
   * end; a line longer than {@link #MAX_LINE} characters is refused before it is read whole.
   */
  private static String readLine(BufferedReader in, String source, int lineNo)
      throws IOException, InputException {
    StringBuilder line = new StringBuilder();
    while (true) {
      int c = in.read();
      if (c == -1) {
        return line.length() == 0 ? null : line.toString();
      }
      if (c == '\n') {
        return line.toString();
      }
      if (c == '\r') {
        in.mark(1);
        if (in.read() != '\n') {
          in.reset();
        }
        return line.toString();
      }
      if (line.length() == MAX_LINE) {
        throw new InputException(
            source + ":" + lineNo + ": line longer than " + MAX_LINE + " characters");
      }
      line.append((char) c);
    }
  }

  private static double number(String source, int line, String column, String cell)
      throws InputException {
    try {
      double v = Double.parseDouble(cell.strip());
      if (Double.isNaN(v) || Double.isInfinite(v)) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new InputException(
          source + ":" + line + ": " + column + " is not a number: '" + cell.strip() + "'");
    }
  }
}
