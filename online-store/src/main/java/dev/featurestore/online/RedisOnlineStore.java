package dev.featurestore.online;

import dev.featurestore.api.data.EntityKey;
import dev.featurestore.api.data.FeatureRow;
import dev.featurestore.api.definition.FeatureView;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyValue;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.netty.channel.EventLoop;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * The online store on Redis through Lettuce's async API, standalone (also behind Sentinel) or Redis Cluster, with
 * one code path: both connections offer {@link RedisClusterAsyncCommands}. Key {@code fs:<view>:} followed by the
 * encoded entity key, value the encoded record.
 *
 * <p>Writes run a Lua script that compares the 16-byte record headers on the server, key by key, so
 * event-time-wins holds whatever the number of writers. One script call takes up to {@link #KEYS_PER_CALL} keys
 * whose keys share a hash slot (on a standalone server, any keys), so it runs on the slot's node in a cluster and
 * never touches keys of two slots, which would fail while a slot migrates. The script also sets each key's expiry
 * ({@link KeyExpiry}); a write that loses leaves value and expiry as they were. The calls of one write are
 * pipelined: one command and one future per group of keys instead of per key.
 *
 * <p>Reads are one MGET per call. On a cluster, Lettuce's advanced connection splits it by hash slot (a multi-key
 * command may not cross slots), sends every per-slot MGET before awaiting any, each on the connection of the
 * slot's node, and puts the values back in key order: still one logical call, with the nodes working in parallel.
 *
 * <p>In a server the store keeps one connection per Vert.x event loop ({@link RedisLanes}) and each call uses the
 * connection of the calling thread's loop, so a request's Redis round trip never leaves its event loop.
 */
final class RedisOnlineStore implements RecordStore {
  /**
   * For each key {@code KEYS[i]}, replaces the value with {@code ARGV[2i-1]} only when that incoming header
   * (flipped-sign big-endian event and created timestamps) is not smaller than the stored one; returns how many
   * keys it replaced. The keys of one call are distinct ({@link Batches#encodeLatest} folds a key's rows into one),
   * so every comparison is against the value stored before the call.
   *
   * <ul>
   *   <li>One MGET reads all stored values and one MSET writes the replaced ones without expiry; a replaced value
   *       with expiry is one SET with PXAT (Redis 6.2 or later). Inside a script each {@code redis.call} costs about
   *       as much as the work it does: one GET and one SET per key took 1.5-1.8 us of Redis' command time per key
   *       written (2.1-2.2 us of its CPU), MGET and MSET 0.94-1.0 us (1.4-1.6 us of CPU); with expiry, SET then
   *       PEXPIREAT 2.2-2.4 us, SET with PXAT 2.1-2.2, and this script 1.8-1.9 (200 keys of 156 bytes per call,
   *       stored already or not, the scripts alternated on one redis-server 7.0).
   *       {@code unpack} of {@link #KEYS_PER_CALL} keys stays far below Lua's limit of 8,000 values.
   *   <li>Compares the headers as four unsigned big-endian 32-bit words (exact in Lua's numbers), read with the
   *       struct library that Redis bundles, because Lua's string comparison follows the server's collation locale,
   *       which need not be bytewise.
   *   <li>{@code ARGV[2i]} is the epoch millisecond of expiry, empty for none: SET and MSET without KEEPTTL drop an
   *       earlier expiry, and a PXAT moment already past leaves the key expired at once, which is right, since an
   *       older stored row would be past its expiry too.
   * </ul>
   */
  static final String WRITE_SCRIPT = String.join("\n",
      "local stored = redis.call('MGET', unpack(KEYS))",
      "local unexpiring = {}",
      "local written = 0",
      "for k = 1, #KEYS do",
      "  local incoming = ARGV[2 * k - 1]",
      "  local newer = true",
      "  local current = stored[k]",
      "  if current then",
      "    local a1, a2, a3, a4 = struct.unpack('>I4I4I4I4', incoming)",
      "    local b1, b2, b3, b4 = struct.unpack('>I4I4I4I4', current)",
      "    if a1 ~= b1 then",
      "      newer = a1 > b1",
      "    elseif a2 ~= b2 then",
      "      newer = a2 > b2",
      "    elseif a3 ~= b3 then",
      "      newer = a3 > b3",
      "    else",
      "      newer = a4 >= b4",
      "    end",
      "  end",
      "  if newer then",
      "    local expireAt = ARGV[2 * k]",
      "    if expireAt == '' then",
      "      unexpiring[#unexpiring + 1] = KEYS[k]",
      "      unexpiring[#unexpiring + 1] = incoming",
      "    else",
      "      redis.call('SET', KEYS[k], incoming, 'PXAT', expireAt)",
      "    end",
      "    written = written + 1",
      "  end",
      "end",
      "if #unexpiring > 0 then",
      "  redis.call('MSET', unpack(unexpiring))",
      "end",
      "return written");

