package io.stoker.adapters.kafka;

import io.stoker.adapters.spi.AdapterContext;
import io.stoker.adapters.spi.AdapterFactory;
import io.stoker.adapters.spi.ParamSet;
import java.util.Map;

/** Registry entry of the Kafka lag adapter; one {@link KafkaClusterClient} per cluster. */
public final class KafkaLagAdapterFactory
    implements AdapterFactory<KafkaLagConfig, KafkaLagAdapter> {
  @Override
  public String type() {
    return KafkaLagAdapter.TYPE;
  }

  @Override
  public Class<KafkaLagConfig> configType() {
    return KafkaLagConfig.class;
  }

  @Override
  public ParamSet params() {
    return KafkaLagConfig.PARAMS;
  }

  @Override
  public KafkaLagConfig parse(Map<String, String> metadata) {
    return KafkaLagConfig.fromMap(metadata);
  }

  @Override
  public KafkaLagAdapter create(
      KafkaLagConfig config, Map<String, String> secrets, AdapterContext context) {
    // Validate the auth settings now so that a bad Secret is an INVALID_CONFIG, not a poll error.
    var props = KafkaClientProperties.build(config.bootstrapServers(), secrets);
    KafkaClusterClient cluster =
        context.shared(
            KafkaClientProperties.clusterKey(config.bootstrapServers(), secrets),
            KafkaClusterClient.class,
            () -> new KafkaClusterClient(props, context.clock()));
    return new KafkaLagAdapter(config, cluster);
  }
}
