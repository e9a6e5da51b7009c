package io.stoker.adapters.prometheus;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A streaming, allocation-light parser for the Prometheus text exposition format 0.0.4 and the
 * basics of OpenMetrics 1.0 (label escapes, NaN and ±Inf, exponents, timestamps, comments, {@code #
 * EOF}, exemplars skipped), including Spark's dialect (no TYPE lines, {@code _Number}/{@code
 * _Value} twins, application ids inside names, Java notation such as {@code 3.39E7}).
 *
 * <p>It works on bytes, keeps label positions in reused int arrays and hands each sample to a
 * {@link SampleHandler} through a reused {@link MetricLine} view, so parsing allocates nothing per
 * line unless the handler asks for strings. Not thread-safe: use one instance per thread.
 *
 * <p>Every syntax error is a {@link MetricsParseException} with the line and column.
 */
public final class PrometheusTextParser implements MetricLine {
  private static final double[] POW10 = new double[23];
  private static final long MAX_EXACT = 1L << 53;

  static {
    double p = 1;
    for (int i = 0; i < POW10.length; i++) {
      POW10[i] = p;
      p *= 10;
    }
  }

  private byte[] buf;
  private int lineNo;
  private int lineStart;
  private int nameStart;
  private int nameEnd;
  private int labels;
  private int[] labelPos = new int[32]; // per label: nameStart, nameEnd, valueStart, valueEnd
  private double value;
  private boolean hasTs;
  private double ts;

  /** Parses a whole exposition held in memory. */
  public void parse(byte[] data, int offset, int length, SampleHandler handler) {
    this.buf = data;
    this.lineNo = 0;
    int end = offset + length;
    int i = offset;
    while (i < end) {
      int nl = indexOfNewline(data, i, end);
      lineNo++;
      parseLine(i, nl, handler);
      i = nl + 1;
    }
  }

  /** Parses a whole exposition held in memory. */
  public void parse(byte[] data, SampleHandler handler) {
    parse(data, 0, data.length, handler);
  }

  /**
   * Parses from a stream line by line with a bounded buffer (it grows only for a single longer
   * line).
   */
  public void parse(InputStream in, SampleHandler handler) throws IOException {
    byte[] b = new byte[64 * 1024];
    int filled = 0;
    int lines = 0;
    while (true) {
      int n = in.read(b, filled, b.length - filled);
      if (n < 0) {
        break;
      }
      filled += n;
      int consumed = 0;
      int nl;
      while ((nl = indexOfNewline(b, consumed, filled)) < filled) {
        this.buf = b;
        this.lineNo = ++lines;
        parseLine(consumed, nl, handler);
        consumed = nl + 1;
      }
      if (consumed > 0) {
        System.arraycopy(b, consumed, b, 0, filled - consumed);
        filled -= consumed;
      } else if (filled == b.length) {
        b = Arrays.copyOf(b, b.length * 2);
      }
    }
    if (filled > 0) {
      this.buf = b;
      this.lineNo = ++lines;
      parseLine(0, filled, handler);
    }
  }

  private static int indexOfNewline(byte[] b, int from, int end) {
    for (int i = from; i < end; i++) {
      if (b[i] == '\n') {
        return i;
      }
    }
    return end;
  }

  private void parseLine(int start, int endExcl, SampleHandler handler) {
    int end = endExcl;
    if (end > start && buf[end - 1] == '\r') {
      end--;
    }
    lineStart = start;
    int i = skipBlanks(start, end);
    if (i == end) {
      return;
    }
    if (buf[i] == '#') {
      parseComment(i + 1, end, handler);
      return;
    }
    i = parseName(i, end);
    labels = 0;
    if (!handler.wants(this)) {
      return;
    }
    i = skipBlanks(i, end);
    if (i < end && buf[i] == '{') {
      i = parseLabels(i + 1, end);
      i = skipBlanks(i, end);
    } else if (i == nameEnd) {
      throw error(i, "expected '{' or a blank after the metric name");
    }
    int vEnd = tokenEnd(i, end);
    if (vEnd == i) {
      throw error(i, "expected a sample value");
    }
    value = parseNumber(i, vEnd, "sample value");
    i = skipBlanks(vEnd, end);
    hasTs = false;
    if (i < end && buf[i] != '#') {
      if (i == vEnd) {
        throw error(i, "expected a blank after the sample value");
      }
      int tEnd = tokenEnd(i, end);
      ts = parseNumber(i, tEnd, "timestamp");
      if (Double.isNaN(ts) || Double.isInfinite(ts)) {
        throw error(i, "timestamp must be finite");
      }
      hasTs = true;
      i = skipBlanks(tEnd, end);
    }
    if (i < end) {
      checkExemplar(i, end);
    }
    handler.sample(this);
  }

