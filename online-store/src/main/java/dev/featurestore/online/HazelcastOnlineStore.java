package dev.featurestore.online;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.featurestore.api.data.EntityKey;
import dev.featurestore.api.data.FeatureRow;
import dev.featurestore.api.definition.FeatureView;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * The online store on Hazelcast: one {@code IMap<String, byte[]>} per view named {@code fs.<view>}, keyed by the
 * encoded entity key (its bytes as ISO-8859-1 characters, a lossless one-to-one mapping), valued by the encoded
 * record. Works the same on an embedded member and on a client: the entry processors run on the owning member,
 * which has this class's jar on its classpath. A written entry gets a time to live that ends at its
 * {@link KeyExpiry} (by the owning member's clock), so Hazelcast removes stale data as Redis does.
 */
final class HazelcastOnlineStore implements RecordStore {
  private final HazelcastInstance instance;
  private final ConcurrentMap<String, IMap<String, byte[]>> maps = new ConcurrentHashMap<>();
  /**
   * Creating a map proxy is a blocking round trip on a client; it happens once per view, on this thread, so that
   * a caller on an event loop never waits for it.
   */
  private final ExecutorService proxyCreator = Executors.newSingleThreadExecutor(runnable -> {
    Thread thread = new Thread(runnable, "fs-hazelcast-proxies");
    thread.setDaemon(true);
    return thread;
  });

  private final KeyExpiry expiry;

  HazelcastOnlineStore(HazelcastInstance instance, KeyExpiry expiry) {
    this.instance = instance;
    this.expiry = expiry;
  }

  @Override
  public CompletionStage<Void> write(FeatureView view, List<FeatureRow> rows) {
    try {
      // Encode every row before sending any, so that a row the view refuses writes nothing of the call.
      List<Batches.Write<String>> records = Batches.encodeLatest(view, rows, HazelcastOnlineStore::key, expiry);
      CompletionStage<Void> written = map(view).thenCompose(map -> {
        List<CompletableFuture<Boolean>> writes = new ArrayList<>(records.size());
        for (Batches.Write<String> record : records) {
          // One atomic compare-and-set per key on its partition thread: no lock, no lost update.
          writes.add(map.submitToKey(record.key(),
                  new HazelcastWriteProcessor(record.record(), record.expireAtMillis()))
              .toCompletableFuture());
        }
        return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new));
      });
      return StoreFailures.translate(
          written,
          "write " + rows.size() + " rows of view '" + view.name() + "' to Hazelcast");
    } catch (RuntimeException e) {
      return StoreFailures.failed(e, "write rows of view '" + view.name() + "' to Hazelcast");
    }
  }

  @Override
  public <T> CompletionStage<T> readDecoded(
      FeatureView view, List<EntityKey> keys, Function<List<byte[]>, T> decoder) {
    try {
      if (keys.isEmpty()) {
        return CompletableFuture.completedFuture(decoder.apply(List.of()));
      }
      List<String> names = new ArrayList<>(keys.size());
      for (EntityKey key : keys) {
        names.add(key(key));
      }
      Set<String> unique = new HashSet<>(names);
      // IMap has no asynchronous getAll: one asynchronous get per key, never blocking the caller.
      CompletionStage<Map<String, byte[]>> stage = map(view).thenCompose(map -> PerKeyCalls.get(map, unique));
      return StoreFailures.translate(
          stage.thenApply(stored -> {
            List<byte[]> records = new ArrayList<>(keys.size());
            for (String name : names) {
              records.add(stored.get(name));
            }
            return decoder.apply(records);
          }),
          "read " + keys.size() + " keys of view '" + view.name() + "' from Hazelcast");
    } catch (RuntimeException e) {
      return StoreFailures.failed(e, "read keys of view '" + view.name() + "' from Hazelcast");
    }
  }

  @Override
  public void close() {
    proxyCreator.shutdownNow();
    instance.shutdown();
  }

  static String mapName(FeatureView view) {
    return "fs." + view.name();
  }

  private CompletionStage<IMap<String, byte[]>> map(FeatureView view) {
    String name = mapName(view);
    IMap<String, byte[]> cached = maps.get(name);
    if (cached != null) {
      return CompletableFuture.completedFuture(cached);
    }
    return CompletableFuture.supplyAsync(() -> maps.computeIfAbsent(name, instance::getMap), proxyCreator);
  }

  static String key(EntityKey key) {
    return new String(RecordCodec.encodeKey(key), StandardCharsets.ISO_8859_1);
  }
}
