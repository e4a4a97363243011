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
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Event-time-wins and reads against a real Redis server and a real two-member Hazelcast cluster (members in this
 * JVM) with a client. Every test uses its own view, so tests do not see each other's rows.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OnlineStoreIT {
  private static final AtomicInteger VIEWS = new AtomicInteger();

  private RedisServerProcess redisServer;
  private OnlineStore redis;
  private OnlineStore member1;
  private OnlineStore member2;
  private OnlineStore client;

  @BeforeAll
  void start() throws Exception {
    redisServer = RedisServerProcess.start();
    redis = OnlineStores.open(redisServer.uri());
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
    for (AutoCloseable closeable : new AutoCloseable[] {client, member2, member1, redis, redisServer}) {
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
    return Stream.of(Named.of("redis", redis), Named.of("hazelcast member", member1),
        Named.of("hazelcast client", client));
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

  @ParameterizedTest
  @MethodSource("stores")
  void write_concurrentWritersWithShuffledVersions_endWithMaximum(OnlineStore store) throws Exception {
    FeatureView view = newView();
    int keys = 40;
    int versions = 25;
    int writers = 6;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        long seed = w;
        done.add(pool.submit(() -> {
          List<FeatureRow> rows = new ArrayList<>();
          for (long k = 0; k < keys; k++) {
            for (long v = 1; v <= versions; v++) {
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
    List<EntityKey> all = new ArrayList<>();
    for (long k = 0; k < keys; k++) {
      all.add(EntityKey.of(k));
    }

    List<FeatureRow> rows = store.read(view, all).toCompletableFuture().join();

    for (FeatureRow stored : rows) {
      assertThat(stored.eventTimestampMicros()).isEqualTo(versions);
      assertThat(stored.createdTimestampMicros()).isEqualTo(4);
      assertThat(stored.value("version")).isEqualTo(versions * 1000L + 4);
    }
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
            + " (known: cluster, members, port)");
  }
}
