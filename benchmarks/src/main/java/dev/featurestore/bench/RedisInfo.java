package dev.featurestore.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;

/** What a benchmark asks its redis-server about itself (INFO), over a connection of its own. */
final class RedisInfo implements AutoCloseable {
  private final RedisClient client;
  private final StatefulRedisConnection<String, String> connection;

  private RedisInfo(RedisClient client, StatefulRedisConnection<String, String> connection) {
    this.client = client;
    this.connection = connection;
  }

  static RedisInfo connect(String uri) {
    RedisClient client = RedisClient.create(uri);
    try {
      return new RedisInfo(client, client.connect());
    } catch (RuntimeException e) {
      client.shutdown();
      throw e;
    }
  }

  /** Redis's CPU time so far (user + system, every thread), in nanoseconds; -1 if it does not say. */
  long cpuNanos() {
    return cpuNanos(section("cpu"));
  }

  /** The CPU time in an {@code INFO cpu} answer, in nanoseconds; -1 if it holds none. */
  static long cpuNanos(String infoCpu) {
    double seconds = 0;
    int found = 0;
    for (String line : infoCpu.split("\r?\n")) {
      if (line.startsWith("used_cpu_sys:") || line.startsWith("used_cpu_user:")) {
        seconds += Double.parseDouble(line.substring(line.indexOf(':') + 1).trim());
        found++;
      }
    }
    return found == 2 ? Math.round(seconds * 1e9) : -1;
  }

  /** One section of INFO, such as {@code commandstats}. */
  String section(String name) {
    return connection.sync().info(name);
  }

  /** Removes every key and resets the command statistics, for a measured run after a warm-up. */
  void empty() {
    connection.sync().flushall();
    connection.sync().configResetstat();
  }

  @Override
  public void close() {
    connection.close();
    client.shutdown();
  }
}
