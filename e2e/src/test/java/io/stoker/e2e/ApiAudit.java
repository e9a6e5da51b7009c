package io.stoker.e2e;

import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Records every API call one Kubernetes client makes (method, path, status code, time), so that a
 * test can assert what the controller did on the real API server: no unexpected 4xx (a 403 from
 * RBAC, a 400 or 422 from a malformed request...), no write by a standby, no write at all for an
 * invalid spec.
 */
final class ApiAudit implements Interceptor {

  /** One answered request. */
  record Call(Instant at, String method, String path, int code) {
    boolean write() {
      return !method.equals("GET");
    }

    boolean lease() {
      return path.contains("/leases");
    }

    @Override
    public String toString() {
      return method + " " + path + " -> " + code;
    }
  }

  private final List<Call> calls = new CopyOnWriteArrayList<>();
  private final List<Call> sent = new CopyOnWriteArrayList<>();

  /** Records every request as it is sent (code -1), answered or not: a write attempt counts. */
  @Override
  public void before(
      io.fabric8.kubernetes.client.http.BasicBuilder builder,
      HttpRequest request,
      RequestTags tags) {
    sent.add(new Call(Instant.now(), request.method(), request.uri().getPath(), -1));
  }

  /**
   * Writes other than the Lease's as they were sent, answered or not (a write cut off on its way is
   * an attempt all the same).
   */
  List<Call> writeAttempts() {
    return sent.stream().filter(c -> c.write() && !c.lease()).toList();
  }

  /** Answered calls on the leader-election Lease. */
  List<Call> leaseCalls() {
    return calls.stream().filter(Call::lease).toList();
  }

  @Override
  public void after(
      HttpRequest request,
      HttpResponse<?> response,
      AsyncBody.Consumer<List<ByteBuffer>> consumer) {
    calls.add(new Call(Instant.now(), request.method(), request.uri().getPath(), response.code()));
  }

  List<Call> calls() {
    return List.copyOf(calls);
  }

  /** Calls the API server refused with 403 Forbidden. */
  List<Call> forbidden() {
    return calls.stream().filter(c -> c.code() == 403).toList();
  }

  /**
   * Calls answered with a 4xx the controller does not expect. Expected: 404 to a read or a delete
   * (the controller reads before it creates, and deletes what may be gone already), 409 (a
   * conflict: retried on the latest object), 410 (an informer's resource version expired: it lists
   * again) and 429 (throttled: retried). Anything else, 403 (RBAC) and 401 included, is a bug.
   */
  List<Call> unexpected() {
    return calls.stream().filter(c -> c.code() >= 400 && c.code() < 500 && !expected(c)).toList();
  }

  private static boolean expected(Call c) {
    return switch (c.code()) {
      case 404 -> c.method().equals("GET") || c.method().equals("DELETE");
      case 409, 410, 429 -> true;
      default -> false;
    };
  }

  /** Successful writes other than the leader-election Lease's. */
  List<Call> writes() {
    return calls.stream().filter(c -> c.write() && !c.lease() && c.code() < 300).toList();
  }

  /** Successful writes to pods (the driver annotation). */
  List<Call> podWrites() {
    return writes().stream().filter(c -> c.path().contains("/pods/")).toList();
  }
}
