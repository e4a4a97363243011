package dev.featurestore.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What must not grow over a long run: heap used after a full GC, open file descriptors and threads of the servers'
 * JVM (asked of it, see {@link ServerProcess#resources}),
 * established TCP connections to the benchmark's servers (from {@code /proc/net/tcp*}, so Linux only; -1 elsewhere),
 * and the clients Redis counts.
 */
final class ResourceProbe {
  private final Set<Integer> serverPorts;
  private final Supplier<ServerProcess.Resources> server;
  private final LongSupplier redisClients;

  /** A snapshot at one moment. */
  record Snapshot(long heapUsedBytes, long openFiles, int threads, long tcpConnections, long redisClients) {

    static String header() {
      return String.format(Locale.ROOT, "  %-8s %14s %11s %8s %16s %14s", "", "server heap MiB", "open files",
          "threads", "TCP connections", "Redis clients");
    }

    String line(String label) {
      return String.format(Locale.ROOT, "  %-8s %14.1f %11d %8d %16d %14d", label, heapUsedBytes / 1048576.0,
          openFiles, threads, tcpConnections, redisClients);
    }
  }

  ResourceProbe(Set<Integer> serverPorts, Supplier<ServerProcess.Resources> server, LongSupplier redisClients) {
    this.serverPorts = Set.copyOf(serverPorts);
    this.server = server;
    this.redisClients = redisClients;
  }

  Snapshot snapshot() {
    ServerProcess.Resources resources = server.get();
    return new Snapshot(resources.heapUsedBytes(), resources.openFiles(), resources.threads(), tcpConnections(),
        redisClients.getAsLong());
  }

  /** Established connections whose local or remote port is one of the servers' (each counted from both ends). */
  private long tcpConnections() {
    long count = 0;
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      Path path = Path.of(table);
      if (!Files.isReadable(path)) {
        return -1;
      }
      try {
        List<String> lines = Files.readAllLines(path);
        for (String line : lines.subList(1, lines.size())) {
          String[] fields = line.trim().split("\\s+");
          // fields: sl local_address rem_address st ...; addresses are HEX_IP:HEX_PORT, state 01 is ESTABLISHED.
          if (fields.length > 3 && fields[3].equals("01")
              && (serverPorts.contains(port(fields[1])) || serverPorts.contains(port(fields[2])))) {
            count++;
          }
        }
      } catch (IOException | RuntimeException e) {
        return -1;
      }
    }
    return count;
  }

  private static int port(String address) {
    return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1), 16);
  }
}