  /**
   * Keys per script call at most: enough that the per-command cost (parsing, dispatch, a client future) is spread
   * thin, few enough that one call holds the server's single thread for well under a millisecond, so reads served
   * meanwhile wait little.
   */
  static final int KEYS_PER_CALL = 200;

  private static final byte[] SCRIPT_BYTES = WRITE_SCRIPT.getBytes(StandardCharsets.UTF_8);
  private static final byte[] NO_EXPIRY = new byte[0];

  /** The connections, one per lane of {@link RedisLanes}; the first also serves callers on no lane's loop. */
  private final List<Lane> lanes;
  /** The hash slot of a key on a cluster; a constant on a standalone server, where any keys may share a call. */
  private final ToIntFunction<byte[]> slotOf;
  private final Runnable closer;
  private final String scriptSha;
  private final KeyExpiry expiry;

  /** One connection's commands and the event loop its I/O runs on (null: Lettuce's own threads). */
  private record Lane(RedisClusterAsyncCommands<byte[], byte[]> commands, EventLoop loop) {}

  private RedisOnlineStore(
      List<Lane> lanes, ToIntFunction<byte[]> slotOf, Runnable closer, String scriptSha, KeyExpiry expiry) {
    this.lanes = lanes;
    this.slotOf = slotOf;
    this.closer = closer;
    this.scriptSha = scriptSha;
    this.expiry = expiry;
  }

  /**
   * Connects to a standalone server, or to the master Sentinel names, once per lane, and loads the write script;
   * blocks until done or the URI's timeout passes.
   */
  static RedisOnlineStore connect(RedisURI uri, KeyExpiry expiry, RedisLanes where) {
    return connectLanes(where, (resources, closers) -> {
      RedisClient client = RedisClient.create(resources, uri);
      closers.add(() -> client.shutdown(0, 2, TimeUnit.SECONDS));
      // Fail fast while disconnected instead of queueing commands until the timeout: the caller sees Unavailable.
      client.setOptions(ClientOptions.builder()
          .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
          .build());
      StatefulRedisConnection<byte[], byte[]> connection = client.connect(ByteArrayCodec.INSTANCE);
      closers.add(connection::close);
      return connection.async();
    }, key -> 0, uri.getTimeout(), expiry, "connect to Redis at " + uri);
  }

