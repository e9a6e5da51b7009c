package io.stoker.app.keda;

import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Reports each call to a {@link RequestObserver} once: when the server closes it (its status code)
 * or when the client cancels it first ({@code CANCELLED}, as KEDA does with {@code
 * StreamIsActive}).
 */
final class ObservingInterceptor implements ServerInterceptor {
  private final RequestObserver observer;

  ObservingInterceptor(RequestObserver observer) {
    this.observer = observer;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    long started = System.nanoTime();
    String method = call.getMethodDescriptor().getBareMethodName();
    AtomicBoolean done = new AtomicBoolean();
    Runnable cancelled = () -> report(done, method, Status.Code.CANCELLED, started);
    ServerCall<Q, R> observed =
        new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
          @Override
          public void close(Status status, Metadata trailers) {
            report(done, method, status.getCode(), started);
            super.close(status, trailers);
          }
        };
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(
        next.startCall(observed, headers)) {
      @Override
      public void onCancel() {
        cancelled.run();
        super.onCancel();
      }
    };
  }

  private void report(AtomicBoolean done, String method, Status.Code code, long started) {
    if (done.compareAndSet(false, true)) {
      observer.completed(method, code.name(), (System.nanoTime() - started) / 1e9);
    }
  }
}
