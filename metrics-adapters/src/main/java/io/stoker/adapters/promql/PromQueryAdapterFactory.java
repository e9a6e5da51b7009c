package io.stoker.adapters.promql;

import io.stoker.adapters.http.HttpFetcher;
import io.stoker.adapters.spi.AdapterContext;
import io.stoker.adapters.spi.AdapterFactory;
import io.stoker.adapters.spi.ParamSet;
import java.util.Map;

/** Registry entry of the PromQL adapter. */
public final class PromQueryAdapterFactory
    implements AdapterFactory<PromQueryConfig, PromQueryAdapter> {
  @Override
  public String type() {
    return PromQueryAdapter.TYPE;
  }

  @Override
  public Class<PromQueryConfig> configType() {
    return PromQueryConfig.class;
  }

  @Override
  public ParamSet params() {
    return PromQueryConfig.PARAMS;
  }

  @Override
  public PromQueryConfig parse(Map<String, String> metadata) {
    return PromQueryConfig.fromMap(metadata);
  }

  @Override
  public PromQueryAdapter create(
      PromQueryConfig config, Map<String, String> secrets, AdapterContext context) {
    return new PromQueryAdapter(config, HttpFetcher.shared(context), context.clock());
  }
}
