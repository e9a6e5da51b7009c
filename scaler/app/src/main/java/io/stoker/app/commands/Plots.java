package io.stoker.app.commands;

import io.stoker.app.commands.demo.DemoResult;
import io.stoker.app.commands.demo.DemoSettings;
import io.stoker.sim.Comparison;
import io.stoker.sim.InputException;
import io.stoker.sim.SimResult;
import java.awt.Color;
import java.awt.Font;
import java.awt.geom.Rectangle2D;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItem;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;

/**
 * Draws a comparison with JFreeChart: arrival rate, backlog, latency and executors over time, one
 * line per policy, as PNG or SVG.
 */
final class Plots {
  static final int WIDTH = 1400;
  static final int HEIGHT = 1000;

  /** One colour per series name in every subplot, so a policy is the same line everywhere. */
  static final Map<String, Color> PALETTE =
      Map.of(
          "arrival rate", new Color(0x44, 0x44, 0x44),
          "stoker", new Color(0xd6, 0x27, 0x28),
          "stoker+placeholders", new Color(0xe3, 0x77, 0xc2),
          "keda-hpa", new Color(0x1f, 0x77, 0xb4),
          "spark-da", new Color(0xff, 0x7f, 0x0e),
          "static-peak", new Color(0x94, 0x67, 0xbd),
          "stoker target", new Color(0xf4, 0xa5, 0x82),
          "oracle", new Color(0x2c, 0xa0, 0x2c));

  private static final List<String> ORDER =
      List.of(
          "arrival rate",
          "stoker",
          "stoker+placeholders",
          "keda-hpa",
          "spark-da",
          "static-peak",
          "oracle");

  private Plots() {}

  static void checkExtension(Path file) throws InputException {
    String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (!n.endsWith(".png") && !n.endsWith(".svg")) {
      throw new InputException("--plot: " + file + " must end in .png or .svg");
    }
  }

  static void write(Comparison.Result r, Path file) throws IOException {
    save(chart(r), file);
  }

  /** Draws a demo run: arrival rate, lag, latency and executors of both fleets. */
  static void writeDemo(DemoResult r, Path file) throws IOException {
    save(demoChart(r), file);
  }

