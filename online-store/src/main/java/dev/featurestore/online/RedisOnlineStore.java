package dev.featurestore.online;

import dev.featurestore.api.data.EntityKey;
import dev.featurestore.api.data.FeatureRow;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.online.spi.OnlineStore;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The online store on Redis through Lettuce's async API: key {@code fs:<view>:} followed by the encoded entity key,
 * value the encoded record. Writes run a Lua script that compares the 16-byte record headers on the server, so
 * event-time-wins holds whatever the number of writers; the rows of one call are pipelined on the one connection.
 * Reads are one MGET per call.
 */
final class RedisOnlineStore implements OnlineStore {
  /**
   * Replaces the value only when the incoming header (flipped-sign big-endian event and created timestamps) is not
   * smaller than the stored one. Compares byte by byte with string.byte because Lua's string comparison follows
   * the server's collation locale, which need not be bytewise.
   */
  static final String WRITE_SCRIPT = String.join("\n",
      "local incoming = ARGV[1]",
      "local stored = redis.call('GET', KEYS[1])",
      "if stored then",
      "  for i = 1, 16 do",
      "    local a = string.byte(incoming, i)",
      "    local b = string.byte(stored, i)",
      "    if a ~= b then",
      "      if a < b then return 0 end",
      "      break",
      "    end",
      "  end",
      "end",
      "redis.call('SET', KEYS[1], incoming)",
      "return 1");

  private static final byte[] SCRIPT_BYTES = WRITE_SCRIPT.getBytes(StandardCharsets.UTF_8);

  private final RedisClient client;
  private final StatefulRedisConnection<byte[], byte[]> connection;
  private final RedisAsyncCommands<byte[], byte[]> commands;
  private final String scriptSha;

  private RedisOnlineStore(
      RedisClient client, StatefulRedisConnection<byte[], byte[]> connection, String scriptSha) {
    this.client = client;
    this.connection = connection;
    this.commands = connection.async();
    this.scriptSha = scriptSha;
  }

  /** Connects and loads the write script; blocks until both are done or the URI's timeout passes. */
  static RedisOnlineStore connect(RedisURI uri) {
    RedisClient client = RedisClient.create(uri);
    // Fail fast while disconnected instead of queueing commands until the timeout: the caller sees Unavailable.
    client.setOptions(ClientOptions.builder()
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .build());
    try {
      StatefulRedisConnection<byte[], byte[]> connection = client.connect(ByteArrayCodec.INSTANCE);
      try {
        String sha = connection.sync().scriptLoad(SCRIPT_BYTES);
        return new RedisOnlineStore(client, connection, sha);
      } catch (RuntimeException e) {
        connection.close();
        throw e;
      }
    } catch (RuntimeException e) {
      client.shutdown();
      throw StoreFailures.translate(e, "connect to Redis at " + uri.toString());
    }
  }

  @Override
  public CompletionStage<Void> write(FeatureView view, List<FeatureRow> rows) {
    try {
      byte[] prefix = prefix(view);
      // Encode every row before sending any, so that a row the view refuses writes nothing of the call.
      Map<byte[], byte[]> records = Batches.encodeLatest(view, rows, key -> key(prefix, key));
      List<CompletableFuture<Long>> writes = new ArrayList<>(records.size());
      // Issue every command before awaiting any: Lettuce writes them back to back on the connection (a pipeline).
      for (Map.Entry<byte[], byte[]> entry : records.entrySet()) {
        byte[][] keys = {entry.getKey()};
        byte[] record = entry.getValue();
        CompletionStage<Long> write = commands.<Long>evalsha(scriptSha, ScriptOutputType.INTEGER, keys, record)
            .exceptionallyCompose(failure -> isNoScript(failure)
                // The script cache was flushed or a failover lost it: EVAL sends the body and caches it again.
                ? commands.<Long>eval(SCRIPT_BYTES, ScriptOutputType.INTEGER, keys, record)
                : CompletableFuture.failedFuture(failure));
        writes.add(write.toCompletableFuture());
      }
      return StoreFailures.translate(
          CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)),
          "write " + rows.size() + " rows of view '" + view.name() + "' to Redis");
    } catch (RuntimeException e) {
      return StoreFailures.failed(e, "write rows of view '" + view.name() + "' to Redis");
    }
  }

  @Override
  public CompletionStage<List<FeatureRow>> read(FeatureView view, List<EntityKey> keys) {
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
          commands.mget(redisKeys).thenApply(values -> {
            List<FeatureRow> rows = new ArrayList<>(keys.size());
            for (int i = 0; i < keys.size(); i++) {
              KeyValue<byte[], byte[]> value = values.get(i);
              rows.add(value.hasValue() ? RecordCodec.decode(keys.get(i), value.getValue(), view) : null);
            }
            return rows;
          }),
          "read " + keys.size() + " keys of view '" + view.name() + "' from Redis");
    } catch (RuntimeException e) {
      return StoreFailures.failed(e, "read keys of view '" + view.name() + "' from Redis");
    }
  }

  @Override
  public void close() {
    connection.close();
    client.shutdown();
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
