package io.stoker.app.controller;

import io.stoker.app.k8s.model.ExecutorAutoscalerStatus;
import io.stoker.app.k8s.model.ExecutorAutoscalerStatus.WindowEntry;
import io.stoker.core.policy.ScalerState.Sample;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code status.scaleDownWindow}: the part of the stabilisation window a leader hands over ({@link
 * io.stoker.app.decide.Decider#heldWindow()}). The current level is written without a time, so that
 * the status changes only when the levels do (not every tick); whoever reads it takes it as seen at
 * the time it reads.
 */
final class HeldWindow {
  private HeldWindow() {}

  static List<WindowEntry> write(List<Sample> held) {
    if (held.isEmpty()) {
      return null;
    }
    List<WindowEntry> out = new ArrayList<>(held.size());
    for (int i = 0; i < held.size(); i++) {
      WindowEntry e = new WindowEntry();
      e.executors = (int) Math.round(held.get(i).value());
      e.time = i < held.size() - 1 ? held.get(i).at().toString() : null;
      out.add(e);
    }
    return out;
  }

  /** The persisted window as samples, the current level at {@code now}; empty when absent. */
  static List<Sample> read(ExecutorAutoscalerStatus status, Instant now) {
    if (status == null || status.scaleDownWindow == null) {
      return List.of();
    }
    List<Sample> out = new ArrayList<>();
    for (WindowEntry e : status.scaleDownWindow) {
      if (e == null || e.executors == null) {
        continue;
      }
      Instant at = now;
      if (e.time != null) {
        try {
          at = Instant.parse(e.time);
        } catch (DateTimeParseException ignored) {
          // an unreadable time holds as the current level: never shorter than the leader meant
        }
      }
      out.add(new Sample(at.isAfter(now) ? now : at, e.executors));
    }
    return out;
  }
}
