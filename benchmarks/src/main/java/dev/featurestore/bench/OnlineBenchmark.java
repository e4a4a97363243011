package dev.featurestore.bench;

import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.online.OnlineStores;
import dev.featurestore.online.server.OnlineServer;
import dev.featurestore.online.spi.OnlineStore;
import dev.featurestore.proto.v1.OnlineServiceGrpcClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientOptions;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The online tier's benchmark: in one run and on the same data, the published request shapes against the service
 * over gRPC on Redis, against raw Lettuce reads of the same Redis (the physical floor), and against the service on
 * an embedded Hazelcast member, each at a fixed rate with an open-loop generator ({@link OpenLoop}). Starts
 * everything it needs on loopback (its own redis-server from the PATH, the Hazelcast member, the servers) and stops
 * it at the end.
 *
 * <p>Everything shares this machine: the generator, the servers, Hazelcast and Redis compete for the same cores,
 * which the figures include.
 */
@Command(name = "bench-online", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Open-loop latency benchmark of the online service against raw Redis reads on the same data.",
        "Prints p50/p90/p99/p99.9/max per shape and target (ms, measured from the intended send time),",
        "the ratio service/baseline, and heap and connections before and after."})
public final class OnlineBenchmark implements Callable<Integer> {
  private static final String SERVICE_REDIS = "service-redis";
  private static final String BASELINE_REDIS = "baseline-redis";
  private static final String SERVICE_HAZELCAST = "service-hazelcast";
  private static final String SERVICE_HOT = "service-hot";
  private static final String SERVICE_NEAR = "service-near";
  private static final Duration SETTLE = Duration.ofMinutes(2);

  @Option(names = "--entities", description = "Entities loaded per view (default: ${DEFAULT-VALUE}).")
  int entities = 100_000;

  @Option(names = "--duration", converter = DurationConverter.class,
      description = "Measured time per shape and target, e.g. 20s or 5m (default: 20s).")
  Duration duration = Duration.ofSeconds(20);

  @Option(names = "--warmup", converter = DurationConverter.class,
      description = "Unmeasured time before each measured run, at its rate (default: 10s).")
  Duration warmup = Duration.ofSeconds(10);

  @Option(names = "--shapes", split = ",",
      description = "Shapes to run, of 1x250, 1x50, 10x50, 50x50, 100x50, ranking (default: all).")
  List<String> shapes = new ArrayList<>();

  @Option(names = "--targets", split = ",",
      description = "Targets, of service-redis, baseline-redis, service-hazelcast, service-hot (Hazelcast hot tier "
          + "in front of the same Redis), service-near (the hot tier with a near cache) (default: all).")
  List<String> targets =
      new ArrayList<>(List.of(SERVICE_REDIS, BASELINE_REDIS, SERVICE_HAZELCAST, SERVICE_HOT, SERVICE_NEAR));

  @Option(names = "--rate-scale", description = "Multiplies every shape's rate (default: ${DEFAULT-VALUE}).")
  double rateScale = 1.0;

  @Option(names = "--string-length", description = "Characters of each STRING value (default: ${DEFAULT-VALUE}).")
  int stringLength = 32;

  @Option(names = "--pool", description = "Distinct requests drawn per shape, sent round robin (default: "
      + "${DEFAULT-VALUE}; fewer for big requests).")
  int pool = 1024;

  @Option(names = "--batch", description = "Rows per write while loading (default: ${DEFAULT-VALUE}).")
  int batch = 250;

  @Option(names = "--seed", description = "Seed of the data and the requests (default: ${DEFAULT-VALUE}).")
  long seed = 42;

  @Option(names = "--redis-server", description = "The redis-server binary (default: ${DEFAULT-VALUE} on the PATH).")
  String redisServer = "redis-server";

  @Option(names = "--drain", converter = DurationConverter.class,
      description = "How long to wait for answers after the last send before counting them as errors (default: 10s).")
  Duration drain = Duration.ofSeconds(10);

  private final PrintStream out = System.out;

  public static void main(String[] args) {
    System.exit(new CommandLine(new OnlineBenchmark()).execute(args));
  }

  @Override
  public Integer call() {
    List<Shape> selected = selectShapes();
    checkTargets();
    if (entities < 1 || batch < 1 || pool < 1 || stringLength < 0 || !(rateScale > 0)) {
      throw new CommandLine.ParameterException(new CommandLine(this),
          "Cannot run: --entities, --batch, --pool and --rate-scale must be positive, --string-length >= 0");
    }
    Deque<AutoCloseable> resources = new ArrayDeque<>();
    try {
      return run(selected, resources);
    } finally {
      closeAll(resources);
    }
  }

