package io.stoker.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stoker.adapters.promql.PrometheusServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Every PromQL query of the Grafana dashboards in {@code dashboards/*.json}: panel targets (rows'
 * nested panels included), annotations and {@code label_values} template variables, with Grafana's
 * variables substituted by concrete values, and the checks run on them: {@code promtool} parses
 * each, and each returns data from a Prometheus server. Published in this module's test-jar, so
 * that the e2e tests run the same check against a controller on a real kube-apiserver:
 *
 * <pre>{@code
 * List<DashboardQueries.Query> q =
 *     DashboardQueries.load(DashboardQueries.repoRoot())
 *         .substituted(Map.of("namespace", ns, "autoscaler", name));
 * DashboardQueries.assertEveryQueryReturnsData(prometheusUrl, q, Duration.ofSeconds(60));
 * }</pre>
 */
public final class DashboardQueries {
  /** Where a query sits in a dashboard. */
  public enum Kind {
    PANEL,
    ANNOTATION,
    VARIABLE
  }

  /**
   * One query.
   *
   * @param dashboard the file name, e.g. {@code stoker-autoscaler.json}
   * @param title the panel title, annotation name or variable name
   * @param refId the target's refId (panels), else empty
   * @param kind where it sits
   * @param expr the PromQL; a {@code label_values(q, l)} variable becomes {@code q} with {@code
   *     l!=""} added
   * @param instant true for an instant query (Grafana's "Instant"), else a range query
   */
  public record Query(
      String dashboard, String title, String refId, Kind kind, String expr, boolean instant) {
    /** "stoker-autoscaler.json panel 'Kafka lag' A", for failure messages. */
    public String describe() {
      return dashboard
          + " "
          + kind.name().toLowerCase(java.util.Locale.ROOT)
          + " '"
          + title
          + "'"
          + (refId.isEmpty() ? "" : " " + refId);
    }

    Query withExpr(String e) {
      return new Query(dashboard, title, refId, kind, e, instant);
    }
  }

  /**
   * Values of Grafana's built-in variables: {@code $__rate_interval} as Grafana computes it for a
   * 15 s scrape interval (four scrapes), {@code $__interval} for a few hours' range.
   */
  public static final Map<String, String> BUILT_INS =
      Map.of(
          "__rate_interval", "1m",
          "__interval", "15s",
          "__interval_ms", "15000",
          "__range", "1h",
          "__range_s", "3600",
          "__range_ms", "3600000");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern VARIABLE =
      Pattern.compile("\\$\\{(\\w+)(?::[^}]*)?}|\\[\\[(\\w+)]]|\\$(\\w+)");
  private static final Pattern LABEL_VALUES =
      Pattern.compile("^\\s*label_values\\((.*),\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*\\)\\s*$");

  private final Map<String, JsonNode> dashboards;

  private DashboardQueries(Map<String, JsonNode> dashboards) {
    this.dashboards = dashboards;
  }

  /** The repository root: system property {@code stoker.repo.root} (set by the Maven build). */
  public static Path repoRoot() {
    String root = System.getProperty("stoker.repo.root");
    if (root == null) {
      throw new IllegalStateException(
          "system property stoker.repo.root is not set (the Maven build sets it to"
              + " ${maven.multiModuleProjectDirectory})");
    }
    return Path.of(root);
  }

  /** {@code dashboards/*.json} under {@code repoRoot}, sorted by name. */
  public static List<Path> files(Path repoRoot) {
    try (Stream<Path> s = Files.list(repoRoot.resolve("dashboards"))) {
      return s.filter(p -> p.getFileName().toString().endsWith(".json"))
          .sorted(Comparator.comparing(p -> p.getFileName().toString()))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Parses every dashboard of the repository; fails on JSON that does not parse. */
  public static DashboardQueries load(Path repoRoot) {
    Map<String, JsonNode> m = new LinkedHashMap<>();
    for (Path p : files(repoRoot)) {
      try {
        m.put(p.getFileName().toString(), JSON.readTree(p.toFile()));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot parse " + p, e);
      }
    }
    if (m.isEmpty()) {
      throw new IllegalStateException("no dashboards in " + repoRoot.resolve("dashboards"));
    }
    return new DashboardQueries(m);
  }

  /** Dashboards given as JSON text by file name (tests of the checks themselves). */
  public static DashboardQueries of(Map<String, String> jsonByName) {
    Map<String, JsonNode> m = new LinkedHashMap<>();
    jsonByName.forEach(
        (name, text) -> {
          try {
            m.put(name, JSON.readTree(text));
          } catch (IOException e) {
            throw new UncheckedIOException("cannot parse " + name, e);
          }
        });
    return new DashboardQueries(m);
  }

  /** The parsed dashboards by file name. */
  public Map<String, JsonNode> dashboards() {
    return dashboards;
  }

  /** Every query as written, Grafana variables left in. */
  public List<Query> queries() {
    List<Query> out = new ArrayList<>();
    dashboards.forEach((name, d) -> collect(name, d, out));
    return out;
  }

  /**
   * Every query with Grafana's variables replaced: {@link #BUILT_INS}, then {@code values} (e.g.
   * {@code namespace}, {@code autoscaler}, {@code job}); a dashboard variable not given takes its
   * "All" value ({@code allValue}) if it has one.
   *
   * @throws IllegalArgumentException naming the query, for a variable with no value (a typo, or a
   *     variable the dashboard does not define)
   */
  public List<Query> substituted(Map<String, String> values) {
    List<Query> out = new ArrayList<>();
    dashboards.forEach(
        (name, d) -> {
          Map<String, String> vars = new HashMap<>(BUILT_INS);
          for (JsonNode v : d.path("templating").path("list")) {
            String var = v.path("name").asText();
            if (values.containsKey(var)) {
              vars.put(var, values.get(var));
            } else if (v.path("includeAll").asBoolean() && v.hasNonNull("allValue")) {
              vars.put(var, v.path("allValue").asText());
            }
          }
          List<Query> qs = new ArrayList<>();
          collect(name, d, qs);
          for (Query q : qs) {
            out.add(q.withExpr(substitute(q, vars)));
          }
        });
    return out;
  }

  private static String substitute(Query q, Map<String, String> vars) {
    Matcher m = VARIABLE.matcher(q.expr());
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String var = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
      String value = vars.get(var);
      if (value == null) {
        throw new IllegalArgumentException(
            q.describe() + ": no value for variable $" + var + " in: " + q.expr());
      }
      m.appendReplacement(sb, Matcher.quoteReplacement(value));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  private static void collect(String name, JsonNode d, List<Query> out) {
    for (JsonNode p : d.path("panels")) {
      panel(name, p, out);
      for (JsonNode nested : p.path("panels")) {
        panel(name, nested, out);
      }
    }
    for (JsonNode a : d.path("annotations").path("list")) {
      String expr =
          a.hasNonNull("expr") ? a.path("expr").asText() : a.path("target").path("expr").asText();
      if (!expr.isBlank()) {
        out.add(new Query(name, a.path("name").asText(), "", Kind.ANNOTATION, expr, false));
      }
    }
    for (JsonNode v : d.path("templating").path("list")) {
      if (!"query".equals(v.path("type").asText())) {
        continue;
      }
      JsonNode q = v.path("query");
      String text = q.isObject() ? q.path("query").asText() : q.asText();
      out.add(
          new Query(name, v.path("name").asText(), "", Kind.VARIABLE, variableQuery(text), false));
    }
  }

  private static void panel(String name, JsonNode p, List<Query> out) {
    for (JsonNode t : p.path("targets")) {
      if (t.path("hide").asBoolean()) {
        continue;
      }
      boolean instant = t.path("instant").asBoolean() && !t.path("range").asBoolean();
      out.add(
          new Query(
              name,
              p.path("title").asText(),
              t.path("refId").asText(),
              Kind.PANEL,
              t.path("expr").asText(),
              instant));
    }
  }

  /**
   * A variable's query as PromQL: {@code label_values(m{sel}, l)} becomes {@code m{sel, l!=""}}
   * (the series that give the variable its values), {@code query_result(q)} becomes {@code q}.
   */
  static String variableQuery(String text) {
    Matcher m = LABEL_VALUES.matcher(text);
    if (m.matches()) {
      String selector = m.group(1).trim();
      String label = m.group(2);
      int close = selector.lastIndexOf('}');
      return close < 0
          ? selector + "{" + label + "!=\"\"}"
          : selector.substring(0, close) + ", " + label + "!=\"\"}";
    }
    String t = text.trim();
    if (t.startsWith("query_result(") && t.endsWith(")")) {
      return t.substring("query_result(".length(), t.length() - 1);
    }
    throw new IllegalArgumentException(
        "variable query not understood (use label_values or query_result): " + text);
  }

  // ------------------------------------------------------------------------------ metric names

  private static final Set<String> LABEL_LIST_KEYWORDS =
      Set.of("by", "without", "on", "ignoring", "group_left", "group_right");
  private static final Set<String> KEYWORDS =
      Set.of(
          "and",
          "or",
          "unless",
          "bool",
          "offset",
          "inf",
          "nan",
          "atan2",
          "group_left",
          "group_right",
          "sum",
          "min",
          "max",
          "avg",
          "group",
          "stddev",
          "stdvar",
          "count",
          "count_values",
          "bottomk",
          "topk",
          "quantile",
          "limitk",
          "limit_ratio");

  /**
   * The metric names a PromQL expression selects: identifiers that are not functions, keywords,
   * label names (in braces or in {@code by}/{@code on}/... lists), strings, numbers or durations.
   */
  public static Set<String> metricNames(String expr) {
    Set<String> names = new TreeSet<>();
    int i = 0;
    int n = expr.length();
    while (i < n) {
      char c = expr.charAt(i);
      if (c == '"' || c == '\'' || c == '`') {
        i = skipString(expr, i);
      } else if (c == '#') {
        int eol = expr.indexOf('\n', i);
        i = eol < 0 ? n : eol;
      } else if (c == '{') {
        i = skipTo(expr, i, '}');
      } else if (c == '[') {
        i = skipTo(expr, i, ']');
      } else if (Character.isDigit(c) || c == '.') {
        while (i < n && (Character.isLetterOrDigit(expr.charAt(i)) || expr.charAt(i) == '.')) {
          i++;
        }
      } else if (Character.isLetter(c) || c == '_' || c == ':') {
        i = identifier(expr, i, names);
      } else {
        i++;
      }
    }
    return names;
  }

  /**
   * Reads the identifier at {@code start}; adds it to {@code names} if it names a metric. Returns
   * the index after it, or after the label list of a {@code by}, {@code on}, ... that it opens.
   */
  private static int identifier(String expr, int start, Set<String> names) {
    int n = expr.length();
    int i = start;
    while (i < n
        && (Character.isLetterOrDigit(expr.charAt(i)) || "_:".indexOf(expr.charAt(i)) >= 0)) {
      i++;
    }
    String ident = expr.substring(start, i);
    int j = i;
    while (j < n && Character.isWhitespace(expr.charAt(j))) {
      j++;
    }
    boolean call = j < n && expr.charAt(j) == '(';
    if (LABEL_LIST_KEYWORDS.contains(ident) && call) {
      return skipTo(expr, j, ')');
    }
    if (!call && !KEYWORDS.contains(ident.toLowerCase(java.util.Locale.ROOT))) {
      names.add(ident);
    }
    return i;
  }

  /** Index after the closing quote of the string opening at {@code i}. */
  private static int skipString(String s, int i) {
    char quote = s.charAt(i);
    int k = i + 1;
    while (k < s.length() && s.charAt(k) != quote) {
      k += s.charAt(k) == '\\' && quote != '`' ? 2 : 1;
    }
    return Math.min(k + 1, s.length());
  }

  /** Index after {@code close}, from the opening bracket at {@code i}, strings skipped. */
  private static int skipTo(String s, int i, char close) {
    int k = i + 1;
    while (k < s.length() && s.charAt(k) != close) {
      char c = s.charAt(k);
      k = c == '"' || c == '\'' || c == '`' ? skipString(s, k) : k + 1;
    }
    return Math.min(k + 1, s.length());
  }

  /** "query: unknown metric name" for each metric name of each query that {@code known} refuses. */
  public static List<String> unknownMetricNames(List<Query> queries, Predicate<String> known) {
    List<String> out = new ArrayList<>();
    for (Query q : queries) {
      for (String name : metricNames(q.expr())) {
        if (!known.test(name)) {
          out.add(q.describe() + ": unknown metric " + name + " in: " + q.expr());
        }
      }
    }
    return out;
  }

  // ---------------------------------------------------------------------------------- promtool

  /**
   * Runs {@code promtool check rules} on each query written as a recording rule (variables must be
   * substituted first); one problem per query that does not parse, naming it. The binary is the
   * promtool built beside Prometheus ({@link PrometheusServer#binary(String)}).
   *
   * @throws IOException when promtool cannot be run (with how to install it)
   */
  public static List<String> promtoolProblems(List<Query> queries)
      throws IOException, InterruptedException {
    String promtool = PrometheusServer.binary("promtool");
    Path dir = Files.createTempDirectory("stoker-promtool");
    List<String> out = new ArrayList<>();
    try {
      for (int i = 0; i < queries.size(); i++) {
        Query q = queries.get(i);
        Path rules = dir.resolve("query-" + i + ".yml");
        StringBuilder yml =
            new StringBuilder("groups:\n  - name: dashboard\n    rules:\n")
                .append("      - record: dashboard:query:")
                .append(i)
                .append("\n        expr: |-\n");
        for (String line : q.expr().split("\n", -1)) {
          yml.append("          ").append(line).append('\n');
        }
        Files.writeString(rules, yml.toString(), StandardCharsets.UTF_8);
        Process p;
        try {
          p =
              new ProcessBuilder(promtool, "check", "rules", rules.toString())
                  .redirectErrorStream(true)
                  .start();
        } catch (IOException e) {
          throw new IOException("cannot run '" + promtool + "'", e);
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          out.add(q.describe() + ": promtool did not finish");
        } else if (p.exitValue() != 0) {
          out.add(q.describe() + ": " + output.trim() + "\n    in: " + q.expr());
        }
      }
    } finally {
      try (Stream<Path> s = Files.walk(dir)) {
        s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
    return out;
  }

  // -------------------------------------------------------------------------------- Prometheus

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /**
   * The queries that return no data now: a range query over the last {@code window} (step 2 s), or
   * an instant query, that gives no series with a finite value (NaN is no data: Grafana draws
   * nothing). One line per query, naming it, with Prometheus's error if it refused the query.
   */
  public static List<String> withoutData(String prometheusUrl, List<Query> queries, Duration window)
      throws IOException, InterruptedException {
    List<String> out = new ArrayList<>();
    Instant end = Instant.now();
    Instant start = end.minus(window);
    for (Query q : queries) {
      String url =
          q.instant()
              ? prometheusUrl + "/api/v1/query?query=" + encode(q.expr()) + "&time=" + secs(end)
              : prometheusUrl
                  + "/api/v1/query_range?query="
                  + encode(q.expr())
                  + "&start="
                  + secs(start)
                  + "&end="
                  + secs(end)
                  + "&step=2";
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
              HttpResponse.BodyHandlers.ofString());
      JsonNode body = JSON.readTree(r.body());
      if (!"success".equals(body.path("status").asText())) {
        out.add(q.describe() + ": Prometheus says " + body.path("error").asText(r.body()));
      } else if (!hasFiniteValue(body.path("data"))) {
        out.add(q.describe() + ": no data from " + q.expr());
      }
    }
    return out;
  }

  private static boolean hasFiniteValue(JsonNode data) {
    String type = data.path("resultType").asText();
    JsonNode result = data.path("result");
    if ("scalar".equals(type)) {
      return finite(result.path(1));
    }
    for (JsonNode series : result) {
      if (series.has("value") && finite(series.path("value").path(1))) {
        return true;
      }
      for (JsonNode point : series.path("values")) {
        if (finite(point.path(1))) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean finite(JsonNode v) {
    try {
      return Double.isFinite(Double.parseDouble(v.asText()));
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /**
   * Waits (at most {@code timeout}) until every query returns data from the Prometheus server at
   * {@code prometheusUrl} (see {@link #withoutData}, over the last 10 minutes), else fails listing
   * every query still without data by dashboard and panel title.
   */
  public static void assertEveryQueryReturnsData(
      String prometheusUrl, List<Query> queries, Duration timeout) {
    AtomicReference<List<String>> last = new AtomicReference<>(List.of("not checked yet"));
    try {
      Awaitility.await()
          .atMost(timeout)
          .pollInterval(Duration.ofSeconds(1))
          .until(
              () -> {
                last.set(withoutData(prometheusUrl, queries, Duration.ofMinutes(10)));
                return last.get().isEmpty();
              });
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(
          last.get().size()
              + " of "
              + queries.size()
              + " dashboard queries return no data after "
              + timeout
              + ":\n  "
              + String.join("\n  ", last.get()),
          e);
    }
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String secs(Instant t) {
    return String.format(java.util.Locale.ROOT, "%.3f", t.toEpochMilli() / 1000.0);
  }
}
