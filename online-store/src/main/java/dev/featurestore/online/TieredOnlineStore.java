package dev.featurestore.online;

import com.hazelcast.cluster.Member;
import com.hazelcast.config.EvictionConfig;
import com.hazelcast.config.EvictionPolicy;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MaxSizePolicy;
import com.hazelcast.config.MergePolicyConfig;
import com.hazelcast.spi.merge.DiscardMergePolicy;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.featurestore.api.data.EntityKey;
import dev.featurestore.api.data.FeatureRow;
import dev.featurestore.api.definition.FeatureView;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Redis, the source of truth, behind a bounded hot tier on the serving nodes' own Hazelcast cluster: one
 * {@code IMap<String, byte[]>} per view named {@code fshot.<view>}, at most {@code hotEntries} entries per member
 * (least recently used evicted first), without backups since every entry can be fetched from Redis again.
 *
 * <p><b>Writes</b> go to Redis (event-time-wins, as {@link RedisOnlineStore}), then remove the written keys from the
 * hot tier, cluster-wide; the write completes only after both, and also invalidates when Redis failed (a failed
 * write may still have landed). <b>Reads</b> are one call to the hot tier for all keys; the keys it misses are one
 * MGET on Redis, answered at once and put into the hot tier afterwards without delaying the answer.
 *
 * <p><b>Why a read never returns a record older than an acknowledged write.</b> A read that misses places a lease
 * (a random token) on the key, in the same atomic step that saw the miss, before its MGET; its fetched record goes
 * into the hot tier only while that lease is still in place (or over an older cached record,
 * {@link HotTierProcessor}). Take a write of record {@code w} acknowledged at time {@code A}; its Redis write ended
 * before its invalidation {@code I < A}. A cached record seen by a read starting after {@code A} was put there by a
 * read whose lease was placed at {@code L} and whose populate ran at {@code P}, with no removal of the key between
 * them. If {@code P < I}, the invalidation removed it before {@code A}. If {@code L < I < P}, the invalidation removed
 * the lease, so the populate was dropped. Hence {@code I < L}: that read's MGET came after the Redis write and
 * fetched {@code w} or something Redis kept over it. Eviction and expiry only remove entries, which can only turn a
 * populate into a dropped one. A miss reads Redis, which holds {@code w} or newer. (Writing the new record through
 * instead of invalidating is not enough: an eviction right after it lets a slower read cache what it fetched before
 * the write.)
 *
 * <p>The argument assumes one hot cluster. While a network partition splits it, a write invalidates only its own
 * side, and the other side may serve what it had cached until the sides merge again; on the merge the smaller
 * side's entries are discarded, never merged in. Every process that writes to the Redis must reach the hot cluster,
 * as a member or a client ({@link OnlineStores#fromOutside}).
 *
 * <p><b>Near cache.</b> With {@code nearEntries > 0}, a member also keeps the stored records of hot keys in its own
 * heap ({@link NearCache}): a read answered there touches neither the cluster nor Redis. Its misses take the path
 * above and fill the near cache afterwards. A write then also passes a barrier before it completes: after the
 * IMap's invalidation, every member's near cache drops the keys ({@link NearCacheInvalidator}), in that order, so
 * that a near cache cannot be refilled from an IMap entry the write has not removed yet. A fill that fetched
 * before an invalidation arrived is dropped ({@link NearCache#fill}); the same argument as for leases, with the
 * invalidation sequence taken before the fetch in place of the lease. Membership changes suspend the near cache
 * ({@link NearCacheMembership}, which also states the window of a network partition).
 *
 * <p>If the hot tier fails on a read, the read falls back to Redis alone; if it fails on a write's invalidation,
 * the write fails with {@link dev.featurestore.api.error.UnavailableException}.
 */
final class TieredOnlineStore implements RecordStore {
  static final String MAP_PREFIX = "fshot.";

  private final RedisOnlineStore primary;
  private final HazelcastInstance hot;
  /** Whether {@code hot} is a client of the hot cluster rather than a member (then it has no near cache). */
  private final boolean client;
  private final KeyExpiry expiry;
  /** Null without a near cache. */
  private final NearCache near;
  private final NearCacheMembership nearMembership;
  private final NearCacheInvalidator nearInvalidator;
  private final ConcurrentMap<String, IMap<String, byte[]>> maps = new ConcurrentHashMap<>();
  /** Creating a map proxy may block; it happens once per view, on this thread, never on a caller's event loop. */
  private final ExecutorService proxyCreator = Executors.newSingleThreadExecutor(runnable -> {
    Thread thread = new Thread(runnable, "fs-hot-tier-proxies");
    thread.setDaemon(true);
    return thread;
  });
  /** Lease tokens: a random prefix per store and a counter, unique across nodes and reads. */
  private final long leasePrefix = new SecureRandom().nextLong();
  private final AtomicLong leases = new AtomicLong();

  /**
   * Wraps {@code primary} with a hot tier on {@code hot} (a member, or a client of the hot cluster), bounded to
   * {@code hotEntries} entries per member and view, and, on a member, a near cache of {@code nearEntries} rows per
   * view (0: none). Takes ownership of both once constructed; when construction fails, shuts {@code hot} down and
   * leaves {@code primary} to the caller.
   */
  TieredOnlineStore(RedisOnlineStore primary, HazelcastInstance hot, int hotEntries, int nearEntries,
      KeyExpiry expiry) {
    this.primary = primary;
    this.hot = hot;
    this.client = !(hot.getLocalEndpoint() instanceof Member);
    this.expiry = expiry;
    MapConfig config = new MapConfig(MAP_PREFIX + "*")
        .setBackupCount(0)
        .setAsyncBackupCount(0)
        .setEvictionConfig(new EvictionConfig()
            .setEvictionPolicy(EvictionPolicy.LRU)
            .setMaxSizePolicy(MaxSizePolicy.PER_NODE)
            .setSize(hotEntries))
        // After a split brain heals, the entries of the smaller side may predate writes the larger side saw: drop
        // them rather than merge them in (the default, put-if-absent, would bring stale records back).
        .setMergePolicyConfig(
            new MergePolicyConfig(DiscardMergePolicy.class.getName(), MergePolicyConfig.DEFAULT_BATCH_SIZE));
    try {
      // Dynamic configuration reaches every member, also those that join later.
      hot.getConfig().addMapConfig(config);
      if (nearEntries > 0 && !client) {
        near = new NearCache(nearEntries);
        // Where the invalidations sent by other members find it (NearCacheTask).
        hot.getUserContext().put(NearCacheTask.USER_CONTEXT_KEY, near);
        nearMembership = new NearCacheMembership(hot, near);
      } else {
        near = null;
        nearMembership = null;
      }
      nearInvalidator = new NearCacheInvalidator(hot);
    } catch (RuntimeException e) {
      // The caller closes the Redis store it passed; the member or client was started for this store alone.
      proxyCreator.shutdownNow();
      hot.shutdown();
      throw StoreFailures.translate(e, "configure the hot tier of " + hotEntries + " entries");
    }
  }

  @Override
  public CompletionStage<Void> write(FeatureView view, List<FeatureRow> rows) {
    Set<String> names = new LinkedHashSet<>();
    for (FeatureRow row : rows) {
      names.add(HazelcastOnlineStore.key(row.key()));
    }
    CompletableFuture<Void> written = primary.write(view, rows).toCompletableFuture();
    CompletableFuture<Void> result = new CompletableFuture<>();
    written.whenComplete((ignored, writeFailure) -> invalidate(view, names).whenComplete((none, hotFailure) -> {
      if (writeFailure != null) {
        result.completeExceptionally(writeFailure);
      } else if (hotFailure != null) {
        result.completeExceptionally(StoreFailures.translate(hotFailure,
            "invalidate " + names.size() + " keys of view '" + view.name() + "' in the hot tier"));
      } else {
        result.complete(null);
      }
    }));
    return result;
  }

  /**
   * The IMap first, then the near caches: a near cache that misses after its invalidation refills from the IMap,
   * which must no longer hold what the write replaced.
   */
  private CompletionStage<Void> invalidate(FeatureView view, Set<String> names) {
    return invalidateHot(view, names)
        .thenComposeAsync(none -> nearInvalidator.invalidate(view.name(), List.copyOf(names)), PerKeyCalls.HANDOFF);
  }

  private CompletionStage<Void> invalidateHot(FeatureView view, Set<String> names) {
    if (names.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    try {
      return map(view).thenCompose(map -> PerKeyCalls.submit(map, names, HotTierProcessor.invalidate()))
          .thenApply(ignored -> null);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * The records of {@code keys}, parallel to them with null where a key has none, from the near cache if there is
   * one, else from the hot tier and Redis; decoded by {@code decoder}.
   */
  @Override
  public <T> CompletionStage<T> readDecoded(
      FeatureView view, List<EntityKey> keys, Function<List<byte[]>, T> decoder) {
    if (keys.isEmpty()) {
      return CompletableFuture.completedFuture(decoder.apply(List.of()));
    }
    return near == null ? readHot(view, keys, decoder) : readNear(view, keys, decoder);
  }

  /** The near cache first; the keys it misses through the hot tier, then cached near if nothing invalidated them. */
  private <T> CompletionStage<T> readNear(FeatureView view, List<EntityKey> keys, Function<List<byte[]>, T> decoder) {
    // Taken before anything is fetched: a fill must not land if the cache was suspended since.
    long ticket = near.fillTicket();
    List<byte[]> records = new ArrayList<>(keys.size());
    List<Integer> missing = null;
    List<String> missingNames = null;
    long[] sequences = null;
    for (int i = 0; i < keys.size(); i++) {
      String name = HazelcastOnlineStore.key(keys.get(i));
      byte[] record = near.get(view, name);
      records.add(record);
      if (record == null) {
        if (missing == null) {
          missing = new ArrayList<>();
          missingNames = new ArrayList<>();
          sequences = new long[keys.size()];
        }
        sequences[missing.size()] = near.sequence(view.name(), name);
        missing.add(i);
        missingNames.add(name);
      }
    }
    String action = "read " + keys.size() + " keys of view '" + view.name() + "'";
    if (missing == null) {
      try {
        return CompletableFuture.completedFuture(decoder.apply(records));
      } catch (RuntimeException e) {
        return StoreFailures.failed(e, action);
      }
    }
    List<EntityKey> missingKeys = new ArrayList<>(missing.size());
    for (int i : missing) {
      missingKeys.add(keys.get(i));
    }
    List<Integer> positions = missing;
    List<String> fillNames = missingNames;
    long[] fillSequences = sequences;
    return StoreFailures.translate(readHot(view, missingKeys, fetched -> fetched).thenApply(fetched -> {
      for (int j = 0; j < positions.size(); j++) {
        byte[] record = fetched.get(j);
        records.set(positions.get(j), record);
        if (record != null) {
          near.fill(view, fillNames.get(j), record,
              expiry.expireAtMillis(view, RecordCodec.eventTimestamp(record)), ticket, fillSequences[j]);
        }
      }
      return decoder.apply(records);
    }), action);
  }

  /**
   * The records of {@code keys}, parallel to them with null where a key has none, from the hot tier and, for its
   * misses, from Redis; decoded by {@code decoder}.
   */
  private <T> CompletionStage<T> readHot(FeatureView view, List<EntityKey> keys, Function<List<byte[]>, T> decoder) {
    List<String> names = new ArrayList<>(keys.size());
    for (EntityKey key : keys) {
      names.add(HazelcastOnlineStore.key(key));
    }
    CompletionStage<Map<String, byte[]>> cached;
    try {
      cached = map(view).thenCompose(map -> readOrLease(map, new HashSet<>(names)));
    } catch (RuntimeException e) {
      cached = CompletableFuture.failedFuture(e);
    }
    // The hot tier is a cache: when it fails, Redis alone still answers correctly, only slower, and nothing is
    // populated. A failure of Redis itself is reported, not retried.
    return StoreFailures.translate(
        cached.handle((values, failure) -> failure == null
                ? readMisses(view, keys, names, values)
                : primary.readRecords(view, keys))
            .thenCompose(stage -> stage)
            .thenApply(decoder),
        "read " + keys.size() + " keys of view '" + view.name() + "'");
  }

  /**
   * What {@link HotTierProcessor#read} returns for each key (the cached record, or the lease in place), without the
   * entry processor's cost where the record is cached: plain gets first, then the processor on the keys that
   * missed. A record cached between the two is returned by the processor, as it would have been by one call.
   */
  private CompletionStage<Map<String, byte[]>> readOrLease(IMap<String, byte[]> map, Set<String> names) {
    return PerKeyCalls.get(map, names).thenCompose(values -> {
      List<String> missed = new ArrayList<>();
      for (String name : names) {
        byte[] value = values.get(name);
        if (value == null || HotTierProcessor.isLease(value)) {
          missed.add(name);
        }
      }
      if (missed.isEmpty()) {
        return CompletableFuture.completedFuture(values);
      }
      byte[] lease = ByteBuffer.allocate(HotTierProcessor.LEASE_BYTES)
          .putLong(leasePrefix ^ leases.incrementAndGet()).array();
      return CompletableFuture.supplyAsync(
              () -> PerKeyCalls.submit(map, missed, HotTierProcessor.read(lease)), PerKeyCalls.HANDOFF)
          .thenCompose(leased -> leased)
          .thenApply(leased -> {
            Map<String, byte[]> all = new HashMap<>(values);
            all.putAll(leased);
            return all;
          });
    });
  }

  private CompletionStage<List<byte[]>> readMisses(
      FeatureView view, List<EntityKey> keys, List<String> names, Map<String, byte[]> values) {
    List<byte[]> records = new ArrayList<>(keys.size());
    List<Integer> missing = new ArrayList<>();
    List<EntityKey> missingKeys = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      byte[] value = values.get(names.get(i));
      if (value == null || HotTierProcessor.isLease(value)) {
        records.add(null);
        missing.add(i);
        missingKeys.add(keys.get(i));
      } else {
        records.add(value);
      }
    }
    if (missing.isEmpty()) {
      return CompletableFuture.completedFuture(records);
    }
    return primary.readRecords(view, missingKeys).thenApply(fetched -> {
      Map<String, byte[]> leases = new HashMap<>();
      Map<String, byte[]> fetchedByName = new HashMap<>();
      for (int j = 0; j < missing.size(); j++) {
        int i = missing.get(j);
        byte[] record = fetched.get(j);
        records.set(i, record);
        byte[] lease = values.get(names.get(i));
        if (HotTierProcessor.isLease(lease) && leases.putIfAbsent(names.get(i), lease) == null) {
          fetchedByName.put(names.get(i), record);
        }
      }
      // Not on this thread: it may be a Hazelcast response thread (when Redis answered before this was chained),
      // which may not call other members. No hop when this read placed no lease (other reads hold them).
      if (!leases.isEmpty()) {
        PerKeyCalls.HANDOFF.execute(() -> populate(view, leases, fetchedByName));
      }
      return records;
    });
  }

  /** Fire and forget: a populate that fails or is dropped only means a later miss. */
  private void populate(FeatureView view, Map<String, byte[]> leases, Map<String, byte[]> records) {
    IMap<String, byte[]> map = maps.get(MAP_PREFIX + view.name());
    if (map == null) {
      return;
    }
    for (Map.Entry<String, byte[]> lease : leases.entrySet()) {
      byte[] record = records.get(lease.getKey());
      long expireAt =
          record == null ? KeyExpiry.NEVER : expiry.expireAtMillis(view, RecordCodec.eventTimestamp(record));
      map.submitToKey(lease.getKey(), HotTierProcessor.populate(lease.getValue(), record, expireAt));
    }
  }

  @Override
  public void close() {
    proxyCreator.shutdownNow();
    if (nearMembership != null) {
      nearMembership.close();
    }
    try {
      primary.close();
    } finally {
      hot.shutdown();
    }
  }

  /** The near cache, for tests; null without one. */
  NearCache near() {
    return near;
  }

  private CompletionStage<IMap<String, byte[]>> map(FeatureView view) {
    String name = MAP_PREFIX + view.name();
    IMap<String, byte[]> cached = maps.get(name);
    if (cached != null) {
      return CompletableFuture.completedFuture(cached);
    }
    return CompletableFuture.supplyAsync(() -> maps.computeIfAbsent(name, hot::getMap), proxyCreator);
  }
}