  private static void save(JFreeChart chart, Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".svg")) {
      SVGGraphics2D g = new SVGGraphics2D(WIDTH, HEIGHT);
      chart.draw(g, new Rectangle2D.Double(0, 0, WIDTH, HEIGHT));
      Files.writeString(file, g.getSVGDocument(), StandardCharsets.UTF_8);
    } else {
      ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
    }
  }

  static JFreeChart chart(Comparison.Result r) {
    NumberAxis time = new NumberAxis("time (s)");
    CombinedDomainXYPlot plot = new CombinedDomainXYPlot(time);
    plot.setGap(8);
    SimResult first = r.entries().get(0).result();
    XYSeriesCollection rate = new XYSeriesCollection();
    rate.addSeries(series("arrival rate", first.series().arrivalRate()));
    plot.add(subplot(rate, "records/s"), 2);
    XYSeriesCollection backlog = new XYSeriesCollection();
    XYSeriesCollection latency = new XYSeriesCollection();
    XYSeriesCollection executors = new XYSeriesCollection();
    for (Comparison.Entry e : r.entries()) {
      if (e.sweepPoint()) {
        continue;
      }
      SimResult s = e.result();
      backlog.addSeries(series(e.name(), s.series().backlog()));
      latency.addSeries(series(e.name(), s.series().latency()));
      executors.addSeries(series(e.name(), toDouble(s.series().billedExecutors())));
    }
    plot.add(subplot(backlog, "backlog (records)"), 2);
    plot.add(subplot(latency, "latency (s)"), 2);
    plot.add(subplot(executors, "executors"), 3);
    LegendItemCollection legend = new LegendItemCollection();
    for (String name : ORDER) {
      if (name.equals("arrival rate") || executors.getSeriesIndex(name) >= 0) {
        legend.add(new LegendItem(name, PALETTE.get(name)));
      }
    }
    plot.setFixedLegendItems(legend);
    JFreeChart chart =
        new JFreeChart(
            r.trace()
                + " — SLA "
                + Math.round(r.scenario().targetLatencySeconds())
                + " s, budget "
                + Math.round(r.slaBudgetSeconds())
                + " violation s",
            new Font(Font.SANS_SERIF, Font.BOLD, 16),
            plot,
            true);
    chart.setBackgroundPaint(Color.WHITE);
    return chart;
  }

  static JFreeChart demoChart(DemoResult r) {
    List<DemoResult.Tick> ticks = r.ticks();
    String fixedName = "static-peak";
    XYSeries rate = new XYSeries("arrival rate", false, true);
    XYSeries lag = new XYSeries("stoker", false, true);
    XYSeries fixedLag = new XYSeries(fixedName, false, true);
    XYSeries latency = new XYSeries("stoker", false, true);
    XYSeries fixedLatency = new XYSeries(fixedName, false, true);
    XYSeries running = new XYSeries("stoker", false, true);
    XYSeries target = new XYSeries("stoker target", false, true);
    XYSeries fixedRunning = new XYSeries(fixedName, false, true);
    for (DemoResult.Tick t : ticks) {
      rate.add(t.seconds(), t.rate());
      if (t.lag() >= 0) {
        lag.add(t.seconds(), t.lag());
      }
      if (t.fixedLag() >= 0) {
        fixedLag.add(t.seconds(), t.fixedLag());
      }
      latency.add(t.seconds(), t.latency());
      fixedLatency.add(t.seconds(), t.fixedLatency());
      running.add(t.seconds(), t.ready());
      target.add(t.seconds(), t.target());
      fixedRunning.add(t.seconds(), t.fixedExecutors());
    }
    NumberAxis time = new NumberAxis("time (s)");
    CombinedDomainXYPlot plot = new CombinedDomainXYPlot(time);
    plot.setGap(8);
    plot.add(subplot(collection(rate), "records/s"), 2);
    plot.add(subplot(collection(lag, fixedLag), "lag (records)"), 2);
    plot.add(subplot(collection(latency, fixedLatency), "latency (s)"), 2);
    plot.add(subplot(collection(running, target, fixedRunning), "executors"), 3);
    LegendItemCollection legend = new LegendItemCollection();
    for (String name : List.of("arrival rate", "stoker", "stoker target", fixedName)) {
      legend.add(new LegendItem(name, PALETTE.get(name)));
    }
    plot.setFixedLegendItems(legend);
    DemoSettings s = r.settings();
    JFreeChart chart =
        new JFreeChart(
            "stoker demo — "
                + s.workload()
                + " compressed into "
                + s.duration().toSeconds()
                + " s, latency objective "
                + s.targetLatency().toMillis() / 1000.0
                + " s, real Kafka broker and consumers",
            new Font(Font.SANS_SERIF, Font.BOLD, 16),
            plot,
            true);
    chart.setBackgroundPaint(Color.WHITE);
    return chart;
  }

  private static XYSeriesCollection collection(XYSeries... series) {
    XYSeriesCollection c = new XYSeriesCollection();
    for (XYSeries s : series) {
      c.addSeries(s);
    }
    return c;
  }

  private static XYPlot subplot(XYSeriesCollection data, String label) {
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
    for (int i = 0; i < data.getSeriesCount(); i++) {
      Color c = PALETTE.get(String.valueOf(data.getSeriesKey(i)));
      if (c != null) {
        renderer.setSeriesPaint(i, c);
      }
    }
    XYPlot p = new XYPlot(data, null, new NumberAxis(label), renderer);
    p.setBackgroundPaint(Color.WHITE);
    p.setDomainGridlinePaint(Color.LIGHT_GRAY);
    p.setRangeGridlinePaint(Color.LIGHT_GRAY);
    return p;
  }

  /** One point per 10 s keeps files small; every 10th second is exact, not an average. */
  private static XYSeries series(String name, double[] values) {
    XYSeries s = new XYSeries(name, false, true);
    for (int i = 0; i < values.length; i += 10) {
      s.add(i, values[i]);
    }
    return s;
  }

  private static double[] toDouble(int[] values) {
    double[] d = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      d[i] = values[i];
    }
    return d;
  }
}
