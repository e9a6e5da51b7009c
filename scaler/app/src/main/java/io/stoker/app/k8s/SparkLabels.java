package io.stoker.app.k8s;

/** Labels and annotations Spark, the Spark Operator and Stoker put on pods. */
public final class SparkLabels {
  public static final String ROLE = "spark-role";
  public static final String DRIVER = "driver";
  public static final String EXECUTOR = "executor";
  public static final String APP_SELECTOR = "spark-app-selector";
  public static final String OPERATOR_APP_NAME = "sparkoperator.k8s.io/app-name";

  /** The controller → driver plugin channel (docs/executorautoscaler.md). */
  public static final String TARGET_ANNOTATION = "stoker.io/target-executors";

  /**
   * The executors the controller prefers for a scale-down, written with the target
   * (docs/executorautoscaler.md).
   */
  public static final String PREFERRED_ANNOTATION = "stoker.io/preferred-executors";

  /** Spark's executor id, a label of every executor pod. */
  public static final String EXECUTOR_ID = "spark-exec-id";

  /** Spark sets this on executor containers. */
  public static final String EXECUTOR_CORES_ENV = "SPARK_EXECUTOR_CORES";

  private SparkLabels() {}
}
