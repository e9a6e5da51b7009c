package io.stoker.adapters.promql;

import io.stoker.adapters.http.HttpFetcher;
import io.stoker.adapters.spi.AdapterContext;
import io.stoker.adapters.spi.AdapterFactory;
import io.stoker.adapters.spi.ParamSet;
import java.util.Map;

/** Registry entry of the PromQL adapter. */
public final class PromQueryAdapterFactory implements AdapterFactory {
  @Override
  public String type() {
    return PromQueryAdapter.TYPE;
  }

  @Override
  public ParamSet params() {
    return PromQueryConfig.PARAMS;
  }

  @Override
  public PromQueryAdapter create(
      Map<String, String> metadata, Map<String, String> secrets, AdapterContext context) {
    return new PromQueryAdapter(
        PromQueryConfig.fromMap(metadata), HttpFetcher.shared(context), context.clock());
  }
}
