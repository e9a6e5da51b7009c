package io.stoker.sim;

/**
 * What Spark publishes about one completed micro-batch, and nothing the simulator knows beyond it:
 * the fields of a {@code StreamingQueryProgress} (Spark's {@code
 * sql/api/src/main/scala/org/apache/spark/sql/streaming/progress.scala}, rates as computed in
 * {@code ProgressReporter}).
 *
 * @param batchId the batch's number, from 0
 * @param startSecond when the trigger started (the progress {@code timestamp})
 * @param durationSeconds the trigger's wall time ({@code batchDuration}, {@code
 *     durationMs.triggerExecution}), overhead included
 * @param addBatchSeconds the part spent running tasks on executors ({@code durationMs.addBatch})
 * @param numInputRows records the batch read
 * @param inputRowsPerSecond {@code numInputRows} over the time since the previous trigger started
 *     (0 for the first batch)
 * @param taskSlotSeconds the batch's task time summed over its tasks (the {@code executorRunTime}
 *     Spark's task metrics give per stage): busy task slots × seconds; NaN if not known
 */
public record BatchProgress(
    long batchId,
    double startSecond,
    double durationSeconds,
    double addBatchSeconds,
    long numInputRows,
    double inputRowsPerSecond,
    double taskSlotSeconds) {

  /** Without the summed task time. */
  public BatchProgress(
      long batchId,
      double startSecond,
      double durationSeconds,
      double addBatchSeconds,
      long numInputRows,
      double inputRowsPerSecond) {
    this(
        batchId,
        startSecond,
        durationSeconds,
        addBatchSeconds,
        numInputRows,
        inputRowsPerSecond,
        Double.NaN);
  }

  /** When the batch ended. */
  public double endSecond() {
    return startSecond + durationSeconds;
  }

  /**
   * {@code numInputRows} over the batch's own wall time, overhead included, as Spark reports it.
   */
  public double processedRowsPerSecond() {
    return numInputRows / Math.max(0.001, durationSeconds);
  }
}
