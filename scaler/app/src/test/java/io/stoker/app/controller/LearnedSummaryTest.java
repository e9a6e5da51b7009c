package io.stoker.app.controller;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stoker.app.k8s.model.ExecutorAutoscalerStatus;
import io.stoker.core.policy.ScalerState;
import io.stoker.core.policy.ScalerState.Provisioning;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * {@code status.learned}: what the core measured is handed over, and a hand-edited value the
 * controller could not have written is ignored with a warning naming the field.
 */
class LearnedSummaryTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger(LearnedSummary.class);

  @BeforeEach
  void capture() {
    logs.start();
    logger.addAppender(logs);
  }

  @AfterEach
  void release() {
    logger.detachAppender(logs);
  }

  private static ScalerState learned(double rate, double warm, double cold) {
    return ScalerState.initial().toBuilder()
        .executorRate(rate)
        .rateSamples(7)
        .provisioning(
            Provisioning.UNKNOWN
                .withWarmSeconds(warm)
                .withColdSeconds(cold)
                .withLearnedAt(Instant.EPOCH))
        .build();
  }

  private static ExecutorAutoscalerStatus status(String learnedJson) throws Exception {
    return JSON.readValue("{\"learned\":" + learnedJson + "}", ExecutorAutoscalerStatus.class);
  }

  private List<String> warnings() {
    return logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
  }

  @Test
  void aSuccessorTakesOverTheRateAndTheDelaysItHasNotMeasured() {
    ExecutorAutoscalerStatus s = new ExecutorAutoscalerStatus();
    s.learned = LearnedSummary.write(learned(1234.56, 63.04, 212.5));
    assertThat(s.learned.executorRate).isEqualTo(1234.6);
    assertThat(s.learned.warmDelaySeconds).isEqualTo(63.0);
    assertThat(s.learned.coldDelaySeconds).isEqualTo(212.5);

    ScalerState successor = ScalerState.initial().withLearningOf(LearnedSummary.read(s, "ns/a"));
    assertThat(successor.executorRate()).isEqualTo(1234.6);
    assertThat(successor.rateSamples()).isPositive();
    assertThat(successor.provisioning().warmSeconds()).isEqualTo(63.0);
    assertThat(successor.provisioning().coldSeconds()).isEqualTo(212.5);
    assertThat(warnings()).isEmpty();
  }

  @Test
  void whatTheSuccessorMeasuredItselfIsKept() {
    ExecutorAutoscalerStatus s = new ExecutorAutoscalerStatus();
    s.learned = LearnedSummary.write(learned(1000, 60, 200));
    ScalerState own = learned(800, 90, Double.NaN);
    ScalerState successor = own.withLearningOf(LearnedSummary.read(s, "ns/a"));
    assertThat(successor.executorRate()).isEqualTo(800.0);
    assertThat(successor.provisioning().warmSeconds()).isEqualTo(90.0);
    assertThat(successor.provisioning().coldSeconds()).isEqualTo(200.0);
  }

  @Test
  void nothingMeasuredWritesNothing() {
    assertThat(LearnedSummary.write(ScalerState.initial())).isNull();
    assertThat(LearnedSummary.read(new ExecutorAutoscalerStatus(), "ns/a"))
        .isEqualTo(ScalerState.initial());
  }

  @Test
  void aHandEditedValueOutOfRangeIsIgnoredWithAWarningNamingTheField() throws Exception {
    ExecutorAutoscalerStatus s =
        status("{\"executorRate\":-5,\"warmDelaySeconds\":1e400,\"coldDelaySeconds\":90000}");
    ScalerState back = LearnedSummary.read(s, "ns/edited");
    assertThat(back.executorRate()).isNaN();
    assertThat(back.rateSamples()).isZero();
    assertThat(back.provisioning().warmSeconds()).isNaN();
    assertThat(back.provisioning().coldSeconds()).isNaN();
    assertThat(warnings())
        .hasSize(3)
        .anySatisfy(
            w ->
                assertThat(w)
                    .contains("ns/edited")
                    .contains("status.learned.executorRate")
                    .contains("-5.0"))
        .anySatisfy(w -> assertThat(w).contains("status.learned.warmDelaySeconds"))
        .anySatisfy(
            w -> assertThat(w).contains("status.learned.coldDelaySeconds").contains("86400"));

    // a valid value beside an invalid one is still taken
    ScalerState partly =
        LearnedSummary.read(status("{\"executorRate\":0,\"coldDelaySeconds\":240}"), "ns/edited");
    assertThat(partly.rateSamples()).isZero();
    assertThat(partly.provisioning().coldSeconds()).isEqualTo(240.0);
  }
}
