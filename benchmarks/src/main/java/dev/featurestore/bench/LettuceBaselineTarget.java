package dev.featurestore.bench;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The physical floor of a Redis-backed service: the same reads done directly with Lettuce, async and pipelined on
 * one connection, as one MGET per view of the same number of keys returning the same stored bytes, without
 * decoding them.
 *
 * <p>The keys are not built from the store's key layout (which is the online store's business and may change):
 * they are found with SCAN per view and sorted bytewise, and entity {@code i} of a request reads the {@code i}-th
 * key. With the current layout (prefix, then the big-endian id) that is exactly the key of entity {@code i}; with
 * any other it is still one distinct stored record of the view per entity.
 */
final class LettuceBaselineTarget implements Target {
  private final String name;
  private final RedisAsyncCommands<byte[], byte[]> commands;
  private final Map<String, byte[][]> keysByView = new HashMap<>();
  private final RedisCommands<byte[], byte[]> sync;

  LettuceBaselineTarget(String name, StatefulRedisConnection<byte[], byte[]> connection) {
    this.name = name;
    this.commands = connection.async();
    this.sync = connection.sync();
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Caller prepare(Shape shape, RequestPool pool) {
    int size = pool.size();
    byte[][][] first = new byte[size][][];
    byte[][][] second = shape.kind() == Shape.Kind.RANKING ? new byte[size][][] : null;
    for (int i = 0; i < size; i++) {
      switch (shape.kind()) {
        case WIDE -> first[i] = keys(BenchData.WIDE_VIEW, pool.entities(i));
        case RANKING -> {
          first[i] = keys(BenchData.USER_VIEW, new long[] {pool.user(i)});
          second[i] = keys(BenchData.ITEM_VIEW, pool.entities(i));
        }
      }
    }
    return new Caller() {
      @Override
      public void call(int index, Consumer<Throwable> done) {
        RedisFuture<List<KeyValue<byte[], byte[]>>> a = commands.mget(first[index]);
        if (second == null) {
          a.whenComplete((values, failure) -> done.accept(failure));
          return;
        }
        // Both MGETs are written back to back before either answer is awaited: one pipelined exchange.
        RedisFuture<List<KeyValue<byte[], byte[]>>> b = commands.mget(second[index]);
        CompletableFuture.allOf(a.toCompletableFuture(), b.toCompletableFuture())
            .whenComplete((values, failure) -> done.accept(failure));
      }

      @Override
      public void verify(int index) {
        checkPresent(Futures.await(commands.mget(first[index]), "read Redis"));
        if (second != null) {
          checkPresent(Futures.await(commands.mget(second[index]), "read Redis"));
        }
      }
    };
  }

  private void checkPresent(List<KeyValue<byte[], byte[]>> values) {
    for (KeyValue<byte[], byte[]> value : values) {
      if (!value.hasValue()) {
        throw new IllegalStateException("Cannot use " + name + ": key "
            + new String(value.getKey(), StandardCharsets.ISO_8859_1) + " has no value");
      }
    }
  }

  private byte[][] keys(String view, long[] ids) {
    byte[][] all = keysByView.computeIfAbsent(view, this::scan);
    byte[][] keys = new byte[ids.length][];
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] >= all.length) {
        throw new IllegalStateException("Cannot read entity " + ids[i] + " of view '" + view + "' directly: Redis"
            + " holds only " + all.length + " keys of it");
      }
      keys[i] = all[(int) ids[i]];
    }
    return keys;
  }

  private byte[][] scan(String view) {
    List<byte[]> found = new ArrayList<>();
    ScanArgs args = ScanArgs.Builder.matches("*" + view + "*").limit(1000);
    KeyScanCursor<byte[]> cursor = sync.scan(args);
    found.addAll(cursor.getKeys());
    while (!cursor.isFinished()) {
      cursor = sync.scan(ScanCursor.of(cursor.getCursor()), args);
      found.addAll(cursor.getKeys());
    }
    if (found.isEmpty()) {
      throw new IllegalStateException("Cannot read view '" + view + "' directly: no Redis key matches *" + view
          + "*");
    }
    String type = sync.type(found.get(0));
    if (!"string".equals(type)) {
      throw new IllegalStateException("Cannot read view '" + view + "' directly with MGET: its keys are of Redis"
          + " type " + type + "; teach LettuceBaselineTarget that layout");
    }
    byte[][] keys = found.toArray(byte[][]::new);
    Arrays.sort(keys, Arrays::compareUnsigned);
    return keys;
  }
}
