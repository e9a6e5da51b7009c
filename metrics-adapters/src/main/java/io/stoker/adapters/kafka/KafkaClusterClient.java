package io.stoker.adapters.kafka;

import io.stoker.adapters.spi.AdapterException;
import io.stoker.adapters.spi.Deadlines;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsResult;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Kafka cluster (bootstrap list + credentials) with ONE reused Admin client. Offsets of many
 * consumer groups are read in one batched round: one {@code listConsumerGroupOffsets(Map)}, one
 * {@code describeTopics} and one {@code listOffsets(latest)} for all partitions involved.
 *
 * <p>Requests that arrive while a round is in flight are coalesced into the next round, so a
 * controller that asks for 100 groups at once pays for at most two rounds.
 *
 * <p>Deadline: a round, the probe and client set-up included, does its work within {@link
 * #budget(Duration)} of the callers' timeout, so that its own error (refused, timed out, naming the
 * bootstrap addresses) reaches the caller before the caller's timeout fires; the Kafka calls of a
 * round share that budget (each gets what is left), so a round never outlives the timeout and never
 * holds up the next one.
 */
public final class KafkaClusterClient implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaClusterClient.class);

  /**
   * kafka-clients 4.1.1 fails a partition its leader left out of a ListOffsets answer with a plain
   * {@link ApiException} with this text ({@code ListOffsetsHandler}'s sanity check).
   */
  static final String MISSING_FROM_ANSWER = "did not contain a result for topic partition";

  private final Properties props;
  private final String description;
  private final Clock clock;
  private final AtomicLong rounds = new AtomicLong();

  /** Partitions whose log-end offset the last answer left out (logged once when they go). */
  private final Set<TopicPartition> missing = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private CompletableFuture<Admin> admin;
  private boolean closed;

  /**
   * Where Admin clients are set up: the bootstrap addresses are probed ({@link KafkaProbe}, which
   * blocks) and the client created (which resolves names), never on the caller's thread (a gRPC or
   * Vert.x network thread). At most two at a time for the whole process; idle threads end.
   */
  private static final ThreadPoolExecutor SETUP = setupExecutor();

  private static ThreadPoolExecutor setupExecutor() {
    java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            2,
            2,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(1024),
            r -> {
              Thread t = new Thread(r, "kafka-client-setup-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  /**
   * Where Admin clients are closed: {@code Admin.close} waits up to {@link #CLOSE_WAIT} for the
   * client's calls in flight (all of it when the brokers are gone), never on the caller's thread
   * (the gRPC server's expiry of an unused trigger runs beside its refreshes and StreamIsActive
   * checks). One thread, ended a second after the last close: a stopped controller or demo leaves
   * no Kafka thread behind.
   */
  private static final ThreadPoolExecutor CLOSE = closeExecutor();

  private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

  private static ThreadPoolExecutor closeExecutor() {
    java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            1,
            1,
            1,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, "kafka-client-close-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  private List<Pending> pending = new ArrayList<>();
  private boolean inFlight;

  /** A group (and optional topic) to read in the next round. */
  public record Request(String group, String topic) {}

  /** The raw offsets of one group: partitions chosen per KEDA and their offsets. */
  public record GroupOffsets(
      String group, Instant at, List<KafkaLagCalculator.PartitionOffsets> partitions) {}

  private record Pending(Request request, Duration timeout, CompletableFuture<GroupOffsets> f) {}

  public KafkaClusterClient(Properties props, Clock clock) {
    this.props = props;
    this.description = "Kafka " + props.getProperty("bootstrap.servers");
    this.clock = clock;
  }

  /** How many rounds have been started (for tests and benchmarks). */
  public long rounds() {
    return rounds.get();
  }

  /** Reads one group in the next round. */
  public CompletableFuture<GroupOffsets> read(Request request, Duration timeout) {
    return readAll(List.of(request), timeout).get(0);
  }

  /** Reads several groups, all in the same round. Futures are in request order. */
  public List<CompletableFuture<GroupOffsets>> readAll(
      Collection<Request> requests, Duration timeout) {
    List<CompletableFuture<GroupOffsets>> out = new ArrayList<>();
    boolean start;
    synchronized (this) {
      for (Request r : requests) {
        CompletableFuture<GroupOffsets> f = new CompletableFuture<>();
        pending.add(new Pending(r, timeout, f));
        out.add(f);
      }
      start = !inFlight;
      inFlight |= start;
    }
    if (start) {
      startRound();
    }
    return out;
  }

  private void startRound() {
    List<Pending> batch;
    synchronized (this) {
      batch = pending;
      pending = new ArrayList<>();
      if (batch.isEmpty()) {
        inFlight = false;
        return;
      }
    }
    rounds.incrementAndGet();
    Duration timeout = batch.stream().map(Pending::timeout).max(Duration::compareTo).orElseThrow();
    long deadline = System.nanoTime() + budget(timeout).toNanos();
    CompletableFuture<Map<String, Object>> round;
    try {
      round = Deadlines.within(runRound(batch, deadline), timeout, description);
    } catch (AdapterException e) {
      round = CompletableFuture.failedFuture(e);
    }
    round.whenComplete(
        (results, err) -> {
          for (Pending p : batch) {
            if (err != null) {
              p.f().completeExceptionally(Deadlines.toAdapterException(err, timeout, description));
            } else {
              Object r = results.get(p.request().group() + "\u0000" + p.request().topic());
              if (r instanceof GroupOffsets g) {
                p.f().complete(g);
              } else {
                p.f().completeExceptionally((AdapterException) r);
              }
            }
          }
          startRound();
        });
  }

  /**
   * The part of a caller's timeout a round may use: all of it but a margin (a fifth, at least 50
   * ms, at most 500 ms) in which the round's own error travels back before the caller gives up.
   */
  static Duration budget(Duration timeout) {
    long ms = timeout.toMillis();
    return Duration.ofMillis(ms - Math.max(Math.min(50, ms / 2), Math.min(500, ms / 5)));
  }

  /** Milliseconds left before {@code deadline} ({@link System#nanoTime()}), at least 1. */
  private static int remainingMs(long deadline) {
    long ms = Duration.ofNanos(deadline - System.nanoTime()).toMillis();
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, ms));
  }

  /**
   * The Admin client, set up on {@link #SETUP} after the bootstrap addresses passed the probe. A
   * failed set-up is tried again (probe included) by the next round.
   */
  private synchronized CompletableFuture<Admin> admin(long deadline) {
    if (closed) {
      return CompletableFuture.failedFuture(
          new AdapterException(AdapterException.Kind.UNREACHABLE, description + ": client closed"));
    }
    if (admin == null || admin.isCompletedExceptionally()) {
      try {
        admin = CompletableFuture.supplyAsync(() -> setUp(deadline), SETUP);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        return CompletableFuture.failedFuture(
            new AdapterException(
                AdapterException.Kind.UNREACHABLE,
                description + ": too many Kafka clients being set up at once; try again"));
      }
    }
    return admin;
  }

  private Admin setUp(long deadline) {
    KafkaProbe.check(props, deadline); // waited in the queue? that time is already spent
    Admin a;
    try {
      a = Admin.create(props);
    } catch (KafkaException e) {
      throw new AdapterException(
          AdapterException.Kind.UNREACHABLE,
          description + ": cannot create client: " + e.getClass().getSimpleName());
    }
    synchronized (this) {
      if (!closed) {
        return a;
      }
    }
    a.close(Duration.ZERO);
    throw new AdapterException(AdapterException.Kind.UNREACHABLE, description + ": client closed");
  }

  private CompletableFuture<Map<String, Object>> runRound(List<Pending> batch, long deadline) {
    return admin(deadline).thenCompose(a -> runRound(a, batch, deadline));
  }

  /** One round: three Kafka calls one after the other, each with the time left of the budget. */
  private CompletableFuture<Map<String, Object>> runRound(
      Admin a, List<Pending> batch, long deadline) {
    Map<String, ListConsumerGroupOffsetsSpec> specs = new HashMap<>();
    for (Pending p : batch) {
      specs.put(p.request().group(), new ListConsumerGroupOffsetsSpec());
    }
    ListConsumerGroupOffsetsResult cgo =
        a.listConsumerGroupOffsets(
            specs, new ListConsumerGroupOffsetsOptions().timeoutMs(remainingMs(deadline)));
    Map<String, CompletableFuture<Map<TopicPartition, OffsetAndMetadata>>> committed =
        new HashMap<>();
    for (String g : specs.keySet()) {
      committed.put(g, cf(cgo.partitionsToOffsetAndMetadata(g), deadline));
    }
    return settle(committed.values())
        .thenCompose(
            x -> {
              Set<String> topics = topicsToDescribe(batch, committed);
              Map<String, CompletableFuture<TopicDescription>> described = new HashMap<>();
              if (!topics.isEmpty()) {
                a.describeTopics(
                        topics, new DescribeTopicsOptions().timeoutMs(remainingMs(deadline)))
                    .topicNameValues()
                    .forEach((t, f) -> described.put(t, cf(f, deadline)));
              }
              return settle(described.values())
                  .thenCompose(y -> listLatest(a, deadline, described))
                  .thenApply(latest -> assemble(batch, committed, described, latest));
            });
  }

  private static Set<String> topicsToDescribe(
      List<Pending> batch,
      Map<String, CompletableFuture<Map<TopicPartition, OffsetAndMetadata>>> committed) {
    Set<String> topics = new HashSet<>();
    for (Pending p : batch) {
      if (p.request().topic() != null) {
        topics.add(p.request().topic());
      } else {
        CompletableFuture<Map<TopicPartition, OffsetAndMetadata>> c =
            committed.get(p.request().group());
        if (!c.isCompletedExceptionally()) {
          c.join().keySet().forEach(tp -> topics.add(tp.topic()));
        }
      }
    }
    return topics;
  }

  private CompletableFuture<Map<TopicPartition, Object>> listLatest(
      Admin a, long deadline, Map<String, CompletableFuture<TopicDescription>> described) {
    Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
    described.forEach(
        (t, f) -> {
          if (!f.isCompletedExceptionally()) {
            for (TopicPartitionInfo p : f.join().partitions()) {
              specs.put(new TopicPartition(t, p.partition()), OffsetSpec.latest());
            }
          }
        });
    if (specs.isEmpty()) {
      return CompletableFuture.completedFuture(Map.of());
    }
    ListOffsetsResult r =
        a.listOffsets(specs, new ListOffsetsOptions().timeoutMs(remainingMs(deadline)));
    Map<TopicPartition, CompletableFuture<ListOffsetsResult.ListOffsetsResultInfo>> per =
        new HashMap<>();
    specs.keySet().forEach(tp -> per.put(tp, cf(r.partitionResult(tp), deadline)));
    return settle(per.values())
        .thenApply(
            x -> {
              Map<TopicPartition, Object> out = new HashMap<>();
              per.forEach(
                  (tp, f) ->
                      out.put(
                          tp,
                          f.isCompletedExceptionally() ? failure(f) : (Object) f.join().offset()));
              return out;
            });
  }

  private Map<String, Object> assemble(
      List<Pending> batch,
      Map<String, CompletableFuture<Map<TopicPartition, OffsetAndMetadata>>> committed,
      Map<String, CompletableFuture<TopicDescription>> described,
      Map<TopicPartition, Object> latest) {
    Instant at = clock.instant();
    Map<String, Object> results = new HashMap<>();
    for (Pending p : batch) {
      Request r = p.request();
      Object res;
      try {
        res = groupOffsets(r, at, committed.get(r.group()), described, latest);
      } catch (AdapterException e) {
        res = e;
      }
      results.put(r.group() + "\u0000" + r.topic(), res);
    }
    return results;
  }

  private GroupOffsets groupOffsets(
      Request r,
      Instant at,
      CompletableFuture<Map<TopicPartition, OffsetAndMetadata>> committedF,
      Map<String, CompletableFuture<TopicDescription>> described,
      Map<TopicPartition, Object> latest) {
    if (committedF.isCompletedExceptionally()) {
      throw mapError(failure(committedF), "consumer group '" + r.group() + "'");
    }
    Map<TopicPartition, OffsetAndMetadata> committed = committedF.join();
    List<String> topics = new ArrayList<>();
    if (r.topic() != null) {
      topics.add(r.topic());
    } else {
      new TreeMap<String, Boolean>(
              committed.keySet().stream()
                  .collect(
                      java.util.stream.Collectors.toMap(
                          TopicPartition::topic, t -> true, (x, y) -> x)))
          .keySet()
          .forEach(topics::add);
      if (topics.isEmpty()) {
        throw new AdapterException(
            AdapterException.Kind.NOT_FOUND,
            "consumer group '"
                + r.group()
                + "' has no committed offsets (unknown group?); without 'topic' there is no topic"
                + " to measure");
      }
    }
    List<KafkaLagCalculator.PartitionOffsets> out = new ArrayList<>();
    for (String t : topics) {
      CompletableFuture<TopicDescription> d = described.get(t);
      if (d == null || d.isCompletedExceptionally()) {
        throw mapError(d == null ? null : failure(d), "topic '" + t + "'");
      }
      for (TopicPartitionInfo pi : d.join().partitions()) {
        TopicPartition tp = new TopicPartition(t, pi.partition());
        Long l = logEnd(tp, latest.get(tp));
        OffsetAndMetadata om = committed.get(tp);
        long c = om == null || om.offset() < 0 ? KafkaLagCalculator.INVALID_OFFSET : om.offset();
        out.add(new KafkaLagCalculator.PartitionOffsets(t, pi.partition(), c, l));
      }
    }
    return new GroupOffsets(r.group(), at, out);
  }

  /**
   * The log-end offset of {@code tp} from the ListOffsets answer: the offset; null when the answer
   * left the partition out (KEDA then counts it as lag 0 and reads on, since v2.19 for Azure Event
   * Hubs, which leaves partitions out at times), logged once until it is back; any other failure
   * fails the reading.
   */
  Long logEnd(TopicPartition tp, Object answer) {
    if (answer instanceof Long offset) {
      if (missing.remove(tp)) {
        LOG.info("{}: the log-end offset of {} is answered again", description, tp);
      }
      return offset;
    }
    Throwable e = answer instanceof Throwable t ? t : null;
    if (e == null || missingFromAnswer(e)) {
      if (missing.add(tp)) {
        LOG.warn(
            "{}: the broker's ListOffsets answer left out {}; it counts as lag 0 (as in KEDA)"
                + " until the broker answers for it again",
            description,
            tp);
      }
      return null;
    }
    throw mapError(e, "log-end offset of " + tp);
  }

  static boolean missingFromAnswer(Throwable e) {
    return e.getClass() == ApiException.class
        && e.getMessage() != null
        && e.getMessage().contains(MISSING_FROM_ANSWER);
  }

  /** Partitions the last answers left out (see {@link #logEnd}). */
  public Set<TopicPartition> missingPartitions() {
    return Set.copyOf(missing);
  }

  private AdapterException mapError(Throwable e, String what) {
    if (e instanceof UnknownTopicOrPartitionException) {
      return new AdapterException(AdapterException.Kind.NOT_FOUND, what + " does not exist");
    }
    if (e instanceof org.apache.kafka.common.errors.AuthenticationException
        || e instanceof org.apache.kafka.common.errors.AuthorizationException) {
      return new AdapterException(
          AdapterException.Kind.AUTH, description + ": not authorised for " + what);
    }
    if (e instanceof org.apache.kafka.common.errors.TimeoutException
        || e instanceof java.util.concurrent.TimeoutException) {
      return new AdapterException(
          AdapterException.Kind.TIMEOUT,
          description + ": timed out reading " + what + " (no answer within the deadline)");
    }
    String kind = e == null ? "no answer" : e.getClass().getSimpleName();
    return new AdapterException(
        AdapterException.Kind.UNREACHABLE, description + ": reading " + what + " failed: " + kind);
  }

  private static Throwable failure(CompletableFuture<?> f) {
    try {
      f.join();
      return null;
    } catch (RuntimeException e) {
      return Deadlines.unwrap(e);
    }
  }

  /**
   * {@code f} as a CompletableFuture that fails with a {@link
   * java.util.concurrent.TimeoutException} at {@code deadline} if the Admin call has not ended.
   * Needed, not only belt and braces: kafka-clients 4.1.1's {@code describeTopics} first lists the
   * cluster's nodes with the client's {@code default.api.timeout.ms} (15 s here), whatever timeout
   * its options carry, so with the brokers gone it ran 15 s, the round with it, and the next round
   * of the cluster waited.
   */
  private static <T> CompletableFuture<T> cf(KafkaFuture<T> f, long deadline) {
    // KafkaFuture.toCompletionStage() cannot be turned into a CompletableFuture: bridge by hand.
    CompletableFuture<T> out = new CompletableFuture<>();
    out.orTimeout(remainingMs(deadline), TimeUnit.MILLISECONDS);
    f.whenComplete(
        (v, e) -> {
          if (e != null) {
            out.completeExceptionally(e);
          } else {
            out.complete(v);
          }
        });
    return out;
  }

  /** Completes when all complete, successfully or not. */
  private static CompletableFuture<Void> settle(Collection<? extends CompletableFuture<?>> fs) {
    return CompletableFuture.allOf(
        fs.stream().map(f -> f.handle((v, e) -> null)).toArray(CompletableFuture[]::new));
  }

  @Override
  public void close() {
    CompletableFuture<Admin> a;
    synchronized (this) {
      closed = true;
      a = admin;
      admin = null;
    }
    if (a == null) {
      return;
    }
    // Closed on CLOSE, also when still being set up: the caller never waits for it.
    a.thenAcceptAsync(x -> x.close(CLOSE_WAIT), CLOSE);
  }
}