  /**
   * Connects to a Redis Cluster through any of the seed nodes, once per lane, discovers its topology and loads the
   * write script; blocks until done or the first seed's timeout passes. The topology is refreshed when a node
   * answers MOVED or ASK, when a slot has no node, on reconnects, and every minute, so resharding and failover are
   * followed.
   */
  static RedisOnlineStore connectCluster(List<RedisURI> seeds, KeyExpiry expiry, RedisLanes where) {
    return connectLanes(where, (resources, closers) -> {
      RedisClusterClient client = RedisClusterClient.create(resources, seeds);
      closers.add(() -> client.shutdown(0, 2, TimeUnit.SECONDS));
      client.setOptions(ClusterClientOptions.builder()
          .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
          .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
              .enableAllAdaptiveRefreshTriggers()
              .enablePeriodicRefresh(Duration.ofMinutes(1))
              .build())
          .build());
      StatefulRedisClusterConnection<byte[], byte[]> connection = client.connect(ByteArrayCodec.INSTANCE);
      closers.add(connection::close);
      return connection.async();
    }, SlotHash::getSlot, seeds.get(0).getTimeout(), expiry, "connect to Redis Cluster at " + seeds);
  }

  /** Opens one connection with the given resources, adding what closes it (in opening order) to {@code closers}. */
  private interface LaneConnector {
    RedisClusterAsyncCommands<byte[], byte[]> connect(ClientResources resources, List<Runnable> closers);
  }

  /** One connection per lane of {@code where}, then the write script; on failure closes all it opened. */
  private static RedisOnlineStore connectLanes(RedisLanes where, LaneConnector connector,
      ToIntFunction<byte[]> slotOf, Duration timeout, KeyExpiry expiry, String action) {
    ClientResources shared = DefaultClientResources.create();
    List<Lane> lanes = new ArrayList<>();
    List<Runnable> closers = new ArrayList<>();
    Runnable closeAll = closeAll(closers, shared);
    try {
      for (int lane = 0; lane < where.count(); lane++) {
        ClientResources resources = where.resources(shared, lane);
        if (resources != shared) {
          closers.add(() -> resources.shutdown(0, 2, TimeUnit.SECONDS));
        }
        lanes.add(new Lane(connector.connect(resources, closers), where.loop(lane)));
      }
      return start(lanes, slotOf, timeout, closeAll, expiry);
    } catch (RuntimeException e) {
      closeAll.run();
      throw StoreFailures.translate(e, action);
    }
  }

  /**
   * Closes what {@code closers} opened, newest first (connections before their clients, clients before their
   * lane's resources), then {@code shared}.
   */
  private static Runnable closeAll(List<Runnable> closers, ClientResources shared) {
    return () -> {
      for (int i = closers.size() - 1; i >= 0; i--) {
        closers.get(i).run();
      }
      shared.shutdown(0, 2, TimeUnit.SECONDS);
    };
  }

  private static RedisOnlineStore start(
      List<Lane> lanes, ToIntFunction<byte[]> slotOf, Duration timeout, Runnable closer, KeyExpiry expiry) {
    // On a cluster Lettuce loads the script on every node; a node that joins later answers NOSCRIPT once and gets
    // it through the EVAL fallback of write. Every lane loads it, although one load would serve all, because on a
    // cluster that also opens the lane's connection to every node now, before any request needs it.
    String sha = null;
    for (Lane lane : lanes) {
      sha = LettuceFutures.awaitOrCancel(lane.commands().scriptLoad(SCRIPT_BYTES), timeout.toMillis(),
          TimeUnit.MILLISECONDS);
    }
    return new RedisOnlineStore(List.copyOf(lanes), slotOf, closer, sha, expiry);
  }

  /**
   * The commands of the connection whose I/O runs on the calling thread's event loop, so that the command is
   * written, answered and completed without leaving this thread; the first connection for any other thread.
   */
  private RedisClusterAsyncCommands<byte[], byte[]> commands() {
    for (int i = 0; i < lanes.size(); i++) {
      Lane lane = lanes.get(i);
      if (lane.loop() != null && lane.loop().inEventLoop()) {
        return lane.commands();
      }
    }
    return lanes.get(0).commands();
  }

  @Override
  public CompletionStage<Void> write(FeatureView view, List<FeatureRow> rows) {
    try {
      byte[] prefix = prefix(view);
      // Encode every row before sending any, so that a row the view refuses writes nothing of the call.
      List<Batches.Write<byte[]>> records = Batches.encodeLatest(view, rows, key -> key(prefix, key), expiry);
      List<CompletableFuture<Long>> writes = new ArrayList<>();
      // Issue every call before awaiting any: Lettuce writes them back to back on the connection (a pipeline).
      for (List<Batches.Write<byte[]>> group : bySlot(records)) {
        for (int from = 0; from < group.size(); from += KEYS_PER_CALL) {
          writes.add(writeScript(group.subList(from, Math.min(group.size(), from + KEYS_PER_CALL))));
        }
      }
      return StoreFailures.translate(
          CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)),
          "write " + rows.size() + " rows of view '" + view.name() + "' to Redis");
    } catch (RuntimeException e) {
      return StoreFailures.failed(e, "write rows of view '" + view.name() + "' to Redis");
    }
  }

  /** The writes grouped by the hash slot of their key, in first-seen order of the slots; one group standalone. */
  private Collection<List<Batches.Write<byte[]>>> bySlot(List<Batches.Write<byte[]>> records) {
    Map<Integer, List<Batches.Write<byte[]>>> groups = new LinkedHashMap<>();
    for (Batches.Write<byte[]> record : records) {
      groups.computeIfAbsent(slotOf.applyAsInt(record.key()), slot -> new ArrayList<>()).add(record);
    }
    return groups.values();
  }

  /** One script call for {@code group}, whose keys share a hash slot; completes with how many keys it replaced. */
  private CompletableFuture<Long> writeScript(List<Batches.Write<byte[]>> group) {
    byte[][] keys = new byte[group.size()][];
    byte[][] args = new byte[group.size() * 2][];
    for (int i = 0; i < group.size(); i++) {
      Batches.Write<byte[]> record = group.get(i);
      keys[i] = record.key();
      args[2 * i] = record.record();
      args[2 * i + 1] = record.expireAtMillis() == KeyExpiry.NEVER
          ? NO_EXPIRY
          : Long.toString(record.expireAtMillis()).getBytes(StandardCharsets.US_ASCII);
    }
    RedisClusterAsyncCommands<byte[], byte[]> commands = commands();
    return commands.<Long>evalsha(scriptSha, ScriptOutputType.INTEGER, keys, args)
        .exceptionallyCompose(failure -> isNoScript(failure)
            // The script cache was flushed or a failover lost it: EVAL sends the body and caches it again.
            ? commands.<Long>eval(SCRIPT_BYTES, ScriptOutputType.INTEGER, keys, args)
            : CompletableFuture.failedFuture(failure))
        .toCompletableFuture();
  }

  @Override
  public <T> CompletionStage<T> readDecoded(
      FeatureView view, List<EntityKey> keys, Function<List<byte[]>, T> decoder) {
    return StoreFailures.translate(readRecords(view, keys).thenApply(decoder),
        "read " + keys.size() + " keys of view '" + view.name() + "' from Redis");
  }

  /**
   * The stored records of {@code keys}, undecoded, parallel to them with null where a key has none: one MGET. The
   * hot tier ({@link TieredOnlineStore}) caches these bytes as they are.
   */
  CompletionStage<List<byte[]>> readRecords(FeatureView view, List<EntityKey> keys) {
    try {
      if (keys.isEmpty()) {
        return CompletableFuture.completedFuture(List.of());
      }
      byte[] prefix = prefix(view);
      byte[][] redisKeys = new byte[keys.size()][];
      for (int i = 0; i < keys.size(); i++) {
        redisKeys[i] = key(prefix, keys.get(i));
      }
      return StoreFailures.translate(
          commands().mget(redisKeys).thenApply(values -> {
            List<byte[]> records = new ArrayList<>(keys.size());
            for (KeyValue<byte[], byte[]> value : values) {
              records.add(value.hasValue() ? value.getValue() : null);
            }
            return records;
          }),
          "read " + keys.size() + " keys of view '" + view.name() + "' from Redis");
    } catch (RuntimeException e) {
      return StoreFailures.failed(e, "read keys of view '" + view.name() + "' from Redis");
    }
  }

  @Override
  public void close() {
    closer.run();
  }

  static byte[] prefix(FeatureView view) {
    return ("fs:" + view.name() + ":").getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] key(byte[] prefix, EntityKey key) {
    byte[] encoded = RecordCodec.encodeKey(key);
    byte[] full = new byte[prefix.length + encoded.length];
    System.arraycopy(prefix, 0, full, 0, prefix.length);
    System.arraycopy(encoded, 0, full, prefix.length, encoded.length);
    return full;
  }

  private static boolean isNoScript(Throwable failure) {
    Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
        ? failure.getCause()
        : failure;
    return cause instanceof RedisNoScriptException
        || (cause.getMessage() != null && cause.getMessage().startsWith("NOSCRIPT"));
  }
}
