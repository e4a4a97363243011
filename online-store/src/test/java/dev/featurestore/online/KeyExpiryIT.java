package dev.featurestore.online;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.hazelcast.core.EntryView;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import dev.featurestore.api.ValueType;
import dev.featurestore.api.data.EntityKey;
import dev.featurestore.api.data.FeatureRow;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.online.spi.OnlineStore;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Expiry set by the stores themselves, checked on a real Redis server, a real three-master Redis Cluster and a real
 * Hazelcast member: a key expires at event + TTL + grace (by the store's clock), an older write leaves the expiry
 * alone, a row stale beyond its grace is not kept, a view without TTL never expires. Events are taken relative to
 * the real clock, since that is the one Redis and Hazelcast expire by.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KeyExpiryIT {
  private static final long MINUTE_MILLIS = 60_000L;
  private static final Duration TTL = Duration.ofHours(1);
  private static final AtomicInteger VIEWS = new AtomicInteger();

  private RedisServerProcess redisServer;
  private RedisClusterProcess redisCluster;
  private final List<AutoCloseable> resources = new ArrayList<>();
  private Target redis;
  private Target redisShortGrace;
  private Target cluster;
  private Target hazelcast;

  /** A store and how to see the expiry it gave a key: epoch millis, -1 for none, -2 for no such key. */
  record Target(OnlineStore store, ExpiryProbe probe, Duration grace) {}

  interface ExpiryProbe {
    long expireAtMillis(FeatureView view, EntityKey key);
  }

  @BeforeAll
  void start() {
    redisServer = RedisServerProcess.start();
    redisCluster = RedisClusterProcess.start();

    RedisClient rawClient = RedisClient.create(redisServer.uri());
    StatefulRedisConnection<byte[], byte[]> raw = rawClient.connect(ByteArrayCodec.INSTANCE);
    resources.add(rawClient::shutdown);
    resources.add(raw);
    ExpiryProbe redisProbe = (view, key) -> raw.sync().pexpiretime(redisKey(view, key));
    redis = new Target(open(redisServer.uri()), redisProbe, TTL);
    redisShortGrace = new Target(open(redisServer.uri() + "?expiryGrace=30m"), redisProbe, Duration.ofMinutes(30));

    RedisClusterClient rawClusterClient = RedisClusterClient.create(redisCluster.ports().stream()
        .map(port -> RedisURI.create("redis://127.0.0.1:" + port)).toList());
    StatefulRedisClusterConnection<byte[], byte[]> rawCluster = rawClusterClient.connect(ByteArrayCodec.INSTANCE);
    resources.add(rawClusterClient::shutdown);
    resources.add(rawCluster);
    cluster = new Target(open(redisCluster.uri()),
        (view, key) -> rawCluster.sync().pexpiretime(redisKey(view, key)), TTL);

    int port = RedisServerProcess.freePort();
    String clusterName = "expiry-it-" + port;
    OnlineStore member = open(
        "hazelcast:embedded?cluster=" + clusterName + "&port=" + port + "&members=127.0.0.1:" + port);
    HazelcastInstance instance = Hazelcast.getAllHazelcastInstances().stream()
        .filter(candidate -> candidate.getConfig().getClusterName().equals(clusterName))
        .findFirst().orElseThrow();
    hazelcast = new Target(member, (view, key) -> {
      EntryView<String, byte[]> entry = instance.<String, byte[]>getMap(HazelcastOnlineStore.mapName(view))
          .getEntryView(HazelcastOnlineStore.key(key));
      if (entry == null) {
        return -2;
      }
      return entry.getExpirationTime() == Long.MAX_VALUE ? -1 : entry.getExpirationTime();
    }, TTL);
  }

  private OnlineStore open(String uri) {
    OnlineStore store = OnlineStores.open(uri);
    resources.add(store);
    return store;
  }

  @AfterAll
  void stop() {
    List<AutoCloseable> all = new ArrayList<>(resources);
    Collections.reverse(all);
    all.add(redisCluster);
    all.add(redisServer);
    for (AutoCloseable resource : all) {
      try {
        if (resource != null) {
          resource.close();
        }
      } catch (Exception e) {
        // keep closing the rest
      }
    }
  }

  Stream<Named<Target>> targets() {
    return Stream.of(Named.of("redis", redis), Named.of("redis, grace 30m", redisShortGrace),
        Named.of("redis cluster", cluster), Named.of("hazelcast", hazelcast));
  }

  private static FeatureView newView(Duration ttl) {
    // Same name for the same number, so that a test can redefine a view with another TTL.
    return FeatureView.builder("expiry_" + VIEWS.incrementAndGet()).entity("user").ttl(ttl)
        .feature("version", ValueType.INT64).build();
  }

  private static FeatureView redefine(FeatureView view, Duration ttl) {
    return FeatureView.builder(view.name()).entity("user").ttl(ttl).feature("version", ValueType.INT64).build();
  }

  private static byte[] redisKey(FeatureView view, EntityKey key) {
    byte[] prefix = RedisOnlineStore.prefix(view);
    byte[] encoded = RecordCodec.encodeKey(key);
    byte[] full = Arrays.copyOf(prefix, prefix.length + encoded.length);
    System.arraycopy(encoded, 0, full, prefix.length, encoded.length);
    return full;
  }

  private static FeatureRow row(long eventMillis, long version) {
    return new FeatureRow(EntityKey.of(1L), eventMillis * 1000, eventMillis * 1000, Map.of("version", version));
  }

  private static void write(Target target, FeatureView view, FeatureRow row) {
    target.store().write(view, List.of(row)).toCompletableFuture().join();
  }

  private static FeatureRow read(Target target, FeatureView view) {
    return target.store().read(view, List.of(EntityKey.of(1L))).toCompletableFuture().join().get(0);
  }

  /** Redis expires to the millisecond; Hazelcast turns the deadline into a time to live on the member. */
  private static void assertExpiresAt(Target target, FeatureView view, long expected) {
    long actual = target.probe().expireAtMillis(view, EntityKey.of(1L));
    if (target.store() instanceof RedisOnlineStore) {
      assertThat(actual).isEqualTo(expected);
    } else {
      assertThat(actual).isCloseTo(expected, within(1_000L));
    }
  }

  @ParameterizedTest
  @MethodSource("targets")
  void write_viewWithTtl_expiresAtEventPlusTtlPlusGrace(Target target) {
    FeatureView view = newView(TTL);
    long event = System.currentTimeMillis() - MINUTE_MILLIS;

    write(target, view, row(event, 1));

    assertExpiresAt(target, view, event + TTL.toMillis() + target.grace().toMillis());
  }

  @ParameterizedTest
  @MethodSource("targets")
  void write_olderEvent_leavesValueAndExpiryUnchanged(Target target) {
    FeatureView view = newView(TTL);
    long event = System.currentTimeMillis() - MINUTE_MILLIS;
    write(target, view, row(event, 2));

    write(target, view, row(event - 10 * MINUTE_MILLIS, 1));

    assertThat(read(target, view).value("version")).isEqualTo(2L);
    assertExpiresAt(target, view, event + TTL.toMillis() + target.grace().toMillis());
  }

  @ParameterizedTest
  @MethodSource("targets")
  void write_newerEvent_movesExpiryLater(Target target) {
    FeatureView view = newView(TTL);
    long event = System.currentTimeMillis() - 10 * MINUTE_MILLIS;
    write(target, view, row(event, 1));

    write(target, view, row(event + 5 * MINUTE_MILLIS, 2));

    assertExpiresAt(target, view, event + 5 * MINUTE_MILLIS + TTL.toMillis() + target.grace().toMillis());
  }

  @ParameterizedTest
  @MethodSource("targets")
  void write_staleWithinGrace_isKeptAndRead(Target target) {
    FeatureView view = newView(TTL);
    // Past the TTL by 10 minutes, within every target's grace.
    long event = System.currentTimeMillis() - TTL.toMillis() - 10 * MINUTE_MILLIS;

    write(target, view, row(event, 1));

    assertThat(read(target, view).value("version")).isEqualTo(1L);
  }

  @ParameterizedTest
  @MethodSource("targets")
  void write_eventBeyondTtlAndGrace_isNotKeptAndReadsNothing(Target target) {
    FeatureView view = newView(TTL);
    long event = System.currentTimeMillis() - TTL.toMillis() - target.grace().toMillis() - MINUTE_MILLIS;

    write(target, view, row(event, 1));

    assertThat(read(target, view)).isNull();
    assertThat(target.probe().expireAtMillis(view, EntityKey.of(1L))).as("no such key").isEqualTo(-2);
  }

  @ParameterizedTest
  @MethodSource("targets")
  void write_viewWithoutTtl_neverExpires(Target target) {
    FeatureView view = newView(Duration.ZERO);

    write(target, view, row(0, 1));

    assertThat(read(target, view).value("version")).isEqualTo(1L);
    assertThat(target.probe().expireAtMillis(view, EntityKey.of(1L))).as("no expiry").isEqualTo(-1);
  }

  @ParameterizedTest
  @MethodSource("targets")
  void write_afterTtlRemovedFromView_newerRowClearsExpiry(Target target) {
    FeatureView view = newView(TTL);
    long event = System.currentTimeMillis() - MINUTE_MILLIS;
    write(target, view, row(event, 1));

    write(target, redefine(view, Duration.ZERO), row(event + 1, 2));

    assertThat(target.probe().expireAtMillis(view, EntityKey.of(1L))).as("no expiry").isEqualTo(-1);
  }
}
