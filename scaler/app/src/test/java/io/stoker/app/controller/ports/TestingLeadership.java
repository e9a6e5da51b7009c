package io.stoker.app.controller.ports;

import io.stoker.app.k8s.WriteRefused;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * In-memory {@link Leadership} and the gate every testing writer passes, as the write guard is on a
 * cluster: while this replica does not lead, or when the leadership changed since the autoscaler's
 * reconcile began, a write is refused ({@code NOT_LEADER}); a kind of write the test refuses
 * ({@link #refuse}) is refused as rate limited.
 */
public final class TestingLeadership implements Leadership {
  private volatile boolean leading = true;
  private volatile long term = 1;
  private final Map<String, Long> begun = new ConcurrentHashMap<>();
  private final Set<String> refused = ConcurrentHashMap.newKeySet();
  private final List<String> forgotten = new ArrayList<>();

  /** This replica stops leading. */
  public void lose() {
    leading = false;
  }

  /** This replica leads again, in a new term. */
  public void win() {
    term++;
    leading = true;
  }

  /** Writes of {@code kind} ({@code annotation}, {@code status}, {@code event}) are refused. */
  public void refuse(String kind) {
    refused.add(kind);
  }

  /** Writes of {@code kind} go through again. */
  public void admit(String kind) {
    refused.remove(kind);
  }

  /** Throws {@link WriteRefused} when a write of {@code kind} for {@code key} may not be made. */
  void check(String key, String kind) {
    if (!leading) {
      throw new WriteRefused(WriteRefused.Why.NOT_LEADER, kind + ": not the leader");
    }
    Long began = begun.get(key);
    if (began != null && began != term) {
      throw new WriteRefused(WriteRefused.Why.NOT_LEADER, kind + ": the leadership changed");
    }
    if (refused.contains(kind)) {
      throw new WriteRefused(WriteRefused.Why.RATE_LIMITED, kind + ": write rate limit reached");
    }
  }

  /** Keys forgotten, in order. */
  public synchronized List<String> forgotten() {
    return List.copyOf(forgotten);
  }

  @Override
  public void begin(String key) {
    begun.put(key, leading ? term : -1);
  }

  @Override
  public boolean acting(String key) {
    Long began = begun.get(key);
    return began == null ? leading : began >= 0;
  }

  @Override
  public synchronized void forget(String key) {
    begun.remove(key);
    forgotten.add(key);
  }
}
