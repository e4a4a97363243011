package dev.featurestore.online;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.featurestore.api.definition.FeatureView;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The near cache of one serving node: the stored records of hot keys in this JVM's heap, at most
 * {@code entriesPerView} per view (Caffeine, size-bounded, W-TinyLFU), each gone by itself at its key's expiry in the
 * store. Records rather than decoded rows: a read decodes only what it selects, straight into the response
 * ({@link RecordCodec#decodeColumns}) as a read from Redis does, and a record takes less heap than its boxed row.
 *
 * <p><b>The fill rule.</b> A read that misses takes a {@link #fillTicket()} and the key's {@link #sequence} before it
 * fetches the record, and hands both to {@link #fill} afterwards. The fill lands only if no {@link #invalidate} of that
 * key (or of another key in the same stripe) and no {@link #suspend} happened in between; it is checked and stored
 * in one atomic step on the key, and an invalidation bumps the sequence before it removes the key, so a fetch that
 * raced an invalidation can never land after it. A landed record is served only while the cache's state is still
 * the one it was filled in: {@link #suspend} makes every cached record unservable at once, whatever is still in
 * memory.
 *
 * <p>Starts suspended: it fills only after {@link #resume}, which {@link NearCacheMembership} calls once every member
 * of the hot cluster knows this one (and so sends it their invalidations).
 *
 * <p>Thread-safe; no method blocks beyond a per-key lock held for a comparison.
 */
final class NearCache {
  private static final int STRIPES = 1 << 12;
  /** A fill ticket while the cache is suspended: {@link #fill} drops what it is given. */
  static final long NO_FILL = -1;

  private final int entriesPerView;
  private final ConcurrentMap<String, Cache<Key, Entry>> views = new ConcurrentHashMap<>();
  /** Invalidation counts per stripe of keys; a fill compares the count it saw before its fetch. */
  private final AtomicLongArray sequences = new AtomicLongArray(STRIPES);
  /**
   * Even: suspended, nothing fills. Odd: filling. Every suspension moves it to the next even number, so a record filled
   * in an earlier state never matches again.
   */
  private final AtomicLong state = new AtomicLong();
  private final LongAdder hits = new LongAdder();

  NearCache(int entriesPerView) {
    if (entriesPerView <= 0) {
      throw new IllegalArgumentException("Cannot create a near cache: " + entriesPerView + " entries per view");
    }
    this.entriesPerView = entriesPerView;
  }

  /** The cached record of {@code name} in {@code view}, or null: absent, expired, or cached under another state. */
  byte[] get(FeatureView view, String name) {
    Cache<Key, Entry> cache = views.get(view.name());
    if (cache == null) {
      return null;
    }
    Entry entry = cache.getIfPresent(Key.of(name));
    // A record written under another version of the view still decodes under this one (RecordCodec), so the
    // version it was cached under does not matter.
    if (entry != null && entry.state == state.get()) {
      hits.increment();
      return entry.record;
    }
    return null;
  }

  /** How many reads of a key were answered here so far. */
  long hits() {
    return hits.sum();
  }

  /** What a read that is about to fetch must hand to {@link #fill}: the state, or {@link #NO_FILL} if suspended. */
  long fillTicket() {
    long current = state.get();
    return (current & 1) == 1 ? current : NO_FILL;
  }

  /** The invalidation count of the key's stripe, taken before a fetch. */
  long sequence(String viewName, String name) {
    return sequences.get(stripe(viewName, Key.of(name)));
  }

  /**
   * Caches {@code record}, fetched after {@link #fillTicket} returned {@code ticket} and {@link #sequence} returned
   * {@code sequence}, unless the key was invalidated or the cache suspended since, or a newer record is cached.
   * It goes at {@code expireAtMillis} (epoch milliseconds, {@link KeyExpiry#NEVER} for never).
   */
  void fill(FeatureView view, String name, byte[] record, long expireAtMillis, long ticket, long sequence) {
    if (ticket == NO_FILL || expireAtMillis <= System.currentTimeMillis()) {
      return;
    }
    Key key = Key.of(name);
    int stripe = stripe(view.name(), key);
    if (sequences.get(stripe) != sequence) {
      return;
    }
    Entry filled = new Entry(record, ticket, expireAtMillis);
    cache(view.name()).asMap().compute(key, (ignored, current) -> {
      // Checked again under the key's lock: an invalidation bumps the sequence before it removes the key, so either
      // it sees this record and removes it, or this sees its bump and stores nothing.
      if (sequences.get(stripe) != sequence || state.get() != ticket) {
        return current;
      }
      boolean keep = current != null && current.state == ticket && !RecordCodec.supersedes(record, current.record);
      return keep ? current : filled;
    });
  }

  /** Removes the keys of a view, and makes every fill that fetched them before this call drop its record. */
  void invalidate(String viewName, Collection<String> names) {
    Cache<Key, Entry> cache = views.get(viewName);
    for (String name : names) {
      Key key = Key.of(name);
      sequences.incrementAndGet(stripe(viewName, key));
      if (cache != null) {
        cache.invalidate(key);
      }
    }
  }

  /** Stops serving and filling: no record cached so far is served again, and nothing fills until {@link #resume}. */
  void suspend() {
    state.getAndUpdate(current -> (current | 1) + 1);
    for (Cache<Key, Entry> cache : views.values()) {
      cache.invalidateAll();
    }
  }

  /** The state to hand to {@link #resume}: taken before checking that the hot cluster is whole. */
  long suspendedState() {
    return state.get();
  }

  /**
   * Fills again, if the cache is still in the suspended state {@code suspended} (no suspension since it was taken).
   *
   * @return whether it fills now
   */
  boolean resume(long suspended) {
    return (suspended & 1) == 0 && state.compareAndSet(suspended, suspended + 1);
  }

  boolean isFilling() {
    return (state.get() & 1) == 1;
  }

  /** The number of records held for a view (estimated; includes records that are no longer served). */
  long size(String viewName) {
    Cache<Key, Entry> cache = views.get(viewName);
    if (cache == null) {
      return 0;
    }
    cache.cleanUp();
    return cache.estimatedSize();
  }

  private Cache<Key, Entry> cache(String viewName) {
    return views.computeIfAbsent(viewName, ignored -> Caffeine.newBuilder()
        .maximumSize(entriesPerView)
        .expireAfter(new Expiry<Key, Entry>() {
          @Override
          public long expireAfterCreate(Key key, Entry entry, long currentTime) {
            return entry.nanosToLive();
          }

          @Override
          public long expireAfterUpdate(Key key, Entry entry, long currentTime, long currentDuration) {
            return entry.nanosToLive();
          }

          @Override
          public long expireAfterRead(Key key, Entry entry, long currentTime, long currentDuration) {
            return currentDuration;
          }
        })
        .build());
  }

  private static int stripe(String viewName, Key key) {
    int hash = viewName.hashCode() * 31 + key.hash;
    return (hash ^ (hash >>> 16)) & (STRIPES - 1);
  }

  /**
   * A key's name with a hash of its own. The names are encoded entity keys as ISO-8859-1 text, and String's hash
   * spreads them badly: the keys 0 to 4,999 of an INT64 key differ in their last two characters only and share 814
   * hash codes (100,000 keys share 8,161), so the cache's map kept them in tree bins and every lookup walked one
   * (3% of the servers' CPU on near-cache hits of the ranking shape). FNV-1a over the characters spreads them.
   */
  private record Key(String name, int hash) {
    static Key of(String name) {
      int hash = 0x811c9dc5;
      for (int i = 0; i < name.length(); i++) {
        hash ^= name.charAt(i);
        hash *= 0x01000193;
      }
      return new Key(name, hash);
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Key that && name.equals(that.name);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  /** A stored record and the cache state it was filled in. */
  private record Entry(byte[] record, long state, long expireAtMillis) {
    long nanosToLive() {
      if (expireAtMillis == KeyExpiry.NEVER) {
        return Long.MAX_VALUE;
      }
      return TimeUnit.MILLISECONDS.toNanos(Math.max(0, expireAtMillis - System.currentTimeMillis()));
    }
  }
}
