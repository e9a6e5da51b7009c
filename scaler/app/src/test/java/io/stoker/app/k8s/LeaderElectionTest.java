package io.stoker.app.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The elector on the fabric8 mock server: fenced when it cannot renew, then a candidate again. */
@EnableKubernetesMockClient(crud = true)
class LeaderElectionTest {
  private static final String LEASE_PATH =
      "/apis/coordination.k8s.io/v1/namespaces/ns/leases/stoker";

  KubernetesMockServer server;
  KubernetesClient client;

  private final List<Boolean> changes = new CopyOnWriteArrayList<>();
  private LeaderElection election;

  @AfterEach
  void close() {
    if (election != null) {
      election.close();
    }
  }

  private LeaderElection start(String identity) {
    LeaderElection.Settings settings =
        new LeaderElection.Settings(
            "ns",
            "stoker",
            identity,
            // Lease 6 s, renew deadline 3 s: a renewal slowed by a busy machine (a run with a 1 s
            // deadline lost and retook the lease before the test looked) does not end a term.
            Duration.ofSeconds(6),
            Duration.ofSeconds(3),
            Duration.ofMillis(100));
    // The client the runtime gives the elector: no request retries, a bounded request timeout.
    return LeaderElection.start(KubernetesRuntime.fenced(client, settings), settings, changes::add);
  }

  @Test
  void aLeaderThatCannotRenewStopsLeadingAndLeadsAgainWhenItCan() {
    election = start("a");
    await().atMost(Duration.ofSeconds(20)).until(election::isLeader);
    assertThat(election.term()).isEqualTo(1);

    // The API server fails the next 50 reads of the Lease: at least 50 retry periods (5 s),
    // more than the renew deadline (3 s), without a renewal.
    server
        .expect()
        .get()
        .withPath(LEASE_PATH)
        .andReturn(503, new StatusBuilder().withCode(503).withMessage("etcd is down").build())
        .times(50);
    await().atMost(Duration.ofSeconds(20)).until(() -> !election.isLeader());
    assertThat(election.term()).as("no term while fenced").isEqualTo(-1);

    // The Lease is readable again and still names this replica: it leads again, in a new term.
    await().atMost(Duration.ofSeconds(30)).until(election::isLeader);
    assertThat(election.term()).isEqualTo(2);
    assertThat(changes).containsExactly(true, false, true);
    assertThat(election.live(Duration.ofSeconds(1))).isTrue();
  }

  @Test
  void aCandidateTakesAnUnreleasedLeaseOnlyAfterSeeingItUnchangedForTheLeaseDuration() {
    LeaderElection a = start("a");
    try {
      await().atMost(Duration.ofSeconds(20)).until(a::isLeader);
      LeaderElection b = start("b");
      election = b;
      // a renews: b never leads.
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> client.leases().inNamespace("ns").withName("stoker").get() != null);
      long renewals = renewTimes();
      await().atMost(Duration.ofSeconds(20)).until(() -> renewTimes() != renewals);
      assertThat(b.isLeader()).isFalse();
    } finally {
      // a stops without releasing: b takes over once the record stayed the same for 6 s.
      a.abandon();
    }
    await().atMost(Duration.ofSeconds(30)).until(election::isLeader);
    assertThat(client.leases().inNamespace("ns").withName("stoker").get().getSpec())
        .satisfies(s -> assertThat(s.getHolderIdentity()).isEqualTo("b"))
        .satisfies(s -> assertThat(s.getLeaseTransitions()).isEqualTo(1));
  }

  private long renewTimes() {
    return client
        .leases()
        .inNamespace("ns")
        .withName("stoker")
        .get()
        .getSpec()
        .getRenewTime()
        .toInstant()
        .toEpochMilli();
  }
}
