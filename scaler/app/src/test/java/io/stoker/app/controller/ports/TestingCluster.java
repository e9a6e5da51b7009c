package io.stoker.app.controller.ports;

/**
 * A cluster in memory: the {@code Testing*} fakes of every port, wired as the fabric8 ones are on a
 * real cluster (writes pass one leadership gate; a written target or status shows in the next
 * read). For tests of the reconcile's rules in milliseconds, without an API server.
 */
public final class TestingCluster {
  public final TestingAutoscalerCache autoscalers = new TestingAutoscalerCache();
  public final TestingLeadership leadership = new TestingLeadership();
  public final TestingTargetLookup targets = new TestingTargetLookup();
  public final TestingSecretSource secrets = new TestingSecretSource();
  public final TestingScalingRealizer realizer = new TestingScalingRealizer(leadership, targets);
  public final TestingStatusStore status = new TestingStatusStore(leadership, autoscalers);
  public final TestingEventSink events = new TestingEventSink(leadership);
  public final TestingCapacityActuator capacity = new TestingCapacityActuator();

  public ClusterPorts ports() {
    return new ClusterPorts(
        autoscalers, targets, secrets, realizer, status, events, capacity, leadership);
  }
}
