package io.stoker.adapters.promql;

import io.stoker.adapters.http.HttpFetcher;
import io.stoker.adapters.spi.AdapterException;
import io.stoker.adapters.spi.Deadlines;
import io.stoker.adapters.spi.Reading;
import io.stoker.adapters.spi.Sample;
import io.stoker.adapters.spi.SignalAdapter;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.CompletableFuture;

/**
 * One PromQL instant query with KEDA's Prometheus-scaler semantics: empty result → 0 or an error
 * depending on ignoreNullValues, more than one series → error, NaN/±Inf → 0 or error, non-2xx →
 * error with the status, active iff value &gt; activationThreshold.
 */
public final class PromQueryAdapter implements SignalAdapter<PromQueryValue> {
  public static final String TYPE = "prometheus";
  static final String METRIC_NAME = "prometheus";

  private final PromQueryConfig config;
  private final HttpFetcher http;
  private final Clock clock;

  public PromQueryAdapter(PromQueryConfig config, HttpFetcher http, Clock clock) {
    this.config = config;
    this.http = http;
    this.clock = clock;
  }

  @Override
  public String type() {
    return TYPE;
  }

  /** The request URL KEDA would send at {@code now}. */
  String url(Instant now) {
    StringBuilder u =
        new StringBuilder(config.serverAddress())
            .append("/api/v1/query?query=")
            .append(enc(config.query()))
            .append("&time=")
            .append(
                enc(
                    DateTimeFormatter.ISO_INSTANT.format(
                        now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS))));
    if (config.namespace() != null && !config.namespace().isEmpty()) {
      u.append("&namespace=").append(enc(config.namespace()));
    }
    config
        .queryParameters()
        .forEach((k, v) -> u.append('&').append(enc(k)).append('=').append(enc(v)));
    return u.toString();
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  @Override
  public CompletableFuture<Sample<PromQueryValue>> collect(Duration timeout) {
    Duration t = timeout.compareTo(config.timeout()) < 0 ? timeout : config.timeout();
    CompletableFuture<Sample<PromQueryValue>> f =
        http.get(url(clock.instant()), config.customHeaders(), t)
            .thenApply(
                b -> new Sample<>(interpret(b.toString(StandardCharsets.UTF_8)), clock.instant()));
    return Deadlines.within(f, t, "Prometheus " + config.serverAddress());
  }

  /** Interprets a {@code /api/v1/query} answer. */
  PromQueryValue interpret(String body) {
    JsonArray result;
    try {
      JsonObject json = new JsonObject(body);
      JsonObject data = json.getJsonObject("data");
      if (!"success".equals(json.getString("status")) || data == null) {
        throw malformed("answer has no successful data");
      }
      if (!(data.getValue("result") instanceof JsonArray r)
          || (r.size() > 0 && !(r.getValue(0) instanceof JsonObject))) {
        throw malformed("result type '" + data.getString("resultType") + "' is not a vector");
      }
      result = r;
    } catch (DecodeException | ClassCastException e) {
      throw malformed("answer is not Prometheus API JSON");
    }
    if (result.isEmpty()) {
      return nullValue("the result is empty");
    }
    if (result.size() > 1) {
      throw malformed("prometheus query " + config.query() + " returned multiple elements");
    }
    JsonArray value = result.getJsonObject(0).getJsonArray("value");
    if (value == null || value.isEmpty()) {
      return nullValue("the value list is empty");
    }
    if (value.size() < 2) {
      throw malformed("prometheus query " + config.query() + " didn't return enough values");
    }
    double v;
    try {
      v = Double.parseDouble(String.valueOf(value.getValue(1)).replace("Inf", "Infinity"));
    } catch (NumberFormatException e) {
      throw malformed("value '" + value.getValue(1) + "' is not a number");
    }
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return nullValue("the value is " + v);
    }
    return new PromQueryValue(
        METRIC_NAME, v, false, v > config.activationThreshold(), config.threshold());
  }

  private PromQueryValue nullValue(String why) {
    if (config.ignoreNullValues()) {
      return new PromQueryValue(
          METRIC_NAME, 0, true, 0 > config.activationThreshold(), config.threshold());
    }
    throw new AdapterException(
        AdapterException.Kind.EMPTY,
        "prometheus metrics '" + METRIC_NAME + "' target may be lost, " + why);
  }

  private static AdapterException malformed(String m) {
    return new AdapterException(AdapterException.Kind.MALFORMED, m);
  }

  /** The query's value, read as the input's arrival rate. */
  @Override
  public Reading toReading(Sample<PromQueryValue> sample) {
    return Reading.empty(TYPE, sample.at()).withArrivalRate(sample.value().value());
  }

  @Override
  public void close() {
    // The HTTP client is shared through the AdapterContext and closed with it.
  }
}