  private void checkExemplar(int i, int end) {
    if (buf[i] != '#' || buf[i - 1] != ' ' && buf[i - 1] != '\t') {
      throw error(i, "unexpected text after the sample");
    }
    int j = skipBlanks(i + 1, end);
    if (j >= end || buf[j] != '{') {
      throw error(j, "expected '{' to start an exemplar");
    }
  }

  private void parseComment(int from, int end, SampleHandler handler) {
    int i = skipBlanks(from, end);
    int kwEnd = tokenEnd(i, end);
    if (matches(i, kwEnd, "TYPE")) {
      int n = skipBlanks(kwEnd, end);
      int nEnd = parseName(n, end);
      int t = skipBlanks(nEnd, end);
      int tEnd = tokenEnd(t, end);
      String type = new String(buf, t, tEnd - t, StandardCharsets.US_ASCII);
      if (!isKnownType(type) || skipBlanks(tEnd, end) != end) {
        throw error(t, "invalid TYPE line: unknown metric type");
      }
      handler.type(new String(buf, n, nEnd - n, StandardCharsets.US_ASCII), type);
    } else if (matches(i, kwEnd, "HELP") || matches(i, kwEnd, "UNIT")) {
      int n = skipBlanks(kwEnd, end);
      parseName(n, end);
    }
  }

  private static boolean isKnownType(String t) {
    switch (t) {
      case "counter":
      case "gauge":
      case "histogram":
      case "summary":
      case "untyped":
      case "unknown":
      case "gaugehistogram":
      case "stateset":
      case "info":
        return true;
      default:
        return false;
    }
  }

  private boolean matches(int from, int to, String kw) {
    if (to - from != kw.length()) {
      return false;
    }
    for (int k = 0; k < kw.length(); k++) {
      if (buf[from + k] != kw.charAt(k)) {
        return false;
      }
    }
    return true;
  }

  private int parseName(int from, int end) {
    int i = from;
    if (i >= end || !isNameStart(buf[i])) {
      throw error(i, "expected a metric name");
    }
    i++;
    while (i < end && isNameChar(buf[i])) {
      i++;
    }
    nameStart = from;
    nameEnd = i;
    return i;
  }

  private int parseLabels(int from, int end) {
    int i = skipBlanks(from, end);
    while (true) {
      if (i >= end) {
        throw error(i, "unterminated label set");
      }
      if (buf[i] == '}') {
        return i + 1;
      }
      i = parseLabel(i, end);
      i = skipBlanks(i, end);
      if (i < end && buf[i] == ',') {
        i = skipBlanks(i + 1, end);
      } else if (i >= end || buf[i] != '}') {
        throw error(i, "expected ',' or '}' after a label");
      }
    }
  }

  private int parseLabel(int from, int end) {
    int i = from;
    if (!isLabelStart(buf[i])) {
      throw error(i, "expected a label name");
    }
    i++;
    while (i < end && isLabelChar(buf[i])) {
      i++;
    }
    int lnEnd = i;
    i = skipBlanks(i, end);
    if (i >= end || buf[i] != '=') {
      throw error(i, "expected '=' after the label name");
    }
    i = skipBlanks(i + 1, end);
    if (i >= end || buf[i] != '"') {
      throw error(i, "expected '\"' to start the label value");
    }
    int vStart = ++i;
    while (true) {
      if (i >= end) {
        throw error(i, "unterminated label value");
      }
      byte c = buf[i];
      if (c == '"') {
        break;
      }
      if (c == '\\') {
        if (i + 1 >= end || !isEscape(buf[i + 1])) {
          throw error(i, "invalid escape in label value (only \\\\, \\\" and \\n)");
        }
        i++;
      }
      i++;
    }
    addLabel(from, lnEnd, vStart, i);
    return i + 1;
  }

