package io.stoker.app.commands;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stoker.sim.Comparison;
import io.stoker.sim.SimResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Renders a comparison as the JSON of docs/simulator.md or as a readable table. */
final class Reports {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private Reports() {}

  static String json(Comparison.Result r) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("trace", r.trace());
    root.put("durationSeconds", r.durationSeconds());
    ObjectNode scenario = root.putObject("scenario");
    for (Map.Entry<String, Object> e : r.scenario().toMap().entrySet()) {
      scenario.putPOJO(e.getKey(), e.getValue());
    }
    root.put("slaBudgetSeconds", r.slaBudgetSeconds());
    ArrayNode policies = root.putArray("policies");
    for (Comparison.Entry e : r.entries()) {
      SimResult s = e.result();
      ObjectNode p = policies.addObject();
      p.put("name", e.name());
      if (!s.setting().isEmpty()) {
        p.put("setting", s.setting());
      }
      p.put("executorSeconds", s.executorSeconds());
      p.put("placeholderSeconds", s.placeholderSeconds());
      p.put("nodeSeconds", s.nodeSeconds());
      p.put("slaViolationSeconds", s.slaViolationSeconds());
      p.put("p99LatencySeconds", round(s.p99LatencySeconds()));
      p.put("maxLatencySeconds", round(s.maxLatencySeconds()));
      p.put("maxBacklogRecords", Math.round(s.maxBacklogRecords()));
      p.put("scalingActions", s.scalingActions());
      p.put("meanUtilization", round(s.meanUtilization()));
    }
    return root.toString();
  }

  static String table(Comparison.Result r) {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "trace %s: %d s, SLA budget %.0f violation seconds (latency > %.0f s)%n",
            r.trace(),
            r.durationSeconds(),
            r.slaBudgetSeconds(),
            r.scenario().targetLatencySeconds()));
    List<String> names = new ArrayList<>();
    int width = "policy".length();
    for (Comparison.Entry e : r.entries()) {
      String name = e.sweepPoint() ? "  " + e.name() : e.name();
      if (!e.sweepPoint() && !e.result().setting().isEmpty()) {
        name += " [" + e.result().setting() + "]";
      }
      names.add(name);
      width = Math.max(width, name.length());
    }
    String nameColumn = "%-" + width + "s";
    b.append(
        String.format(
            Locale.ROOT,
            nameColumn + " %12s %13s %10s %8s %8s %8s %11s %8s %6s%n",
            "policy",
            "executor-s",
            "placeholder-s",
            "node-s",
            "SLA-viol",
            "p99-lat",
            "max-lat",
            "max-backlog",
            "actions",
            "util"));
    for (int i = 0; i < r.entries().size(); i++) {
      SimResult s = r.entries().get(i).result();
      b.append(
          String.format(
              Locale.ROOT,
              nameColumn + " %12.0f %13.0f %10.0f %8d %8.1f %8.1f %11.0f %8d %6.2f%n",
              names.get(i),
              s.executorSeconds(),
              s.placeholderSeconds(),
              s.nodeSeconds(),
              s.slaViolationSeconds(),
              s.p99LatencySeconds(),
              s.maxLatencySeconds(),
              s.maxBacklogRecords(),
              s.scalingActions(),
              s.meanUtilization()));
    }
    return b.toString();
  }

  static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
