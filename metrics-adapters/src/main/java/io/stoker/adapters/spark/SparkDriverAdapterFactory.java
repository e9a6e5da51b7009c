package io.stoker.adapters.spark;

import io.stoker.adapters.http.HttpFetcher;
import io.stoker.adapters.spi.AdapterContext;
import io.stoker.adapters.spi.AdapterFactory;
import io.stoker.adapters.spi.ParamSet;
import java.util.Map;

/** Registry entry of the Spark driver adapter. */
public final class SparkDriverAdapterFactory implements AdapterFactory {
  @Override
  public String type() {
    return SparkDriverAdapter.TYPE;
  }

  @Override
  public ParamSet params() {
    return SparkDriverConfig.PARAMS;
  }

  @Override
  public SparkDriverAdapter create(
      Map<String, String> metadata, Map<String, String> secrets, AdapterContext context) {
    return new SparkDriverAdapter(
        SparkDriverConfig.fromMap(metadata), HttpFetcher.shared(context), context.clock());
  }
}