  private static boolean isEscape(byte c) {
    return c == '\\' || c == '"' || c == 'n';
  }

  private void addLabel(int ns, int ne, int vs, int ve) {
    for (int k = 0; k < labels; k++) {
      int os = labelPos[4 * k];
      int oe = labelPos[4 * k + 1];
      if (oe - os == ne - ns && Arrays.equals(buf, os, oe, buf, ns, ne)) {
        throw error(ns, "duplicate label name");
      }
    }
    if (4 * labels + 4 > labelPos.length) {
      labelPos = Arrays.copyOf(labelPos, labelPos.length * 2);
    }
    labelPos[4 * labels] = ns;
    labelPos[4 * labels + 1] = ne;
    labelPos[4 * labels + 2] = vs;
    labelPos[4 * labels + 3] = ve;
    labels++;
  }

  private int skipBlanks(int from, int end) {
    int i = from;
    while (i < end && (buf[i] == ' ' || buf[i] == '\t')) {
      i++;
    }
    return i;
  }

  private int tokenEnd(int from, int end) {
    int i = from;
    while (i < end && buf[i] != ' ' && buf[i] != '\t') {
      i++;
    }
    return i;
  }

  private static boolean isNameStart(byte c) {
    return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == ':';
  }

  private static boolean isNameChar(byte c) {
    return isNameStart(c) || c >= '0' && c <= '9';
  }

  private static boolean isLabelStart(byte c) {
    return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_';
  }

  private static boolean isLabelChar(byte c) {
    return isLabelStart(c) || c >= '0' && c <= '9';
  }

  /** Parses a float token: decimal, exponent, NaN, Inf, +Inf, -Inf, Infinity (any case). */
  private double parseNumber(int from, int to, String what) {
    int i = from;
    boolean neg = false;
    if (i < to && (buf[i] == '+' || buf[i] == '-')) {
      neg = buf[i] == '-';
      i++;
    }
    if (i < to && !isDigit(buf[i]) && buf[i] != '.') {
      return parseSpecial(from, i, to, neg, what);
    }
    long mant = 0;
    int digits = 0;
    int exp10 = 0;
    boolean any = false;
    boolean inexact = false;
    boolean frac = false;
    for (; i < to; i++) {
      byte c = buf[i];
      if (isDigit(c)) {
        any = true;
        if (digits < 18) {
          mant = mant * 10 + (c - '0');
          if (mant != 0) {
            digits++;
          }
          if (frac) {
            exp10--;
          }
        } else {
          inexact = true;
          if (!frac) {
            exp10++;
          }
        }
      } else if (c == '.' && !frac) {
        frac = true;
      } else {
        break;
      }
    }
    if (!any) {
      throw error(from, "invalid " + what);
    }
    if (i < to) {
      if (buf[i] != 'e' && buf[i] != 'E') {
        throw error(i, "invalid " + what);
      }
      int[] e = parseExponent(i + 1, to, what);
      exp10 += e[0];
      i = to;
    }
    return toDouble(from, to, neg, mant, exp10, inexact);
  }

  private int[] parseExponent(int from, int to, String what) {
    int i = from;
    boolean eneg = false;
    if (i < to && (buf[i] == '+' || buf[i] == '-')) {
      eneg = buf[i] == '-';
      i++;
    }
    if (i >= to) {
      throw error(i, "invalid exponent in " + what);
    }
    int e = 0;
    for (; i < to; i++) {
      if (!isDigit(buf[i])) {
        throw error(i, "invalid exponent in " + what);
      }
      if (e < 100_000) {
        e = e * 10 + (buf[i] - '0');
      }
    }
    return new int[] {eneg ? -e : e};
  }

  private double toDouble(int from, int to, boolean neg, long mant, int exp10, boolean inexact) {
    double d;
    if (mant == 0) {
      d = 0.0;
    } else if (!inexact && mant < MAX_EXACT && exp10 >= -22 && exp10 <= 22) {
      d = exp10 >= 0 ? mant * POW10[exp10] : mant / POW10[-exp10];
    } else {
      return Double.parseDouble(new String(buf, from, to - from, StandardCharsets.US_ASCII));
    }
    return neg ? -d : d;
  }

