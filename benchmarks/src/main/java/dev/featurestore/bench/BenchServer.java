package dev.featurestore.bench;

import dev.featurestore.api.definition.Definitions;
import dev.featurestore.online.OnlineStores;
import dev.featurestore.online.RedisServerProcess;
import dev.featurestore.online.server.OnlineServer;
import dev.featurestore.online.spi.OnlineStore;
import io.vertx.core.Vertx;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The server side of the benchmark, in a JVM of its own so that the load generator's work (building requests,
 * parsing answers, its garbage) does not run in the server's heap and threads: opens the stores, loads the data
 * through {@link OnlineStore#write}, starts one {@link OnlineServer} (deployed {@code --instances} times on one
 * port) per store, and talks to the generator ({@link ServerProcess}) over its standard streams.
 *
 * <p>Protocol: progress lines go to stderr; stdout carries {@code listening <target> <port>} per server, then
 * {@code ready}. Each {@code snapshot} line read from stdin is answered with
 * {@code snapshot <heap used after GC> <open files> <threads>}, each {@code cpu} line with {@code cpu <process CPU
 * nanoseconds>}; end of input stops everything and exits.
 */
@Command(name = "bench-server", mixinStandardHelpOptions = true,
    description = "The online servers of bench-online, in their own JVM (started by bench-online).")
public final class BenchServer implements Callable<Integer> {
  static final String SERVICE_REDIS = "service-redis";
  static final String SERVICE_HAZELCAST = "service-hazelcast";
  static final String SERVICE_HOT = "service-hot";
  static final String SERVICE_NEAR = "service-near";

  @Option(names = "--redis", required = true, description = "URI of the benchmark's redis-server.")
  String redis;

  @Option(names = "--targets", split = ",", required = true,
      description = "Servers to start, of service-redis, service-hazelcast, service-hot, service-near.")
  List<String> targets;

  @Option(names = "--views", split = ",", required = true, description = "Views to load.")
  List<String> views;

  @Option(names = "--entities", required = true)
  int entities;

  @Option(names = "--string-length", required = true)
  int stringLength;

  @Option(names = "--seed", required = true)
  long seed;

  @Option(names = "--event-micros", required = true)
  long eventMicros;

  @Option(names = "--batch", required = true)
  int batch;

  @Option(names = "--instances", required = true, description = "Server verticle instances per server.")
  int instances;

  public static void main(String[] args) {
    System.exit(new CommandLine(new BenchServer()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    PrintStream log = System.err;
    PrintStream control = System.out;
    Deque<AutoCloseable> resources = new ArrayDeque<>();
    try {
      // Vert.x first and closed last: the Redis stores run their connections on its event loops.
      Vertx vertx = Vertx.vertx();
      resources.push(() -> Futures.await(vertx.close().toCompletionStage(), "stop the servers"));
      Map<String, OnlineStore> stores = new LinkedHashMap<>();
      // The Redis store is opened for service-hot too: the data is loaded through it.
      OnlineStore redisStore = OnlineStores.open(redis, vertx);
      resources.push(redisStore);
      stores.put(SERVICE_REDIS, redisStore);
      if (targets.contains(SERVICE_HAZELCAST)) {
        int port = RedisServerProcess.freePort();
        OnlineStore store = OnlineStores.open(
            "hazelcast:embedded?cluster=bench-" + port + "&port=" + port + "&members=127.0.0.1:" + port);
        resources.push(store);
        stores.put(SERVICE_HAZELCAST, store);
        log.printf("started an embedded Hazelcast member on 127.0.0.1:%d%n", port);
      }
      BenchData data = new BenchData(stringLength, seed, eventMicros);
      log.printf("loading %d entities per view into %d store(s) through OnlineStore.write%n", entities,
          stores.size());
      Loader loader = new Loader(log, batch);
      for (String view : views) {
        loader.load(data, data.view(view), entities, List.copyOf(stores.values()));
      }
      if (targets.contains(SERVICE_HOT)) {
        // Reads the Redis data loaded above through a hot tier big enough for every key: the warm-up fills it, so
        // the measured run shows hits. Nothing is loaded through it, as it writes the same Redis keys.
        int port = RedisServerProcess.freePort();
        OnlineStore store = OnlineStores.open(redis + "?hotEntries=" + (entities * 3) + "&hotCluster=bench-hot-"
            + port + "&hotPort=" + port + "&hotMembers=127.0.0.1:" + port, vertx);
        resources.push(store);
        stores.put(SERVICE_HOT, store);
        log.printf("started a Hazelcast hot tier member on 127.0.0.1:%d in front of the same Redis%n", port);
      }
      if (targets.contains(SERVICE_NEAR)) {
        // The same, plus a near cache big enough for every key: the warm-up fills it, so the measured run shows hits.
        int port = RedisServerProcess.freePort();
        OnlineStore store = OnlineStores.open(redis + "?hotEntries=" + (entities * 3) + "&nearEntries=" + entities
            + "&hotCluster=bench-near-" + port + "&hotPort=" + port + "&hotMembers=127.0.0.1:" + port, vertx);
        resources.push(store);
        stores.put(SERVICE_NEAR, store);
        log.printf("started a hot tier member with a near cache on 127.0.0.1:%d in front of the same Redis%n", port);
      }

      Definitions definitions = data.definitions();
      for (String target : targets) {
        OnlineStore store = stores.get(target);
        int port = RedisServerProcess.freePort();
        OnlineServer.Builder server = OnlineServer.builder().host("127.0.0.1").port(port).instances(instances)
            .definitions(() -> definitions).store(store);
        if (target.equals(SERVICE_REDIS)) {
          server.service(GrpcFloor.service()); // for the grpc-floor target
        }
        Futures.await(server.deploy(vertx).toCompletionStage(), "start the server of " + target);
        log.printf("started the online server on %s at 127.0.0.1:%d (%d verticle instances)%n", target, port,
            instances);
        control.printf("listening %s %d%n", target, port);
      }
      control.println("ready");
      control.flush();
      serve(control);
      return 0;
    } finally {
      while (!resources.isEmpty()) {
        try {
          resources.pop().close();
        } catch (Exception e) {
          log.println("warning: cannot stop a benchmark resource: " + e.getMessage());
        }
      }
    }
  }

  /** Answers snapshot requests until the generator closes our input. */
  private static void serve(PrintStream control) throws java.io.IOException {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      if (line.trim().equals("cpu")) {
        long cpu = ManagementFactory.getOperatingSystemMXBean()
            instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : -1;
        control.printf("cpu %d%n", cpu);
        control.flush();
      } else if (line.trim().equals("snapshot")) {
        // Twice: the first collection may only queue finalizable or reference-processed objects.
        System.gc();
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        long files = ManagementFactory.getOperatingSystemMXBean()
            instanceof com.sun.management.UnixOperatingSystemMXBean unix ? unix.getOpenFileDescriptorCount() : -1;
        control.printf("snapshot %d %d %d%n", heap, files, ManagementFactory.getThreadMXBean().getThreadCount());
        control.flush();
      }
    }
  }

  /** The views the shapes read. */
  static List<String> viewsOf(List<Shape> shapes) {
    List<String> names = new ArrayList<>();
    for (Shape shape : shapes) {
      List<String> needed = switch (shape.kind()) {
        case WIDE -> List.of(BenchData.WIDE_VIEW);
        case RANKING -> List.of(BenchData.USER_VIEW, BenchData.ITEM_VIEW);
      };
      for (String view : needed) {
        if (!names.contains(view)) {
          names.add(view);
        }
      }
    }
    return names;
  }
}
