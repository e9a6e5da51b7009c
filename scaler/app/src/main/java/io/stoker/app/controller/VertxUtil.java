package io.stoker.app.controller;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/** The one bridge between CompletionStage (adapters, Kubernetes ops) and Vert.x (Strimzi idea). */
public final class VertxUtil {
  private VertxUtil() {}

  /** A Vert.x future completed on {@code context} when the stage completes. */
  public static <T> Future<T> await(CompletionStage<T> stage, Context context) {
    return Future.fromCompletionStage(stage, context);
  }

  /** An Executor that runs tasks on a named worker pool (never on an event loop). */
  public static Executor executor(WorkerExecutor pool) {
    return task ->
        pool.executeBlocking(
            () -> {
              task.run();
              return null;
            },
            false);
  }
}
