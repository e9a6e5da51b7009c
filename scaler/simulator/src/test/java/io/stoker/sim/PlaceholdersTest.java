package io.stoker.sim;

import static io.stoker.sim.Fixtures.constant;
import static io.stoker.sim.Fixtures.exact;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stoker.core.model.ScalingOptions;
import io.stoker.sim.Fixtures.Probe;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Placeholder pods: room held on nodes that an executor takes at once (preempting the placeholder)
 * instead of waiting for a new node; billed like executors.
 */
class PlaceholdersTest {

  /**
   * One node of 2 holds the first executor; pods start in 10 s, a new node takes 100 s. With 3
   * placeholders, one takes the free slot at once and two wait for a node (ready at 100 s).
   */
  private static Scenario smallCluster() {
    return exact(
        "initialNodes", 1,
        "executorsPerNode", 2,
        "podStartupSeconds", 10,
        "nodeProvisionSeconds", 100);
  }

  @Test
  void aScaleUpCoveredByPlaceholdersIsReadyAfterPodStartupNotNodeProvisioning() {
    SimResult covered =
        new Simulator(smallCluster())
            .run(constant(1, 400), Probe.scripted(1).holding(3).at(200, 4));
    SimResult uncovered =
        new Simulator(smallCluster()).run(constant(1, 400), Probe.scripted(1).at(200, 4));

    int[] ready = covered.series().readyExecutors();
    assertThat(slice(ready, 0, 210)).containsOnly(1);
    assertThat(slice(ready, 210, 400))
        .as("the three new executors preempt the placeholders and start in 10 s")
        .containsOnly(4);
    int[] without = uncovered.series().readyExecutors();
    assertThat(slice(without, 210, 310)).as("one free slot; two wait for a node").containsOnly(2);
    assertThat(slice(without, 310, 400)).containsOnly(4);
  }

  @Test
  void executorsBeyondThePlaceholdersStillWaitForANewNode() {
    SimResult r =
        new Simulator(smallCluster())
            .run(constant(1, 400), Probe.scripted(1).holding(1).at(200, 4));

    int[] ready = r.series().readyExecutors();
    assertThat(slice(ready, 210, 310)).as("only the covered one starts warm").containsOnly(2);
    assertThat(slice(ready, 310, 400)).containsOnly(4);
  }

  @Test
  void preemptedPlaceholdersWaitForNewNodesAndComeBack() {
    SimResult r =
        new Simulator(smallCluster())
            .run(constant(1, 400), Probe.scripted(1).holding(3).at(200, 4));

    int[] placed = r.series().placeholders();
    assertThat(slice(placed, 0, 100)).as("one free slot; two wait for a node").containsOnly(1);
    assertThat(slice(placed, 100, 200)).containsOnly(3);
    assertThat(slice(placed, 200, 300)).as("preempted, waiting for new nodes").containsOnly(0);
    assertThat(slice(placed, 300, 400)).containsOnly(3);
    int[] nodes = r.series().nodes();
    assertThat(slice(nodes, 0, 200)).containsOnly(2);
    assertThat(slice(nodes, 200, 400)).containsOnly(4);
  }

  @Test
  void placedPlaceholdersAreBilledLikeExecutors() {
    SimResult r =
        new Simulator(smallCluster())
            .run(constant(1, 400), Probe.scripted(1).holding(3).at(200, 4));

    // placed placeholders: 1 until 100 s, 3 until 200 s, none until 300 s, 3 after
    assertThat(r.placeholderSeconds()).isEqualTo(100 + 300 + 0 + 300);
    // executors: 1 until 200 s, then 4 (starting pods are billed); plus the placeholders
    assertThat(r.executorSeconds()).isEqualTo((1 * 200 + 4 * 200) + 700);
    assertThat(r.series().billedExecutors()[150]).isEqualTo(4);
    // 2 nodes (one provisioned at 0 s for the placeholders), 4 from 200 s
    assertThat(r.nodeSeconds()).isEqualTo(2 * 200 + 4 * 200);

    SimResult none =
        new Simulator(smallCluster()).run(constant(1, 400), Probe.scripted(1).at(200, 4));
    assertThat(none.placeholderSeconds()).isZero();
    assertThat(none.executorSeconds()).isEqualTo(200 + 2 * 100 + 4 * 100);
  }

  @Test
  void nodesHoldingPlaceholdersAreNotRemoved() {
    Scenario sc =
        exact(
            "initialNodes", 1,
            "executorsPerNode", 2,
            "nodeProvisionSeconds", 10,
            "nodeIdleSeconds", 30);
    SimResult r = new Simulator(sc).run(constant(1, 200), Probe.scripted(1).holding(3));

    assertThat(slice(r.series().nodes(), 10, 200)).containsOnly(2);
    assertThat(slice(r.series().placeholders(), 10, 200)).containsOnly(3);
  }

  @Test
  void stokerWithPlaceholdersHoldsTheConfiguredHeadroomFromItsFirstTick() {
    StokerPolicy p = StokerPolicy.withPlaceholders(ScalingOptions.defaults(), 4);
    assertThat(p.name()).isEqualTo("stoker+placeholders[headroomExecutors=4]");
    assertThat(p.setting()).isEqualTo("headroomExecutors=4");
    assertThat(p.placeholders()).isZero();

    TestingSimView v =
        new TestingSimView(Scenario.defaults()).target(2).ready(2).at(10).arrivedLastSecond(100);
    p.decide(v);
    assertThat(p.placeholders()).isEqualTo(4);

    StokerPolicy plain = new StokerPolicy();
    plain.decide(v);
    assertThat(plain.placeholders()).isZero();
    assertThatThrownBy(() -> StokerPolicy.withPlaceholders(ScalingOptions.defaults(), -1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void stokerWithPlaceholdersIsDeterministicForASeed() throws InputException {
    Trace t = Workloads.generate("bursty", 42);
    SimResult a =
        new Simulator(Scenario.defaults())
            .run(t, StokerPolicy.withPlaceholders(ScalingOptions.defaults(), 4));
    SimResult b =
        new Simulator(Scenario.defaults())
            .run(t, StokerPolicy.withPlaceholders(ScalingOptions.defaults(), 4));

    SimulatorTest.assertSameResult(a, b);
    assertThat(a.series().placeholders()).isEqualTo(b.series().placeholders());
    assertThat(a.placeholderSeconds()).isPositive();
  }

  private static int[] slice(int[] a, int from, int to) {
    return IntStream.range(from, to).map(i -> a[i]).toArray();
  }
}
