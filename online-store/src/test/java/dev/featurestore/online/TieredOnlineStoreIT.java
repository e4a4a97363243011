package dev.featurestore.online;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.featurestore.api.ValueType;
import dev.featurestore.api.data.EntityKey;
import dev.featurestore.api.data.FeatureRow;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.online.spi.OnlineStore;
import dev.featurestore.online.spi.Projection;
import dev.featurestore.online.spi.RowColumns;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The hot tier against a real Redis server and a real two-member Hazelcast cluster in this JVM: "node A" and
 * "node B" are two tiered stores, each with its own member and near cache, sharing the Redis and the hot cluster,
 * as two serving nodes do. Every test uses its own view.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TieredOnlineStoreIT {
  private static final AtomicInteger VIEWS = new AtomicInteger();
  private static final int HOT_ENTRIES = 500;
  private static final int NEAR_ENTRIES = 100;

  private RedisServerProcess redisServer;
  private RedisClient redisClient;
  private StatefulRedisConnection<String, String> redis;
  private OnlineStore nodeA;
  private OnlineStore nodeB;
  private String hotCluster;
  private String nodeUri;
  /** A node's URI without its member port. */
  private String commonUri;

  @BeforeAll
  void start() throws Exception {
    redisServer = RedisServerProcess.start();
    redisClient = RedisClient.create(redisServer.uri());
    redis = redisClient.connect();
    int port1 = RedisServerProcess.freePort();
    int port2 = RedisServerProcess.freePort();
    hotCluster = "hot-" + port1;
    String common = redisServer.uri() + "?hotEntries=" + HOT_ENTRIES + "&nearEntries=" + NEAR_ENTRIES
        + "&hotCluster=" + hotCluster
        + "&hotMembers=127.0.0.1:" + port1 + ",127.0.0.1:" + port2 + "&hotPort=";
    CompletableFuture<OnlineStore> second = CompletableFuture.supplyAsync(() -> OnlineStores.open(common + port2));
    nodeA = OnlineStores.open(common + port1);
    nodeB = second.get(60, TimeUnit.SECONDS);
    nodeUri = common + port1;
    commonUri = common;
    Awaitility.await().atMost(Duration.ofSeconds(60))
        .until(() -> hotMembers().size() == 2 && hotMembers().get(0).getCluster().getMembers().size() == 2);
    Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> near(nodeA).isFilling() && near(nodeB).isFilling());
  }

  private static NearCache near(OnlineStore node) {
    return ((TieredOnlineStore) node).near();
  }

  /**
   * Every access to the view's IMap, on every member, as Hazelcast counts them: an entry processor that reads an
   * entry counts as a hit on the entry's owner.
   */
  private long hotMapOperations(FeatureView view) {
    long operations = 0;
    for (HazelcastInstance member : hotMembers()) {
      var stats = member.getMap(TieredOnlineStore.MAP_PREFIX + view.name()).getLocalMapStats();
      operations += stats.getHits() + stats.getGetOperationCount() + stats.getPutOperationCount() + stats.getSetOperationCount()
          + stats.getRemoveOperationCount() + stats.getOtherOperationCount();
    }
    return operations;
  }

  @AfterAll
  void stop() {
    for (AutoCloseable closeable : new AutoCloseable[] {nodeB, nodeA, redis, redisServer}) {
      try {
        if (closeable != null) {
          closeable.close();
        }
      } catch (Exception e) {
        // keep closing the rest
      }
    }
    if (redisClient != null) {
      redisClient.shutdown();
    }
  }

  private List<HazelcastInstance> hotMembers() {
    List<HazelcastInstance> members = new ArrayList<>();
    for (HazelcastInstance instance : Hazelcast.getAllHazelcastInstances()) {
      if (instance.getConfig().getClusterName().equals(hotCluster)) {
        members.add(instance);
      }
    }
    return members;
  }

  private IMap<String, byte[]> hotMap(FeatureView view) {
    return hotMembers().get(0).getMap(TieredOnlineStore.MAP_PREFIX + view.name());
  }

  private long mgetCalls() {
    String stats = redis.sync().info("commandstats");
    for (String line : stats.split("\r?\n")) {
      if (line.startsWith("cmdstat_mget:calls=")) {
        return Long.parseLong(line.substring("cmdstat_mget:calls=".length(), line.indexOf(',')));
      }
    }
    return 0;
  }

  private static FeatureView newView() {
    return FeatureView.builder("hot_view_" + VIEWS.incrementAndGet()).entity("user")
        .feature("version", ValueType.INT64).build();
  }

  private static FeatureRow row(long key, long event) {
    return new FeatureRow(EntityKey.of(key), event, 1, Map.of("version", event));
  }

  private static FeatureRow read(OnlineStore store, FeatureView view, long key) {
    return store.read(view, List.of(EntityKey.of(key))).toCompletableFuture().join().get(0);
  }

  private static void write(OnlineStore store, FeatureView view, FeatureRow... rows) {
    store.write(view, List.of(rows)).toCompletableFuture().join();
  }

  /** Waits until the key's record (not a read's lease) is in the hot tier with the given event. */
  private void awaitCached(FeatureView view, long key, long event) {
    String name = HazelcastOnlineStore.key(EntityKey.of(key));
    Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      byte[] cached = hotMap(view).get(name);
      assertThat(cached).isNotNull();
      assertThat(HotTierProcessor.isLease(cached)).isFalse();
      assertThat(RecordCodec.eventTimestamp(cached)).isEqualTo(event);
    });
  }

  @Test
  void read_afterWriteOnOtherNode_neverReturnsOlderThanAcknowledged() throws Exception {
    FeatureView view = newView();
    int keys = 3;
    AtomicLong acknowledged = new AtomicLong();
    long nearHits = near(nodeA).hits() + near(nodeB).hits();
    AtomicBoolean done = new AtomicBoolean();
    List<String> violations = Collections.synchronizedList(new ArrayList<>());
    ExecutorService readers = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> running = new ArrayList<>();
      for (int r = 0; r < 4; r++) {
        OnlineStore node = r % 2 == 0 ? nodeB : nodeA;
        running.add(readers.submit(() -> {
          while (!done.get()) {
            long before = acknowledged.get();
            for (int k = 0; k < keys; k++) {
              FeatureRow row = read(node, view, k);
              long seen = row == null ? 0 : row.eventTimestampMicros();
              if (seen < before) {
                violations.add("key " + k + ": read " + seen + " after " + before + " was acknowledged");
              }
            }
          }
        }));
      }
      for (long event = 1; event <= 300; event++) {
        List<FeatureRow> rows = new ArrayList<>();
        for (int k = 0; k < keys; k++) {
          rows.add(row(k, event));
        }
        (event % 2 == 0 ? nodeA : nodeB).write(view, rows).toCompletableFuture().join();
        acknowledged.set(event);
        // The direct check: the other node reads what was just acknowledged.
        for (int k = 0; k < keys; k++) {
          FeatureRow other = read(event % 2 == 0 ? nodeB : nodeA, view, k);
          if (other.eventTimestampMicros() < event) {
            violations.add("key " + k + ": other node read " + other.eventTimestampMicros() + " after " + event);
          }
        }
      }
      done.set(true);
      for (Future<?> reader : running) {
        reader.get(60, TimeUnit.SECONDS);
      }
    } finally {
      done.set(true);
      readers.shutdownNow();
    }

    assertThat(violations).isEmpty();
    // The race went through the near caches, not only around them.
    assertThat(near(nodeA).hits() + near(nodeB).hits()).isGreaterThan(nearHits);
    assertThat(read(nodeA, view, 0).eventTimestampMicros()).isEqualTo(300);
    assertThat(read(nodeB, view, 2).eventTimestampMicros()).isEqualTo(300);
  }

  @Test
  void read_hotKey_isAnsweredWithoutRedis() {
    FeatureView view = newView();
    write(nodeA, view, row(7, 100));
    read(nodeB, view, 7);
    awaitCached(view, 7, 100);
    long before = mgetCalls();

    FeatureRow fromA = read(nodeA, view, 7);
    FeatureRow fromB = read(nodeB, view, 7);

    assertThat(mgetCalls()).isEqualTo(before);
    assertThat(fromA.eventTimestampMicros()).isEqualTo(100);
    assertThat(fromB.value("version")).isEqualTo(100L);
  }

  @Test
  void read_missingKey_isAbsentAndLeavesNothingCached() {
    FeatureView view = newView();

    assertThat(read(nodeA, view, 1)).isNull();

    String name = HazelcastOnlineStore.key(EntityKey.of(1L));
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> hotMap(view).get(name) == null);
  }

  @Test
  void write_afterCaching_invalidatesOnEveryNode() {
    FeatureView view = newView();
    write(nodeA, view, row(3, 100));
    read(nodeA, view, 3);
    awaitCached(view, 3, 100);

    write(nodeB, view, row(3, 200));

    assertThat(hotMap(view).get(HazelcastOnlineStore.key(EntityKey.of(3L)))).isNull();
    assertThat(read(nodeA, view, 3).eventTimestampMicros()).isEqualTo(200);
  }

  @Test
  void write_fromOutsideProcess_invalidatesAsHotClusterClient() {
    FeatureView view = newView();
    write(nodeA, view, row(4, 100));
    read(nodeA, view, 4);
    awaitCached(view, 4, 100);
    assertThat(near(nodeA).get(view, HazelcastOnlineStore.key(EntityKey.of(4L)))).isNotNull();

    try (OnlineStore outside = OnlineStores.open(OnlineStores.fromOutside(nodeUri))) {
      write(outside, view, row(4, 200));
      assertThat(read(outside, view, 4).eventTimestampMicros()).isEqualTo(200);
    }

    assertThat(read(nodeA, view, 4).eventTimestampMicros()).isEqualTo(200);
    assertThat(read(nodeB, view, 4).eventTimestampMicros()).isEqualTo(200);
    assertThat(hotMembers()).hasSize(2);
  }

  @Test
  void readColumns_hotHitsAndMissesWithoutNearCache_holdWhatRowsHold() {
    FeatureView view = newView();
    write(nodeA, view, row(1, 100), row(2, 200));
    List<EntityKey> keys = List.of(EntityKey.of(1L), EntityKey.of(3L), EntityKey.of(2L));
    Projection projection = Projection.all(view);

    try (OnlineStore client = OnlineStores.open(OnlineStores.fromOutside(nodeUri))) {
      client.read(view, List.of(EntityKey.of(1L))).toCompletableFuture().join();
      awaitCached(view, 1, 100);
      long before = mgetCalls();

      RowColumns columns = client.readColumns(projection, keys).toCompletableFuture().join();

      // key 1 from the hot tier, keys 3 (absent) and 2 (not cached yet) from Redis, in one MGET
      assertThat(mgetCalls()).isEqualTo(before + 1);
      assertThat(columns.size()).isEqualTo(3);
      assertThat(columns.found(0)).isTrue();
      assertThat(columns.eventTimestampMicros(0)).isEqualTo(100);
      assertThat(columns.word(0, 0)).isEqualTo(100);
      assertThat(columns.found(1)).isFalse();
      assertThat(columns.found(2)).isTrue();
      assertThat(columns.word(2, 0)).isEqualTo(200);
    }
  }

  @Test
  void write_olderEventAfterCaching_keepsNewestEvent() {
    FeatureView view = newView();
    write(nodeA, view, row(1, 300));
    read(nodeB, view, 1);
    awaitCached(view, 1, 300);

    write(nodeB, view, row(1, 100));

    assertThat(read(nodeA, view, 1).eventTimestampMicros()).isEqualTo(300);
    assertThat(read(nodeB, view, 1).value("version")).isEqualTo(300L);
  }

  @Test
  void write_concurrentWritersOnBothNodes_newestInBothTiers() throws Exception {
    FeatureView view = newView();
    List<Long> events = new ArrayList<>();
    for (long event = 1; event <= 200; event++) {
      events.add(event);
    }
    Collections.shuffle(events, new Random(3));
    ExecutorService writers = Executors.newFixedThreadPool(2);
    try {
      List<Future<?>> running = new ArrayList<>();
      for (int w = 0; w < 2; w++) {
        OnlineStore node = w == 0 ? nodeA : nodeB;
        List<Long> mine = events.subList(w * 100, w * 100 + 100);
        running.add(writers.submit(() -> {
          for (long event : mine) {
            write(node, view, row(5, event));
            read(node, view, 5);
          }
        }));
      }
      for (Future<?> writer : running) {
        writer.get(60, TimeUnit.SECONDS);
      }
    } finally {
      writers.shutdownNow();
    }

    try (OnlineStore redisOnly = OnlineStores.open(redisServer.uri())) {
      assertThat(read(redisOnly, view, 5).eventTimestampMicros()).isEqualTo(200);
    }
    assertThat(read(nodeA, view, 5).eventTimestampMicros()).isEqualTo(200);
    assertThat(read(nodeB, view, 5).eventTimestampMicros()).isEqualTo(200);
    awaitCached(view, 5, 200);
  }

  @Test
  void read_manyKeys_hotTierStaysWithinItsBound() {
    FeatureView view = newView();
    List<FeatureRow> rows = new ArrayList<>();
    List<EntityKey> keys = new ArrayList<>();
    for (long key = 0; key < 4 * HOT_ENTRIES; key++) {
      rows.add(row(key, 10));
      keys.add(EntityKey.of(key));
    }
    write(nodeA, view, rows.toArray(FeatureRow[]::new));

    for (int from = 0; from < keys.size(); from += 100) {
      List<FeatureRow> read = nodeA.read(view, keys.subList(from, from + 100)).toCompletableFuture().join();
      assertThat(read).allSatisfy(row -> assertThat(row.eventTimestampMicros()).isEqualTo(10));
    }

    // Populates are asynchronous: wait until the last key read has landed; then the bound of each of the two
    // members holds, although every one of the keys was cached at some point.
    awaitCached(view, keys.size() - 1, 10);
    assertThat(hotMap(view).size()).isBetween(1, 2 * HOT_ENTRIES);
  }

  @Test
  void read_nearHit_touchesNeitherRedisNorHotCluster() {
    FeatureView view = newView();
    write(nodeA, view, row(8, 100));
    read(nodeA, view, 8);
    // The IMap is filled after the read returned; let that land first.
    awaitCached(view, 8, 100);
    long mgets = mgetCalls();
    long hotOperations = hotMapOperations(view);
    long hits = near(nodeA).hits();

    for (int i = 0; i < 50; i++) {
      assertThat(read(nodeA, view, 8).eventTimestampMicros()).isEqualTo(100);
    }

    assertThat(mgetCalls()).isEqualTo(mgets);
    assertThat(hotMapOperations(view)).isEqualTo(hotOperations);
    assertThat(near(nodeA).hits() - hits).isEqualTo(50);
    // The counters are live: node B has not cached the key near, so its read goes to the hot cluster.
    assertThat(read(nodeB, view, 8).eventTimestampMicros()).isEqualTo(100);
    assertThat(hotMapOperations(view)).isGreaterThan(hotOperations);
  }

  @Test
  void write_afterNearCaching_invalidatesNearCacheOfOtherNode() {
    FeatureView view = newView();
    String name = HazelcastOnlineStore.key(EntityKey.of(6L));
    write(nodeA, view, row(6, 100));
    read(nodeA, view, 6);
    read(nodeB, view, 6);
    assertThat(near(nodeB).get(view, name)).isNotNull();

    write(nodeA, view, row(6, 200));

    assertThat(near(nodeB).get(view, name)).isNull();
    assertThat(read(nodeB, view, 6).eventTimestampMicros()).isEqualTo(200);
    assertThat(RecordCodec.eventTimestamp(near(nodeB).get(view, name))).isEqualTo(200);
  }

  @Test
  void read_manyKeys_nearCacheStaysWithinItsBound() {
    FeatureView view = newView();
    List<FeatureRow> rows = new ArrayList<>();
    List<EntityKey> keys = new ArrayList<>();
    for (long key = 0; key < 4 * NEAR_ENTRIES; key++) {
      rows.add(row(key, 10));
      keys.add(EntityKey.of(key));
    }
    write(nodeA, view, rows.toArray(FeatureRow[]::new));

    for (int from = 0; from < keys.size(); from += 50) {
      List<FeatureRow> read = nodeB.read(view, keys.subList(from, from + 50)).toCompletableFuture().join();
      assertThat(read).allSatisfy(row -> assertThat(row.eventTimestampMicros()).isEqualTo(10));
    }

    assertThat(near(nodeB).size(view.name())).isBetween(1L, (long) NEAR_ENTRIES);
    assertThat(near(nodeA).size(view.name())).isZero();
  }

  @Test
  void memberLeaves_nearCachesOfOthersAreClearedThenFillAgain() {
    FeatureView view = newView();
    String name = HazelcastOnlineStore.key(EntityKey.of(9L));
    write(nodeA, view, row(9, 100));
    read(nodeA, view, 9);
    assertThat(near(nodeA).get(view, name)).isNotNull();

    try (OnlineStore nodeC = OnlineStores.open(commonUri + RedisServerProcess.freePort())) {
      Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> near(nodeC).isFilling());
      assertThat(read(nodeC, view, 9).eventTimestampMicros()).isEqualTo(100);
      assertThat(near(nodeC).get(view, name)).isNotNull();
      // The third node's writes reach the others' near caches, and theirs reach it.
      write(nodeC, view, row(9, 200));
      assertThat(read(nodeA, view, 9).eventTimestampMicros()).isEqualTo(200);
      write(nodeB, view, row(9, 300));
      assertThat(read(nodeC, view, 9).eventTimestampMicros()).isEqualTo(300);
      assertThat(near(nodeA).get(view, name)).isNull();
      assertThat(read(nodeA, view, 9).eventTimestampMicros()).isEqualTo(300);
      assertThat(near(nodeA).get(view, name)).isNotNull();
    }

    // Node C left: node A cannot tell a crash from being cut off itself, so it drops everything it cached ...
    Awaitility.await().atMost(Duration.ofSeconds(60))
        .untilAsserted(() -> assertThat(near(nodeA).size(view.name())).isZero());
    assertThat(near(nodeA).get(view, name)).isNull();
    // ... and fills again once the members that remain know it.
    Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> near(nodeA).isFilling());
    assertThat(read(nodeA, view, 9).eventTimestampMicros()).isEqualTo(300);
    assertThat(RecordCodec.eventTimestamp(near(nodeA).get(view, name))).isEqualTo(300);
  }
}
