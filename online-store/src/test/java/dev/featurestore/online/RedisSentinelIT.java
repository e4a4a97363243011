package dev.featurestore.online;

import static org.assertj.core.api.Assertions.assertThat;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.data.EntityKey;
import dev.featurestore.api.data.FeatureRow;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.online.spi.OnlineStore;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The store through a {@code redis-sentinel://} URI: a real master ({@code redis-server}) and a real Sentinel
 * ({@code redis-server <conf> --sentinel}) on loopback ports, the Sentinel's config in a temporary directory (it
 * rewrites the file). Lettuce asks the Sentinel for the master and talks to the master.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisSentinelIT {
  private static final String MASTER = "fsmaster";

  private Path dir;
  private RedisServerProcess master;
  private RedisServerProcess sentinel;

  @BeforeAll
  void start() throws IOException {
    dir = Files.createTempDirectory("redis-sentinel");
    master = RedisServerProcess.start();
    Path config = dir.resolve("sentinel.conf");
    Files.writeString(config, String.join("\n",
        "dir " + dir,
        "sentinel monitor " + MASTER + " 127.0.0.1 " + master.port() + " 1",
        "sentinel down-after-milliseconds " + MASTER + " 5000",
        ""));
    sentinel = RedisServerProcess.start(RedisServerProcess.freePort(), List.of(config.toString(), "--sentinel"));
  }

  @AfterAll
  void stop() throws IOException {
    if (sentinel != null) {
      sentinel.close();
    }
    if (master != null) {
      master.close();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(file);
      }
    }
  }

  @Test
  void writeAndRead_throughSentinelUri_reachMaster() {
    FeatureView view = FeatureView.builder("sentinel_view").entity("user")
        .feature("version", ValueType.INT64).build();
    String uri = "redis-sentinel://127.0.0.1:" + sentinel.port() + "/0?timeout=10s#" + MASTER;

    try (OnlineStore store = OnlineStores.open(uri)) {
      store.write(view, List.of(new FeatureRow(EntityKey.of(7L), 200, 1, Map.of("version", 2L)),
          new FeatureRow(EntityKey.of(7L), 100, 1, Map.of("version", 1L)))).toCompletableFuture().join();

      List<FeatureRow> rows = store.read(view, List.of(EntityKey.of(7L), EntityKey.of(8L)))
          .toCompletableFuture().join();

      assertThat(rows.get(0).value("version")).isEqualTo(2L);
      assertThat(rows.get(1)).isNull();
    }
    RedisClient raw = RedisClient.create(master.uri());
    try (StatefulRedisConnection<String, String> connection = raw.connect()) {
      assertThat(connection.sync().dbsize()).as("the row is on the master").isEqualTo(1L);
    } finally {
      raw.shutdown();
    }
  }
}
