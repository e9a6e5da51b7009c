package io.stoker.adapters.promql;

/**
 * The result of one PromQL collection.
 *
 * @param metricName KEDA's metric name ({@code prometheus})
 * @param value the query's value (0 for an ignored empty or NaN result)
 * @param empty true if the result was empty or NaN/Inf and ignoreNullValues turned it into 0
 * @param active value &gt; activationThreshold
 * @param threshold the configured target
 */
public record PromQueryValue(
    String metricName, double value, boolean empty, boolean active, double threshold) {}