  private double parseSpecial(int from, int i, int to, boolean neg, String what) {
    if (equalsIgnoreCase(i, to, "nan")) {
      return Double.NaN;
    }
    if (equalsIgnoreCase(i, to, "inf") || equalsIgnoreCase(i, to, "infinity")) {
      return neg ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }
    throw error(from, "invalid " + what);
  }

  private boolean equalsIgnoreCase(int from, int to, String lower) {
    if (to - from != lower.length()) {
      return false;
    }
    for (int k = 0; k < lower.length(); k++) {
      int c = buf[from + k] | 0x20;
      if (c != lower.charAt(k)) {
        return false;
      }
    }
    return true;
  }

  private static boolean isDigit(byte c) {
    return c >= '0' && c <= '9';
  }

  private MetricsParseException error(int pos, String message) {
    return new MetricsParseException(lineNo, pos - lineStart + 1, message);
  }

  // ---- MetricLine view ----

  @Override
  public int lineNumber() {
    return lineNo;
  }

  @Override
  public String name() {
    return new String(buf, nameStart, nameEnd - nameStart, StandardCharsets.US_ASCII);
  }

  @Override
  public int nameLength() {
    return nameEnd - nameStart;
  }

  @Override
  public boolean nameEquals(String s) {
    return s.length() == nameLength() && regionMatches(nameStart, s);
  }

  @Override
  public boolean nameStartsWith(String prefix) {
    return prefix.length() <= nameLength() && regionMatches(nameStart, prefix);
  }

  @Override
  public boolean nameEndsWith(String suffix) {
    return suffix.length() <= nameLength() && regionMatches(nameEnd - suffix.length(), suffix);
  }

  @Override
  public int nameIndexOf(String s, int from) {
    int last = nameEnd - s.length();
    for (int p = nameStart + Math.max(0, from); p <= last; p++) {
      if (regionMatches(p, s)) {
        return p - nameStart;
      }
    }
    return -1;
  }

  @Override
  public String nameSubstring(int begin, int end) {
    if (begin < 0 || end > nameLength() || begin > end) {
      throw new IndexOutOfBoundsException(begin + ".." + end);
    }
    return new String(buf, nameStart + begin, end - begin, StandardCharsets.US_ASCII);
  }

  private boolean regionMatches(int at, String s) {
    for (int k = 0; k < s.length(); k++) {
      if (buf[at + k] != s.charAt(k)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int labelCount() {
    return labels;
  }

  @Override
  public String labelName(int i) {
    checkLabel(i);
    return new String(
        buf, labelPos[4 * i], labelPos[4 * i + 1] - labelPos[4 * i], StandardCharsets.US_ASCII);
  }

  @Override
  public String labelValue(int i) {
    checkLabel(i);
    int s = labelPos[4 * i + 2];
    int e = labelPos[4 * i + 3];
    boolean escaped = false;
    for (int k = s; k < e; k++) {
      if (buf[k] == '\\') {
        escaped = true;
        break;
      }
    }
    if (!escaped) {
      return new String(buf, s, e - s, StandardCharsets.UTF_8);
    }
    byte[] out = new byte[e - s];
    int n = 0;
    for (int k = s; k < e; k++) {
      byte c = buf[k];
      if (c == '\\') {
        byte next = buf[++k];
        out[n++] = next == 'n' ? (byte) '\n' : next;
      } else {
        out[n++] = c;
      }
    }
    return new String(out, 0, n, StandardCharsets.UTF_8);
  }

  @Override
  public String label(String name) {
    for (int i = 0; i < labels; i++) {
      int s = labelPos[4 * i];
      if (labelPos[4 * i + 1] - s == name.length() && regionMatches(s, name)) {
        return labelValue(i);
      }
    }
    return null;
  }

  private void checkLabel(int i) {
    if (i < 0 || i >= labels) {
      throw new IndexOutOfBoundsException("label " + i + " of " + labels);
    }
  }

  @Override
  public double value() {
    return value;
  }

  @Override
  public boolean hasTimestamp() {
    return hasTs;
  }

  @Override
  public double timestamp() {
    return ts;
  }
}