  private int run(List<Shape> selected, Deque<AutoCloseable> resources) {
    Runtime runtime = Runtime.getRuntime();
    out.printf(Locale.ROOT, "bench-online: %d entities per view, %s measured after %s warm-up per run, Java %s,"
            + " %d cores, max heap %d MiB%n", entities, text(duration), text(warmup),
        System.getProperty("java.version"), runtime.availableProcessors(), runtime.maxMemory() >> 20);
    out.println("The generator, the servers, Hazelcast and Redis all share this machine's cores.");

    RedisProcess redis = RedisProcess.start(redisServer);
    resources.push(redis);
    out.printf("started redis-server on 127.0.0.1:%d%n", redis.port());
    Map<String, OnlineStore> stores = new LinkedHashMap<>();
    if (targets.contains(SERVICE_REDIS) || targets.contains(BASELINE_REDIS) || targets.contains(SERVICE_HOT)
        || targets.contains(SERVICE_NEAR)) {
      OnlineStore store = OnlineStores.open(redis.uri());
      resources.push(store);
      stores.put(SERVICE_REDIS, store);
    }
    if (targets.contains(SERVICE_HAZELCAST)) {
      int port = RedisProcess.freePort();
      OnlineStore store = OnlineStores.open(
          "hazelcast:embedded?cluster=bench-" + port + "&port=" + port + "&members=127.0.0.1:" + port);
      resources.push(store);
      stores.put(SERVICE_HAZELCAST, store);
      out.printf("started an embedded Hazelcast member on 127.0.0.1:%d%n", port);
    }

    BenchData data = new BenchData(stringLength, seed, Instant.now().toEpochMilli() * 1000);
    load(data, selected, List.copyOf(stores.values()));
    if (targets.contains(SERVICE_HOT)) {
      // Reads the Redis data loaded above through a hot tier big enough for every key: the warm-up fills it, so the
      // measured run shows hits. Nothing is loaded through it, as it writes the same Redis keys.
      int port = RedisProcess.freePort();
      OnlineStore store = OnlineStores.open(redis.uri() + "?hotEntries=" + (entities * 3) + "&hotCluster=bench-hot-"
          + port + "&hotPort=" + port + "&hotMembers=127.0.0.1:" + port);
      resources.push(store);
      stores.put(SERVICE_HOT, store);
      out.printf("started a Hazelcast hot tier member on 127.0.0.1:%d in front of the same Redis%n", port);
    }
    if (targets.contains(SERVICE_NEAR)) {
      // The same, plus a near cache big enough for every key: the warm-up fills it, so the measured run shows hits.
      int port = RedisProcess.freePort();
      OnlineStore store = OnlineStores.open(redis.uri() + "?hotEntries=" + (entities * 3) + "&nearEntries=" + entities
          + "&hotCluster=bench-near-" + port + "&hotPort=" + port + "&hotMembers=127.0.0.1:" + port);
      resources.push(store);
      stores.put(SERVICE_NEAR, store);
      out.printf("started a hot tier member with a near cache on 127.0.0.1:%d in front of the same Redis%n", port);
    }

    Vertx serverVertx = Vertx.vertx();
    resources.push(() -> Futures.await(serverVertx.close().toCompletionStage(), "stop the servers"));
    Vertx clientVertx = Vertx.vertx();
    resources.push(() -> Futures.await(clientVertx.close().toCompletionStage(), "stop the clients"));
    // A ranking answer (500 rows x 60 values) is well over the client's default 256 KiB message limit.
    GrpcClient grpc = GrpcClient.client(clientVertx, new GrpcClientOptions().setMaxMessageSize(64L << 20));
    Definitions definitions = data.definitions();
    Set<Integer> ports = new HashSet<>(List.of(redis.port()));
    Map<String, Target> byName = new LinkedHashMap<>();
    for (Map.Entry<String, OnlineStore> store : stores.entrySet()) {
      if (!targets.contains(store.getKey())) {
        continue;
      }
      OnlineServer server = OnlineServer.builder().host("127.0.0.1").port(0)
          .definitions(() -> definitions).store(store.getValue()).build();
      Futures.await(serverVertx.deployVerticle(server).toCompletionStage(), "start the server of " + store.getKey());
      ports.add(server.actualPort());
      out.printf("started the online server on %s at 127.0.0.1:%d%n", store.getKey(), server.actualPort());
      byName.put(store.getKey(), new GrpcServiceTarget(store.getKey(),
          OnlineServiceGrpcClient.create(grpc, SocketAddress.inetSocketAddress(server.actualPort(), "127.0.0.1")),
          clientVertx.getOrCreateContext()));
    }
    RedisClient lettuce = RedisClient.create(redis.uri());
    resources.push(lettuce::shutdown);
    StatefulRedisConnection<byte[], byte[]> connection = lettuce.connect(ByteArrayCodec.INSTANCE);
    resources.push(connection);
    byName.put(BASELINE_REDIS, new LettuceBaselineTarget(BASELINE_REDIS, connection));

    ResourceProbe probe = new ResourceProbe(ports, () -> redisClients(connection));
    ResourceProbe.Snapshot before = null;
    OpenLoop loop = new OpenLoop(drain);
    Report report = new Report(out);
    // One checked call per target first, so every connection is open before the 'before' snapshot.
    RequestPool first = RequestPool.draw(selected.get(0), entities, 1, seed);
    for (String name : targets) {
      byName.get(name).prepare(selected.get(0), first).verify(0);
    }
    for (Shape shape : selected) {
      RequestPool requests = RequestPool.draw(shape, entities, poolSize(shape), seed);
      report.shapeStarted(shape, text(duration) + " after " + text(warmup) + " warm-up");
      for (String name : targets) {
        Target target = byName.get(name);
        Caller caller = target.prepare(shape, requests);
        caller.verify(0);
        if (!warmup.isZero()) {
          loop.run(caller, requests.size(), shape.rate(), warmup);
          settle(loop, name);
        }
        if (before == null) {
          before = probe.snapshot();
        }
        report.add(shape, name, loop.run(caller, requests.size(), shape.rate(), duration));
        settle(loop, name);
      }
      report.shapeEnded(shape);
    }
    report.summary();
    ResourceProbe.Snapshot after = probe.snapshot();
    out.printf("%nresources (after a full GC; 'before' is after the first warm-up)%n");
    out.println(ResourceProbe.Snapshot.header());
    out.println(before.line("before"));
    out.println(after.line("after"));
    out.flush();
    return 0;
  }

