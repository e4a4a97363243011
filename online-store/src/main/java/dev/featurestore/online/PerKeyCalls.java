package dev.featurestore.online;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Function;

/**
 * Asynchronous calls on many keys of an IMap, made as one call per key rather than one {@link IMap#submitToKeys}.
 *
 * <p>Why: Hazelcast 5.5 sends the whole key set of a {@code submitToKeys} to the operation of every partition the
 * keys fall in, and each of those operations hashes every key to skip the ones of other partitions, so one call
 * costs keys x partitions hashes. The 500-item ranking request cost the servers about 12 ms of CPU on Hazelcast,
 * three quarters of it in {@code MultipleEntryOperation.runInternal} and {@code belongsAnotherPartition} (JFR
 * profile of {@code bin/bench-online --shapes ranking --targets service-hazelcast}). On one embedded member, 500
 * keys of 1 KB cost 9.7 ms of CPU through {@code submitToKeys}, 3.2 ms through the blocking {@code getAll} and 1.3
 * ms through one {@code getAsync} per key; one {@code submitToKeys} per partition was worse than either (47 ms per
 * ranking request in the benchmark).
 *
 * <p>The stages complete on the thread of the last call's answer, which may be one of Hazelcast's response threads:
 * Hazelcast refuses calls to other members made on those, so a caller that goes on with such a call hands it to
 * another thread first ({@link #HANDOFF}).
 */
final class PerKeyCalls {
  /**
   * Where callers continue with further Hazelcast calls; a hop costs a thread wake-up, so only paths that need one
   * (misses, invalidations) take it, not a read answered from what is cached.
   */
  static final Executor HANDOFF = ForkJoinPool.commonPool();

  private PerKeyCalls() {}

  /** The stored value of each key; keys without one are absent. */
  static CompletionStage<Map<String, byte[]>> get(IMap<String, byte[]> map, Collection<String> keys) {
    return each(keys, map::getAsync);
  }

  /**
   * What {@code processor} returned for each key, run on each key's partition thread as {@code submitToKeys} would;
   * keys it returned null for are absent.
   */
  static <R> CompletionStage<Map<String, R>> submit(
      IMap<String, byte[]> map, Collection<String> keys, EntryProcessor<String, byte[], R> processor) {
    return each(keys, key -> map.submitToKey(key, processor));
  }

  /** Fails when any of the calls fails, once all are done. */
  private static <R> CompletionStage<Map<String, R>> each(
      Collection<String> keys, Function<String, CompletionStage<R>> call) {
    List<String> order = new ArrayList<>(keys);
    List<CompletableFuture<R>> calls = new ArrayList<>(order.size());
    for (String key : order) {
      calls.add(call.apply(key).toCompletableFuture());
    }
    // Merged once all are in, by the one thread that completed the last call: no map written by two threads.
    return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).thenApply(done -> {
      Map<String, R> results = new HashMap<>(order.size() * 2);
      for (int i = 0; i < order.size(); i++) {
        R result = calls.get(i).join();
        if (result != null) {
          results.put(order.get(i), result);
        }
      }
      return results;
    });
  }
}
