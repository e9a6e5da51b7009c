package io.stoker.adapters.spark;

import io.stoker.adapters.http.HttpFetcher;
import io.stoker.adapters.spi.AdapterContext;
import io.stoker.adapters.spi.AdapterFactory;
import io.stoker.adapters.spi.ParamSet;
import java.util.Map;

/** Registry entry of the Spark driver adapter. */
public final class SparkDriverAdapterFactory
    implements AdapterFactory<SparkDriverConfig, SparkDriverAdapter> {
  @Override
  public String type() {
    return SparkDriverAdapter.TYPE;
  }

  @Override
  public Class<SparkDriverConfig> configType() {
    return SparkDriverConfig.class;
  }

  @Override
  public ParamSet params() {
    return SparkDriverConfig.PARAMS;
  }

  @Override
  public SparkDriverConfig parse(Map<String, String> metadata) {
    return SparkDriverConfig.fromMap(metadata);
  }

  @Override
  public SparkDriverAdapter create(
      SparkDriverConfig config, Map<String, String> secrets, AdapterContext context) {
    ParamSet.reject(config.host() == null, "parameter 'host' is required");
    return new SparkDriverAdapter(config, HttpFetcher.shared(context), context.clock());
  }
}
