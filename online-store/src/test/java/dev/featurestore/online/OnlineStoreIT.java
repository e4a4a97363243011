package dev.featurestore.online;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.data.EntityKey;
import dev.featurestore.api.data.FeatureRow;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.error.InvalidRequestException;
import dev.featurestore.api.error.UnavailableException;
import dev.featurestore.online.spi.OnlineStore;
import dev.featurestore.online.spi.Projection;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.SlotHash;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Event-time-wins and reads against a real Redis server, a real three-master Redis Cluster and a real two-member
 * Hazelcast cluster (members in this JVM) with a client. Every test uses its own view, so tests do not see each
 * other's rows. "Two nodes" are two independently opened stores on the same data, as two serving nodes have.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OnlineStoreIT {
  private static final AtomicInteger VIEWS = new AtomicInteger();

  private RedisServerProcess redisServer;
  private RedisClusterProcess redisCluster;
  /** The event loops that {@link #redis2} and {@link #cluster2} run their connections on, as in a server. */
  private Vertx vertx;
  private OnlineStore redis;
  private OnlineStore redis2;
  private OnlineStore cluster;
  private OnlineStore cluster2;
  private OnlineStore member1;
  private OnlineStore member2;
  private OnlineStore client;

  @BeforeAll
  void start() throws Exception {
    redisServer = RedisServerProcess.start();
    redis = OnlineStores.open(redisServer.uri());
    vertx = Vertx.vertx();
    redis2 = OnlineStores.open(redisServer.uri(), vertx);
    redisCluster = RedisClusterProcess.start();
    cluster = OnlineStores.open(redisCluster.uri());
    cluster2 = OnlineStores.open(redisCluster.uri(), vertx);
    int port1 = RedisServerProcess.freePort();
    int port2 = RedisServerProcess.freePort();
    String cluster = "it-" + port1;
    String members = "127.0.0.1:" + port1 + ",127.0.0.1:" + port2;
    CompletableFuture<OnlineStore> second = CompletableFuture.supplyAsync(() ->
        OnlineStores.open("hazelcast:embedded?cluster=" + cluster + "&port=" + port2 + "&members=" + members));
    member1 = OnlineStores.open("hazelcast:embedded?cluster=" + cluster + "&port=" + port1 + "&members=" + members);
    member2 = second.get(60, TimeUnit.SECONDS);
    client = OnlineStores.open("hazelcast://127.0.0.1:" + port1 + "?cluster=" + cluster);
  }

  @AfterAll
  void stop() {
    for (AutoCloseable closeable : new AutoCloseable[] {
        client, member2, member1, cluster2, cluster, redisCluster, redis2, redis, redisServer,
        () -> vertx.close().await()}) {
      try {
        if (closeable != null) {
          closeable.close();
        }
      } catch (Exception e) {
        // keep closing the rest
      }
    }
  }

  Stream<Named<OnlineStore>> stores() {
    return Stream.of(Named.of("redis", redis), Named.of("redis cluster", cluster),
        Named.of("redis on event loops", redis2), Named.of("redis cluster on event loops", cluster2),
        Named.of("hazelcast member", member1), Named.of("hazelcast client", client));
  }

  Stream<Named<OnlineStore>> eventLoopStores() {
    return Stream.of(Named.of("redis", redis2), Named.of("redis cluster", cluster2));
  }

  /** Two stores on the same data, as two serving nodes have. */
  record TwoNodes(OnlineStore a, OnlineStore b) {}

  Stream<Named<TwoNodes>> twoNodes() {
    return Stream.of(Named.of("redis", new TwoNodes(redis, redis2)),
        Named.of("redis cluster", new TwoNodes(cluster, cluster2)),
        Named.of("hazelcast members", new TwoNodes(member1, member2)));
  }

  private static FeatureView newView() {
    return FeatureView.builder("view_" + VIEWS.incrementAndGet()).entity("user")
        .feature("version", ValueType.INT64).feature("label", ValueType.STRING).build();
  }

  private static FeatureRow row(long key, long event, long created) {
    return new FeatureRow(EntityKey.of(key), event, created, Map.of("version", event * 1000 + created));
  }

  private static List<FeatureRow> read(OnlineStore store, FeatureView view, EntityKey... keys) {
    return store.read(view, List.of(keys)).toCompletableFuture().join();
  }

  private static void write(OnlineStore store, FeatureView view, FeatureRow... rows) {
    store.write(view, List.of(rows)).toCompletableFuture().join();
  }

  @ParameterizedTest
  @MethodSource("stores")
  void write_outOfOrderEvents_keepsNewestEvent(OnlineStore store) {
    FeatureView view = newView();

    write(store, view, row(1, 300, 1));
    write(store, view, row(1, 100, 9));
    write(store, view, row(1, 200, 5));

    FeatureRow stored = read(store, view, EntityKey.of(1L)).get(0);
    assertThat(stored.eventTimestampMicros()).isEqualTo(300);
    assertThat(stored.value("version")).isEqualTo(300_001L);
  }

  @ParameterizedTest
  @MethodSource("stores")
  void write_equalEventTimestamps_largerCreatedWins(OnlineStore store) {
    FeatureView view = newView();

    write(store, view, row(1, 100, 7));
    write(store, view, row(1, 100, 3));
    FeatureRow afterSmaller = read(store, view, EntityKey.of(1L)).get(0);
    write(store, view, row(1, 100, 8));
    FeatureRow afterLarger = read(store, view, EntityKey.of(1L)).get(0);

    assertThat(afterSmaller.createdTimestampMicros()).isEqualTo(7);
    assertThat(afterLarger.createdTimestampMicros()).isEqualTo(8);
  }

  @ParameterizedTest
  @MethodSource("stores")
  void write_negativeTimestamps_orderNumerically(OnlineStore store) {
    FeatureView view = newView();

    write(store, view, row(1, 5, 0));
    write(store, view, row(1, -5, 0));

    assertThat(read(store, view, EntityKey.of(1L)).get(0).eventTimestampMicros()).isEqualTo(5);
  }

  @ParameterizedTest
  @MethodSource("stores")
  void write_sameKeyTwiceInOneCall_leavesWhatListOrderWould(OnlineStore store) {
    FeatureView view = newView();
    FeatureRow first = new FeatureRow(EntityKey.of(1L), 100, 1, Map.of("label", "first"));
    FeatureRow second = new FeatureRow(EntityKey.of(1L), 100, 1, Map.of("label", "second"));
    FeatureRow older = new FeatureRow(EntityKey.of(1L), 50, 9, Map.of("label", "older"));

    write(store, view, first, second, older);

    assertThat(read(store, view, EntityKey.of(1L)).get(0).value("label")).isEqualTo("second");
  }

  @ParameterizedTest
  @MethodSource("stores")
  void read_mixedKeys_returnsRowsParallelToKeysWithNullForMissing(OnlineStore store) {
    FeatureView view = newView();
    write(store, view, row(1, 10, 1), row(3, 30, 1));

    List<FeatureRow> rows = read(store, view, EntityKey.of(3L), EntityKey.of(2L), EntityKey.of(1L), EntityKey.of(3L));

    assertThat(rows).hasSize(4);
    assertThat(rows.get(0).key()).isEqualTo(EntityKey.of(3L));
    assertThat(rows.get(0).eventTimestampMicros()).isEqualTo(30);
    assertThat(rows.get(1)).isNull();
    assertThat(rows.get(2).eventTimestampMicros()).isEqualTo(10);
    assertThat(rows.get(3).eventTimestampMicros()).isEqualTo(30);
  }

  /** Timestamps at the edges of each 32-bit half of the header, where a comparison word by word could go wrong. */
  private static final long[] EDGES = {Long.MIN_VALUE, Long.MIN_VALUE + 1, -(1L << 32), -(1L << 32) + 1, -1, 0, 1,
      (1L << 32) - 1, 1L << 32, (1L << 32) + 1, 1_767_225_600_000_000L, 1_767_225_600_000_001L, Long.MAX_VALUE - 1,
      Long.MAX_VALUE};

  @ParameterizedTest
  @MethodSource("stores")
  void write_timestampsAtWordEdges_keepsNewestByEventThenCreated(OnlineStore store) {
    FeatureView view = newView();
    Random random = new Random(7);
    List<FeatureRow> first = new ArrayList<>();
    List<FeatureRow> second = new ArrayList<>();
    List<EntityKey> keys = new ArrayList<>();
    for (int k = 0; k < 300; k++) {
      EntityKey key = EntityKey.of((long) k);
      keys.add(key);
      long event = EDGES[random.nextInt(EDGES.length)];
      long created = EDGES[random.nextInt(EDGES.length)];
      // half the pairs tie on the event timestamp, so that the created timestamp decides
      long otherEvent = random.nextBoolean() ? event : EDGES[random.nextInt(EDGES.length)];
      long otherCreated = EDGES[random.nextInt(EDGES.length)];
      first.add(new FeatureRow(key, event, created, Map.of("label", "first")));
      second.add(new FeatureRow(key, otherEvent, otherCreated, Map.of("label", "second")));
    }
    store.write(view, first).toCompletableFuture().join();
    store.write(view, second).toCompletableFuture().join();

    List<FeatureRow> stored = store.read(view, keys).toCompletableFuture().join();
    for (int k = 0; k < keys.size(); k++) {
      FeatureRow expected = second.get(k).supersedes(first.get(k)) ? second.get(k) : first.get(k);
      assertThat(stored.get(k)).as("key %d", k).isEqualTo(expected);
    }
  }

  @ParameterizedTest
  @MethodSource("stores")
  void read_projection_decodesItsFeaturesOnlyWithKeysAndTimestamps(OnlineStore store) {
    FeatureView view = newView();
    write(store, view, new FeatureRow(EntityKey.of(1L), 10, 2, Map.of("version", 7L, "label", "seven")));

    List<FeatureRow> projected = store.read(Projection.of(view, List.of("label")),
        List.of(EntityKey.of(1L), EntityKey.of(2L))).toCompletableFuture().join();

    assertThat(projected.get(0).key()).isEqualTo(EntityKey.of(1L));
    assertThat(projected.get(0).eventTimestampMicros()).isEqualTo(10);
    assertThat(projected.get(0).createdTimestampMicros()).isEqualTo(2);
    assertThat(projected.get(0).values()).containsOnly(Map.entry("label", "seven"));
    assertThat(projected.get(1)).isNull();
    assertThat(read(store, view, EntityKey.of(1L)).get(0).values())
        .containsOnly(Map.entry("version", 7L), Map.entry("label", "seven"));
  }

  @ParameterizedTest
  @MethodSource("stores")
  void write_concurrentWritersWithShuffledVersions_endWithMaximum(OnlineStore store) throws Exception {
    FeatureView view = newView();

    writeConcurrently(view, store, store, store, store, store, store);

    assertNewestVersionsStored(store, view);
  }

  /** What a call started on an event loop saw: the loop's thread, the thread it completed on, its result. */
  private record OnLoop<T>(Thread issuer, Thread completer, T result) {}

  /** Starts {@code call} on a new event loop context of {@link #vertx}; completes when the call does. */
  private <T> CompletableFuture<OnLoop<T>> onNewEventLoop(java.util.function.Supplier<CompletionStage<T>> call) {
    CompletableFuture<OnLoop<T>> outcome = new CompletableFuture<>();
    // Each new event loop context takes the next event loop in turn (internal API: the public getOrCreateContext
    // hands a thread outside Vert.x the same context every time).
    ((VertxInternal) vertx).createEventLoopContext().runOnContext(ignored -> {
      Thread issuer = Thread.currentThread();
      call.get().whenComplete((result, failure) -> {
        if (failure != null) {
          outcome.completeExceptionally(failure);
        } else {
          outcome.complete(new OnLoop<>(issuer, Thread.currentThread(), result));
        }
      });
    });
    return outcome;
  }

  @ParameterizedTest
  @MethodSource("eventLoopStores")
  void readAndWrite_startedOnEventLoops_completeOnTheSameLoop(OnlineStore store) throws Exception {
    FeatureView view = newView();
    List<CompletableFuture<OnLoop<Void>>> writes = new ArrayList<>();
    for (int key = 0; key < 8; key++) {
      FeatureRow row = row(key, 100 + key, 1);
      writes.add(onNewEventLoop(() -> store.write(view, List.of(row))));
    }
    List<CompletableFuture<OnLoop<List<FeatureRow>>>> reads = new ArrayList<>();
    for (CompletableFuture<OnLoop<Void>> write : writes) {
      write.get(30, TimeUnit.SECONDS);
    }
    for (int key = 0; key < 8; key++) {
      List<EntityKey> keys = List.of(EntityKey.of((long) key), EntityKey.of(99L));
      reads.add(onNewEventLoop(() -> store.read(view, keys)));
    }

    java.util.Set<Thread> loops = new java.util.HashSet<>();
    for (CompletableFuture<OnLoop<Void>> write : writes) {
      OnLoop<Void> done = write.get(30, TimeUnit.SECONDS);
      assertThat(done.completer()).isSameAs(done.issuer());
      loops.add(done.issuer());
    }
    for (int key = 0; key < 8; key++) {
      OnLoop<List<FeatureRow>> done = reads.get(key).get(30, TimeUnit.SECONDS);
      assertThat(done.completer()).isSameAs(done.issuer());
      assertThat(done.result().get(0).eventTimestampMicros()).isEqualTo(100 + key);
      assertThat(done.result().get(1)).isNull();
    }
    // more than one loop, so more than the first connection served
    assertThat(loops).hasSizeGreaterThan(1);
  }

  @ParameterizedTest
  @MethodSource("twoNodes")
  void write_concurrentWritersOnTwoNodes_endWithMaximumOnBoth(TwoNodes nodes) throws Exception {
    FeatureView view = newView();

    writeConcurrently(view, nodes.a(), nodes.b(), nodes.a(), nodes.b(), nodes.a(), nodes.b());

    assertNewestVersionsStored(nodes.a(), view);
    assertNewestVersionsStored(nodes.b(), view);
  }

  private static final int CONCURRENT_KEYS = 40;
  private static final int CONCURRENT_VERSIONS = 25;

  /** Each writer writes every version of every key, shuffled, in concurrent batches of 50 rows. */
  private static void writeConcurrently(FeatureView view, OnlineStore... writers) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(writers.length);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < writers.length; w++) {
        long seed = w;
        OnlineStore store = writers[w];
        done.add(pool.submit(() -> {
          List<FeatureRow> rows = new ArrayList<>();
          for (long k = 0; k < CONCURRENT_KEYS; k++) {
            for (long v = 1; v <= CONCURRENT_VERSIONS; v++) {
              // created timestamps collide across writers on purpose: the tie rule must still pick the maximum.
              rows.add(row(k, v, (v * 7 + seed) % 5));
            }
          }
          Collections.shuffle(rows, new Random(seed));
          List<CompletableFuture<Void>> writes = new ArrayList<>();
          for (int from = 0; from < rows.size(); from += 50) {
            writes.add(store.write(view, rows.subList(from, Math.min(rows.size(), from + 50))).toCompletableFuture());
          }
          CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();
          return null;
        }));
      }
      for (Future<?> future : done) {
        future.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static void assertNewestVersionsStored(OnlineStore store, FeatureView view) {
    List<EntityKey> all = new ArrayList<>();
    for (long k = 0; k < CONCURRENT_KEYS; k++) {
      all.add(EntityKey.of(k));
    }

    List<FeatureRow> rows = store.read(view, all).toCompletableFuture().join();

    assertThat(rows).hasSize(CONCURRENT_KEYS).doesNotContainNull();
    for (FeatureRow stored : rows) {
      assertThat(stored.eventTimestampMicros()).isEqualTo(CONCURRENT_VERSIONS);
      assertThat(stored.createdTimestampMicros()).isEqualTo(4);
      assertThat(stored.value("version")).isEqualTo(CONCURRENT_VERSIONS * 1000L + 4);
    }
  }

  @Test
  void write_oneScriptCallOnServer_decidesEachKeyByItsOwnStoredRow() {
    assertEachKeyDecidedAloneInOneScriptCall(redis, List.of(redisServer.port()));
  }

  @Test
  void write_oneScriptCallOnClusterSlot_decidesEachKeyByItsOwnStoredRow() {
    assertEachKeyDecidedAloneInOneScriptCall(cluster, redisCluster.ports());
  }

  @Test
  void write_moreKeysThanOneScriptCallTakes_writesAllInAsManyCalls() {
    FeatureView view = newView();
    int count = 2 * RedisOnlineStore.KEYS_PER_CALL + 50;
    List<FeatureRow> rows = new ArrayList<>();
    EntityKey[] keys = new EntityKey[count];
    for (int i = 0; i < count; i++) {
      keys[i] = EntityKey.of((long) i);
      rows.add(row(i, 10, 1));
    }
    forEachNode(List.of(redisServer.port()), commands -> commands.configResetstat());

    redis.write(view, rows).toCompletableFuture().join();

    assertThat(read(redis, view, keys)).hasSize(count).doesNotContainNull()
        .extracting(FeatureRow::eventTimestampMicros).containsOnly(10L);
    assertThat(scriptCalls(redisServer.port())).isEqualTo(3);
  }

  /**
   * Six keys of one hash slot, five stored at (event 100, created 5), then one write of all six: older event, newer
   * event, equal event with larger and with smaller created, a full tie (the later write wins), and a key not yet
   * stored. It must be a single script call, and each key must end as its own comparison says.
   */
  private void assertEachKeyDecidedAloneInOneScriptCall(OnlineStore store, List<Integer> ports) {
    FeatureView view = newView();
    List<EntityKey> keys = keysOfOneSlot(view, 6);
    List<FeatureRow> stored = new ArrayList<>();
    for (EntityKey key : keys.subList(0, 5)) {
      stored.add(new FeatureRow(key, 100, 5, Map.of("label", "stored")));
    }
    write(store, view, stored.toArray(FeatureRow[]::new));
    forEachNode(ports, commands -> commands.configResetstat());

    write(store, view,
        new FeatureRow(keys.get(0), 90, 9, Map.of("label", "older event")),
        new FeatureRow(keys.get(1), 110, 1, Map.of("label", "newer event")),
        new FeatureRow(keys.get(2), 100, 6, Map.of("label", "larger created")),
        new FeatureRow(keys.get(3), 100, 4, Map.of("label", "smaller created")),
        new FeatureRow(keys.get(4), 100, 5, Map.of("label", "full tie")),
        new FeatureRow(keys.get(5), 1, 1, Map.of("label", "new key")));

    assertThat(read(store, view, keys.toArray(EntityKey[]::new))).extracting(row -> row.value("label"))
        .containsExactly("stored", "newer event", "larger created", "stored", "full tie", "new key");
    long calls = 0;
    for (int port : ports) {
      calls += scriptCalls(port);
    }
    assertThat(calls).as("script calls for six keys of one slot").isEqualTo(1);
  }

  /** The first {@code count} entity keys whose Redis keys of {@code view} hash to the slot of entity key 0. */
  private static List<EntityKey> keysOfOneSlot(FeatureView view, int count) {
    byte[] prefix = RedisOnlineStore.prefix(view);
    int slot = SlotHash.getSlot(redisKey(prefix, EntityKey.of(0L)));
    List<EntityKey> keys = new ArrayList<>();
    for (long id = 0; keys.size() < count; id++) {
      if (SlotHash.getSlot(redisKey(prefix, EntityKey.of(id))) == slot) {
        keys.add(EntityKey.of(id));
      }
    }
    return keys;
  }

  /** EVALSHA plus EVAL calls the server on {@code port} counted since its statistics were last reset. */
  private static long scriptCalls(int port) {
    long[] calls = {0};
    forEachNode(List.of(port), commands -> {
      for (String line : commands.info("commandstats").split("\\R")) {
        if (line.startsWith("cmdstat_evalsha:") || line.startsWith("cmdstat_eval:")) {
          String count = line.substring(line.indexOf("calls=") + 6);
          calls[0] += Long.parseLong(count.substring(0, count.indexOf(',')));
        }
      }
    });
    return calls[0];
  }

  @Test
  void read_oneKeyInEverySlotOfCluster_returnsAllInOneCallServedByEveryNode() {
    FeatureView view = newView();
    byte[] prefix = RedisOnlineStore.prefix(view);
    // The first entity key that lands in each of the 16384 slots.
    EntityKey[] bySlot = new EntityKey[16384];
    int covered = 0;
    for (long id = 0; covered < bySlot.length; id++) {
      EntityKey key = EntityKey.of(id);
      int slot = SlotHash.getSlot(redisKey(prefix, key));
      if (bySlot[slot] == null) {
        bySlot[slot] = key;
        covered++;
      }
    }
    List<EntityKey> keys = new ArrayList<>(List.of(bySlot));
    Collections.shuffle(keys, new Random(1));
    List<FeatureRow> rows = new ArrayList<>();
    for (EntityKey key : keys) {
      rows.add(new FeatureRow(key, 10, 1, Map.of("label", "k" + key.values().get(0))));
    }
    cluster.write(view, rows).toCompletableFuture().join();
    forEachClusterNode(commands -> commands.configResetstat());

    List<FeatureRow> read = cluster.read(view, keys).toCompletableFuture().join();

    assertThat(read).hasSize(keys.size()).doesNotContainNull();
    for (int i = 0; i < keys.size(); i++) {
      assertThat(read.get(i).key()).isEqualTo(keys.get(i));
      assertThat(read.get(i).value("label")).isEqualTo("k" + keys.get(i).values().get(0));
    }
    forEachClusterNode(commands -> assertThat(commands.info("commandstats"))
        .as("every master served part of the one read").contains("cmdstat_mget:calls="));
  }

  @Test
  void open_cluster_loadsWriteScriptOnEveryNode() throws Exception {
    byte[] digest = MessageDigest.getInstance("SHA-1")
        .digest(RedisOnlineStore.WRITE_SCRIPT.getBytes(StandardCharsets.UTF_8));
    String sha = HexFormat.of().formatHex(digest);

    forEachClusterNode(commands -> assertThat(commands.scriptExists(sha)).containsExactly(true));
  }

  private void forEachClusterNode(Consumer<RedisCommands<String, String>> action) {
    forEachNode(redisCluster.ports(), action);
  }

  private static void forEachNode(List<Integer> ports, Consumer<RedisCommands<String, String>> action) {
    for (int port : ports) {
      RedisClient raw = RedisClient.create("redis://127.0.0.1:" + port);
      try (StatefulRedisConnection<String, String> connection = raw.connect()) {
        action.accept(connection.sync());
      } finally {
        raw.shutdown();
      }
    }
  }

  private static byte[] redisKey(byte[] prefix, EntityKey key) {
    byte[] encoded = RecordCodec.encodeKey(key);
    byte[] full = Arrays.copyOf(prefix, prefix.length + encoded.length);
    System.arraycopy(encoded, 0, full, prefix.length, encoded.length);
    return full;
  }

  @Test
  void read_afterClientWrite_membersSeeTheRow() {
    FeatureView view = newView();
    write(client, view, row(1, 100, 1), row(2, 200, 1));
    write(member2, view, row(1, 50, 1));

    assertThat(read(member1, view, EntityKey.of(1L), EntityKey.of(2L)))
        .extracting(FeatureRow::eventTimestampMicros).containsExactly(100L, 200L);
    assertThat(read(member2, view, EntityKey.of(1L)).get(0).value("version")).isEqualTo(100_001L);
  }

  @Test
  void write_afterScriptCacheFlushed_fallsBackToEval() {
    FeatureView view = newView();
    RedisClient raw = RedisClient.create(redisServer.uri());
    try (StatefulRedisConnection<String, String> connection = raw.connect()) {
      connection.sync().scriptFlush();
    } finally {
      raw.shutdown();
    }

    write(redis, view, row(1, 100, 1));
    write(redis, view, row(1, 90, 1));

    assertThat(read(redis, view, EntityKey.of(1L)).get(0).eventTimestampMicros()).isEqualTo(100);
  }

  @Test
  void write_rowWithUnknownFeature_failsNamingItAndWritesNothing() {
    FeatureView view = newView();

    assertThatThrownBy(() -> write(redis, view, row(1, 1, 1),
        new FeatureRow(EntityKey.of(2L), 1, 1, Map.of("nope", 1L))))
        .hasCauseInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("Cannot write a row of view '" + view.name() + "': 'nope' is not a feature of it");
    assertThat(read(redis, view, EntityKey.of(1L))).containsExactly((FeatureRow) null);
  }

  @Test
  void open_redisNotListening_failsUnavailable() {
    int port = RedisServerProcess.freePort();

    assertThatThrownBy(() -> OnlineStores.open("redis://127.0.0.1:" + port))
        .isInstanceOf(UnavailableException.class)
        .hasMessageContaining("Cannot connect to Redis at redis://127.0.0.1:" + port);
  }

  @Test
  void open_unknownScheme_failsNamingUri() {
    assertThatThrownBy(() -> OnlineStores.open("memcached://x"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageStartingWith("Cannot open online store 'memcached://x': expected hazelcast");
  }

  @Test
  void open_unknownHazelcastParameter_failsNamingIt() {
    assertThatThrownBy(() -> OnlineStores.open("hazelcast:embedded?prot=1"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot open online store 'hazelcast:embedded?prot=1': unknown query parameter 'prot'"
            + " (known: cluster, expiryGrace, members, port)");
  }
}
