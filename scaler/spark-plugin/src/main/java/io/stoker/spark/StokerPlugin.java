package io.stoker.spark;

import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.SparkPlugin;

/**
 * Stoker's Spark plugin. Enable it with {@code spark.plugins=io.stoker.spark.StokerPlugin}; it runs
 * in the driver only. See the module README for configuration, RBAC and failure behaviour.
 */
public class StokerPlugin implements SparkPlugin {

  @Override
  public DriverPlugin driverPlugin() {
    return new StokerDriverPlugin();
  }

  @Override
  public ExecutorPlugin executorPlugin() {
    return null;
  }
}
