package dev.featurestore.online;

import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.awaitility.Awaitility;

/**
 * A real Redis Cluster for tests: three masters, each a {@code redis-server --cluster-enabled yes} process on free
 * loopback ports (client port and cluster bus port chosen apart, so the bus port need not be port + 10000), without
 * persistence, the 16384 slots split in three ranges. Built from Java with Lettuce (CLUSTER ADDSLOTSRANGE, CLUSTER
 * MEET), without {@code redis-cli}; needs {@code redis-server} 7.0 or later on the PATH. Close it to stop the
 * processes and delete their node files.
 *
 * <pre>{@code
 * try (RedisClusterProcess cluster = RedisClusterProcess.start()) {
 *   OnlineStore store = OnlineStores.open(cluster.uri());
 * }
 * }</pre>
 */
public final class RedisClusterProcess implements AutoCloseable {
  private static final int SLOTS = 16384;
  private static final int MASTERS = 3;

  private final Path dir;
  private final List<RedisServerProcess> nodes = new ArrayList<>();

  private RedisClusterProcess(Path dir) {
    this.dir = dir;
  }

  /** Starts the three masters, assigns the slots, joins them and waits until every node reports cluster_state:ok. */
  public static RedisClusterProcess start() {
    Path dir;
    try {
      dir = Files.createTempDirectory("redis-cluster");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create a directory for the Redis Cluster", e);
    }
    RedisClusterProcess cluster = new RedisClusterProcess(dir);
    try {
      List<Integer> busPorts = new ArrayList<>();
      for (int i = 0; i < MASTERS; i++) {
        int port = RedisServerProcess.freePort();
        int busPort = RedisServerProcess.freePort();
        busPorts.add(busPort);
        cluster.nodes.add(RedisServerProcess.start(port, List.of(
            "--cluster-enabled", "yes",
            "--cluster-config-file", dir.resolve("nodes-" + port + ".conf").toString(),
            "--cluster-port", String.valueOf(busPort),
            "--dir", dir.toString())));
      }
      cluster.form(busPorts);
      return cluster;
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  private void form(List<Integer> busPorts) {
    RedisClient client = RedisClient.create();
    try {
      List<StatefulRedisConnection<String, String>> connections = new ArrayList<>();
      for (RedisServerProcess node : nodes) {
        connections.add(client.connect(RedisURI.create("redis://127.0.0.1:" + node.port())));
      }
      for (int i = 0; i < MASTERS; i++) {
        int from = SLOTS * i / MASTERS;
        int to = SLOTS * (i + 1) / MASTERS - 1;
        connections.get(i).sync().clusterAddSlotsRange(Range.create(from, to));
      }
      // Every node meets the first; gossip tells them about each other. The bus port is given explicitly, since
      // it is not the default port + 10000.
      RedisCommands<String, String> first = connections.get(0).sync();
      for (int i = 1; i < MASTERS; i++) {
        first.dispatch(CommandType.CLUSTER, new StatusOutput<>(StringCodec.UTF8),
            new CommandArgs<>(StringCodec.UTF8).add("MEET").add("127.0.0.1").add(nodes.get(i).port())
                .add(busPorts.get(i)));
      }
      Awaitility.await("Redis Cluster on ports " + ports())
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> connections.stream().allMatch(connection -> {
            RedisCommands<String, String> commands = connection.sync();
            return commands.clusterInfo().contains("cluster_state:ok")
                && commands.clusterNodes().lines().filter(line -> line.contains("master")).count() == MASTERS;
          }));
      connections.forEach(StatefulRedisConnection::close);
    } finally {
      client.shutdown();
    }
  }

  /** The client ports of the masters. */
  public List<Integer> ports() {
    return nodes.stream().map(RedisServerProcess::port).toList();
  }

  /** The online store URI of the cluster, {@code redis-cluster://127.0.0.1:<port>,...} listing every master. */
  public String uri() {
    return "redis-cluster://" + nodes.stream().map(node -> "127.0.0.1:" + node.port())
        .collect(Collectors.joining(","));
  }

  /** Stops every node, waits for the processes to end and deletes the node files. */
  @Override
  public void close() {
    for (RedisServerProcess node : nodes) {
      node.close();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete " + dir, e);
    }
  }
}
