package io.stoker.core.policy;

import io.stoker.core.model.Observation;
import io.stoker.core.model.Reason;
import io.stoker.core.model.ScalingOptions;
import java.time.Instant;

/** Step 1: the signals every sizing needs are present and fresh, or the target is held. */
final class SignalCheck {
  private SignalCheck() {}

  record Result(boolean ok, Reason reason, String problem) {
    static final Result OK = new Result(true, Reason.DEMAND, "");
  }

  static Result check(Observation obs, ScalingOptions options, Instant now) {
    if (obs.backlogRecords().isEmpty() && obs.arrivalRate().isEmpty()) {
      return new Result(false, Reason.SIGNAL_MISSING, "backlog and arrival rate are missing");
    }
    if (obs.backlogRecords().isEmpty()) {
      return new Result(false, Reason.SIGNAL_MISSING, "backlog (Kafka lag) is missing");
    }
    if (obs.arrivalRate().isEmpty()) {
      return new Result(false, Reason.SIGNAL_MISSING, "arrival rate is missing");
    }
    double age = Numbers.seconds(obs.at(), now);
    if (age > options.maxSignalAge().toMillis() / 1000.0) {
      return new Result(
          false,
          Reason.SIGNAL_STALE,
          "signals are "
              + Math.round(age)
              + "s old (limit "
              + options.maxSignalAge().toSeconds()
              + "s)");
    }
    long backlog = obs.backlogRecords().getAsLong();
    double arrival = obs.arrivalRate().getAsDouble();
    if (backlog < 0 || !(arrival >= 0) || Double.isInfinite(arrival)) {
      return new Result(
          false,
          Reason.SIGNAL_MISSING,
          "signals are invalid (backlog " + backlog + ", arrival rate " + arrival + ")");
    }
    return Result.OK;
  }
}