  /** An overloaded target is still answering when a run ends: let it finish before anything else is measured. */
  private void settle(OpenLoop loop, String target) {
    long unanswered = loop.awaitIdle(Duration.ZERO);
    if (unanswered > 0) {
      out.printf("      (waiting for %d unanswered requests of %s before the next run)%n", unanswered, target);
      out.flush();
      unanswered = loop.awaitIdle(SETTLE);
      if (unanswered > 0) {
        out.printf("      (%d still unanswered after %d s; the next runs are disturbed by them)%n", unanswered,
            SETTLE.toSeconds());
      }
    }
  }

  private void load(BenchData data, List<Shape> selected, List<OnlineStore> stores) {
    Set<String> views = new java.util.LinkedHashSet<>();
    for (Shape shape : selected) {
      switch (shape.kind()) {
        case WIDE -> views.add(BenchData.WIDE_VIEW);
        case RANKING -> {
          views.add(BenchData.USER_VIEW);
          views.add(BenchData.ITEM_VIEW);
        }
      }
    }
    out.printf("loading %d entities per view into %d store(s) through OnlineStore.write%n", entities, stores.size());
    Loader loader = new Loader(out, batch);
    for (String name : views) {
      FeatureView view = data.view(name);
      loader.load(data, view, entities, stores);
    }
  }

  private List<Shape> selectShapes() {
    List<Shape> all = Shape.published();
    List<Shape> selected = new ArrayList<>();
    if (shapes.isEmpty()) {
      selected.addAll(all);
    } else {
      for (String name : shapes) {
        selected.add(all.stream().filter(s -> s.name().equals(name.trim())).findFirst()
            .orElseThrow(() -> new CommandLine.ParameterException(new CommandLine(this),
                "Cannot run shape '" + name + "': expected one of "
                    + all.stream().map(Shape::name).toList())));
      }
    }
    return selected.stream().map(s -> s.withRate(s.rate() * rateScale)).toList();
  }

  private void checkTargets() {
    List<String> known = List.of(SERVICE_REDIS, BASELINE_REDIS, SERVICE_HAZELCAST, SERVICE_HOT, SERVICE_NEAR);
    for (String target : targets) {
      if (!known.contains(target)) {
        throw new CommandLine.ParameterException(new CommandLine(this),
            "Cannot run target '" + target + "': expected one of " + known);
      }
    }
  }

  /** Big requests need fewer distinct ones to spread over the data, and each costs memory for every target. */
  private int poolSize(Shape shape) {
    return Math.max(16, Math.min(pool, 100_000 / shape.entities()));
  }

  private static long redisClients(StatefulRedisConnection<byte[], byte[]> connection) {
    String info = connection.sync().info("clients");
    for (String line : info.split("\r?\n")) {
      if (line.startsWith("connected_clients:")) {
        return Long.parseLong(line.substring("connected_clients:".length()).trim());
      }
    }
    return -1;
  }

  private static String text(Duration duration) {
    long millis = duration.toMillis();
    if (millis % 60_000 == 0 && millis > 0) {
      return millis / 60_000 + " min";
    }
    return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
  }

  private void closeAll(Deque<AutoCloseable> resources) {
    while (!resources.isEmpty()) {
      try {
        resources.pop().close();
      } catch (Exception e) {
        out.println("warning: cannot stop a benchmark resource: " + e.getMessage());
      }
    }
  }
}
