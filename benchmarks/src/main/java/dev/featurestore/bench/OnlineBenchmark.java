package dev.featurestore.bench;

import dev.featurestore.online.RedisServerProcess;
import dev.featurestore.proto.v1.OnlineServiceGrpcClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedDeque;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The online tier's benchmark: in one run and on the same data, the published request shapes against the service
 * over gRPC on Redis, against raw Lettuce reads of the same Redis (the physical floor), and against the service on
 * an embedded Hazelcast member, each at a fixed rate with an open-loop generator ({@link OpenLoop}). Starts
 * everything it needs on loopback (its own redis-server from the PATH; the stores, the data load and the servers in
 * a JVM of their own, {@link BenchServer}) and stops it at the end. The baseline reads Redis from this JVM.
 *
 * <p>Everything shares this machine: the generator, the servers, Hazelcast and Redis compete for the same cores,
 * which the figures include; only heap, GC and threads are separate.
 */
@Command(name = "bench-online", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Open-loop latency benchmark of the online service against raw Redis reads on the same data.",
        "Prints p50/p90/p99/p99.9/max per shape and target (ms, measured from the intended send time),",
        "the ratio service/baseline, and heap and connections before and after."})
public final class OnlineBenchmark implements Callable<Integer> {
  private static final String SERVICE_REDIS = "service-redis";
  private static final String BASELINE_REDIS = "baseline-redis";
  /** This JVM, the load generator: its CPU time per run. */
  private static final com.sun.management.OperatingSystemMXBean GENERATOR_OS =
      (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

  private static final String SERVICE_HAZELCAST = "service-hazelcast";
  private static final String SERVICE_HOT = "service-hot";
  private static final String SERVICE_HTTP = "service-http";
  private static final String SERVICE_NEAR = "service-near";
  private static final String GRPC_FLOOR = "grpc-floor";
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
      description = "Targets, of service-redis, baseline-redis, service-http (the service-redis server over "
          + "HTTP/JSON), service-hazelcast, service-hot (Hazelcast hot tier in front of the same Redis), "
          + "service-near (the hot tier with a near cache), grpc-floor (a bare gRPC exchange of the shape's request"
          + " and answer sizes with the service-redis server, no work between) (default: all).")
  List<String> targets = new ArrayList<>(List.of(
      SERVICE_REDIS, BASELINE_REDIS, GRPC_FLOOR, SERVICE_HTTP, SERVICE_HAZELCAST, SERVICE_HOT, SERVICE_NEAR));

  @Option(names = "--rate-scale", description = "Multiplies every shape's rate (default: ${DEFAULT-VALUE}).")
  double rateScale = 1.0;

  @Option(names = "--string-length", description = "Characters of each STRING value (default: ${DEFAULT-VALUE}).")
  int stringLength = 32;

  /** Entity rows of all distinct requests of one shape at most (see {@link #poolSize}). */
  static final int POOL_ENTITY_ROWS = 20_000;

  @Option(names = "--pool", description = "Distinct requests drawn per shape, sent round robin (default: "
      + "${DEFAULT-VALUE}; fewer for big requests).")
  int pool = 1024;

  @Option(names = "--batch", description = "Rows per write while loading (default: ${DEFAULT-VALUE}).")
  int batch = 250;

  @Option(names = "--seed", description = "Seed of the data and the requests (default: ${DEFAULT-VALUE}).")
  long seed = 42;

  @Option(names = "--redis-server", description = "The redis-server binary (default: ${DEFAULT-VALUE} on the PATH).")
  String redisServer = "redis-server";

  @Option(names = "--instances", description = "Verticle instances of each online server, sharing its port "
      + "(default: the cores of this machine, ${DEFAULT-VALUE}).")
  int instances = Runtime.getRuntime().availableProcessors();

  @Option(names = "--server-java-options", description = "JVM options of the servers' JVM "
      + "(default: ${DEFAULT-VALUE}).")
  String serverJavaOptions = "-Xms4g -Xmx4g -XX:+AlwaysPreTouch";

  @Option(names = "--soak", converter = DurationConverter.class,
      description = "Instead of the comparison, send the first shape to the first target for this long (e.g. 5m),"
          + " printing latency and the servers' heap after GC, open files, threads and connections every minute.")
  Duration soak = Duration.ZERO;

  @Option(names = "--http-connections", description = "HTTP/1.1 connections of service-http "
      + "(default: ${DEFAULT-VALUE}).")
  int httpConnections = 16;

  @Option(names = "--drain", converter = DurationConverter.class,
      description = "How long to wait for answers after the last send before counting them as errors (default: 10s).")
  Duration drain = Duration.ofSeconds(10);

  @Option(names = "--distinct-keys", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "gRPC requests ask for distinct_keys: a view whose key the entity rows share (the ranking"
          + " shape's user) answers once per key (default: ${DEFAULT-VALUE}; --no-distinct-keys for once per row).")
  boolean distinctKeys = true;

  @Option(names = "--trace-dir", description = "Also write, per shape and target, each request's intended send time"
      + " and latency (ms) to <shape>-<target>.txt in this directory, to see when in a run the slow ones were.")
  Path traceDir;

  private final PrintStream out = System.out;
  private final ServerTimes serverTimes = new ServerTimes();

  public static void main(String[] args) {
    System.exit(new CommandLine(new OnlineBenchmark()).execute(args));
  }

  @Override
  public Integer call() {
    List<Shape> selected = selectShapes();
    checkTargets();
    if (entities < 1 || batch < 1 || pool < 1 || instances < 1 || stringLength < 0 || !(rateScale > 0)) {
      throw new CommandLine.ParameterException(new CommandLine(this), "Cannot run: --entities, --batch, --pool,"
          + " --instances and --rate-scale must be positive, --string-length >= 0");
    }
    Deque<AutoCloseable> resources = new ConcurrentLinkedDeque<>();
    // Ctrl-C or a kill still stops the redis-server and server JVM this run started.
    Thread stopper = new Thread(() -> closeAll(resources), "bench-online-stop");
    Runtime.getRuntime().addShutdownHook(stopper);
    try {
      return run(selected, resources);
    } finally {
      closeAll(resources);
      try {
        Runtime.getRuntime().removeShutdownHook(stopper);
      } catch (IllegalStateException shuttingDown) {
        // The hook is running or ran: nothing left to stop.
      }
    }
  }

  private void writeTrace(OpenLoop.Result result, Shape shape, String target) {
    try {
      Files.createDirectories(traceDir);
      result.writeTrace(traceDir.resolve(shape.name() + "-" + target + ".txt"), shape.rate());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the trace of " + shape.name() + " on " + target, e);
    }
  }

  private int run(List<Shape> selected, Deque<AutoCloseable> resources) {
    Runtime runtime = Runtime.getRuntime();
    out.printf(Locale.ROOT, "bench-online: %d entities per view, %s measured after %s warm-up per run, Java %s,"
            + " %d cores, max heap %d MiB%n", entities, text(duration), text(warmup),
        System.getProperty("java.version"), runtime.availableProcessors(), runtime.maxMemory() >> 20);
    out.println("The generator (this JVM), the servers (their own JVM), Hazelcast and Redis share this machine's"
        + " cores.");
    HostNoise.describe().ifPresent(out::println);

    RedisServerProcess redis = RedisServerProcess.start(redisServer);
    resources.push(redis);
    out.printf("started redis-server on 127.0.0.1:%d%n", redis.port());

    List<String> services = targets.stream()
        .filter(t -> !t.equals(BASELINE_REDIS) && !t.equals(SERVICE_HTTP) && !t.equals(GRPC_FLOOR)).toList();
    // service-http and grpc-floor call the service-redis server; the server JVM also loads Redis for the baseline.
    List<String> served = new ArrayList<>(services);
    if (!served.contains(SERVICE_REDIS)) {
      served.add(0, SERVICE_REDIS);
    }
    List<String> serverArgs = new ArrayList<>(List.of("--redis", redis.uri(),
        "--targets", String.join(",", served),
        "--views", String.join(",", BenchServer.viewsOf(selected)),
        "--entities", Integer.toString(entities), "--string-length", Integer.toString(stringLength),
        "--seed", Long.toString(seed), "--event-micros", Long.toString(Instant.now().toEpochMilli() * 1000),
        "--batch", Integer.toString(batch), "--instances", Integer.toString(instances)));
    // The servers, the stores they open and the data load run in a JVM of their own: the generator's request
    // building, answer parsing and garbage must not share the servers' heap, GC and threads.
    ServerProcess server = ServerProcess.start(serverJavaOptions, serverArgs, out);
    resources.push(server);

    Vertx clientVertx = Vertx.vertx();
    resources.push(() -> Futures.await(clientVertx.close().toCompletionStage(), "stop the clients"));
    // A ranking answer (500 rows x 60 values) is well over the client's default 256 KiB message limit.
    GrpcClient grpc = GrpcClient.client(clientVertx, new GrpcClientOptions().setMaxMessageSize(64L << 20));
    Set<Integer> ports = new HashSet<>(List.of(redis.port()));
    Map<String, Target> byName = new LinkedHashMap<>();
    for (String service : services) {
      int port = server.port(service);
      ports.add(port);
      byName.put(service, new GrpcServiceTarget(service,
          OnlineServiceGrpcClient.create(grpc, SocketAddress.inetSocketAddress(port, "127.0.0.1")),
          clientVertx.getOrCreateContext(), distinctKeys));
    }
    if (targets.contains(GRPC_FLOOR)) {
      int port = server.port(SERVICE_REDIS);
      ports.add(port);
      SocketAddress address = SocketAddress.inetSocketAddress(port, "127.0.0.1");
      Context context = clientVertx.getOrCreateContext();
      // The floor asks the service-redis server for its answer sizes, through a target of its own, on its context.
      GrpcServiceTarget sizes = new GrpcServiceTarget(SERVICE_REDIS, OnlineServiceGrpcClient.create(grpc, address),
          context, distinctKeys);
      byName.put(GRPC_FLOOR, new GrpcFloor.FloorTarget(GRPC_FLOOR, grpc, address, context, sizes));
    }
    if (targets.contains(SERVICE_HTTP)) {
      // The same server as service-redis (it serves gRPC and HTTP/JSON on one port), over HTTP/1.1 keep-alive.
      int port = server.port(SERVICE_REDIS);
      ports.add(port);
      HttpClient http = clientVertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
          new PoolOptions().setHttp1MaxSize(httpConnections));
      byName.put(SERVICE_HTTP, new HttpServiceTarget(SERVICE_HTTP, http, port, clientVertx.getOrCreateContext()));
    }
    RedisClient lettuce = RedisClient.create(redis.uri());
    resources.push(lettuce::shutdown);
    StatefulRedisConnection<byte[], byte[]> connection = lettuce.connect(ByteArrayCodec.INSTANCE);
    resources.push(connection);
    byName.put(BASELINE_REDIS, new LettuceBaselineTarget(BASELINE_REDIS, connection));

    ResourceProbe probe = new ResourceProbe(ports, server::resources, () -> redisClients(connection));
    ResourceProbe.Snapshot before = null;
    OpenLoop loop = new OpenLoop(drain);
    Report report = new Report(out);
    // One checked call per target first, so every connection is open before the 'before' snapshot.
    RequestPool first = RequestPool.draw(selected.get(0), entities, 1, seed);
    for (String name : targets) {
      byName.get(name).prepare(selected.get(0), first).verify(0);
    }
    if (!soak.isZero()) {
      soak(selected.get(0), byName.get(targets.get(0)), loop, probe);
      return 0;
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
          if (!warmup.isZero()) {
            // The snapshot's full collections in the servers disturbed the run right after it (the first shape's
            // p99 read 80-300 ms where the later shapes read 5-20): warm up again after it.
            loop.run(caller, requests.size(), shape.rate(), warmup);
            settle(loop, name);
          }
        }
        ServerTimes.Reading timesBefore = serverTimes(server, name);
        Report.CpuReading cpuBefore = cpuReading(server, connection);
        OpenLoop.Result result = loop.run(caller, requests.size(), shape.rate(), duration);
        Report.CpuReading cpuAfter = cpuReading(server, connection);
        ServerTimes.Reading timesAfter = serverTimes(server, name);
        if (traceDir != null) {
          writeTrace(result, shape, name);
        }
        report.add(shape, name, result, Report.CpuShare.between(cpuBefore, cpuAfter, result.completed(),
            !name.equals(BASELINE_REDIS)),
            timesBefore == null ? null : ServerTimes.Split.between(timesBefore, timesAfter));
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

  /**
   * Sends one shape to one target for the whole soak duration, in windows of a minute, printing each window's
   * latency and, after it, the servers' heap after a full GC, their open files and threads, the TCP connections and
   * the Redis clients: none of them may grow.
   */
  private void soak(Shape shape, Target target, OpenLoop loop, ResourceProbe probe) {
    RequestPool requests = RequestPool.draw(shape, entities, poolSize(shape), seed);
    Caller caller = target.prepare(shape, requests);
    caller.verify(0);
    out.printf(Locale.ROOT, "%nsoak: shape %s (%s) against %s for %s, after %s warm-up; a line per minute%n",
        shape.name(), shape.describe(), target.name(), text(soak), text(warmup));
    if (!warmup.isZero()) {
      loop.run(caller, requests.size(), shape.rate(), warmup);
      settle(loop, target.name());
    }
    out.printf("  %-8s %8s %8s %8s %9s %7s | %s%n", "minute", "p50", "p99", "max", "req/s", "errors",
        ResourceProbe.Snapshot.header().substring(11));
    out.printf("  %-8s %8s %8s %8s %9s %7s | %s%n", "start", "", "", "", "", "",
        probe.snapshot().line("").substring(11));
    out.flush();
    Duration left = soak;
    for (int minute = 1; !left.isZero() && !left.isNegative(); minute++) {
      Duration window = left.compareTo(Duration.ofMinutes(1)) < 0 ? left : Duration.ofMinutes(1);
      OpenLoop.Result result = loop.run(caller, requests.size(), shape.rate(), window);
      settle(loop, target.name());
      LatencySummary latency = LatencySummary.of(result.latencyNanos());
      out.printf(Locale.ROOT, "  %-8d %8s %8s %8s %9.1f %7d | %s%n", minute,
          LatencySummary.millisText(latency.p50Millis()), LatencySummary.millisText(latency.p99Millis()),
          LatencySummary.millisText(latency.maxMillis()), result.achievedRate(), result.errors(),
          probe.snapshot().line("").substring(11));
      out.flush();
      left = left.minus(window);
    }
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
    List<String> known = List.of(
        SERVICE_REDIS, BASELINE_REDIS, GRPC_FLOOR, SERVICE_HTTP, SERVICE_HAZELCAST, SERVICE_HOT, SERVICE_NEAR);
    for (String target : targets) {
      if (!known.contains(target)) {
        throw new CommandLine.ParameterException(new CommandLine(this),
            "Cannot run target '" + target + "': expected one of " + known);
      }
    }
  }

  /**
   * Big requests need fewer distinct ones to spread over the data, and each costs memory for every target: at most
   * {@link #POOL_ENTITY_ROWS} entity rows per pool. Every entity row is a handful of protobuf objects that live in
   * the generator's old generation, and a large pool of them made its young collections long (card scanning of the
   * old generation: 40-80 ms pauses with a million rows in bench-predict), which the latencies then measured.
   */
  private int poolSize(Shape shape) {
    return poolSize(pool, shape.entities());
  }

  /** How many distinct requests of {@code entityRows} rows each to draw, at most {@code most} (see above). */
  static int poolSize(int most, int entityRows) {
    return Math.max(16, Math.min(most, POOL_ENTITY_ROWS / entityRows));
  }

  /**
   * The meters of the server that target {@code name} calls, over its protocol (service-http calls the
   * service-redis server over HTTP/JSON); null for the baseline, which calls no server.
   */
  private ServerTimes.Reading serverTimes(ServerProcess server, String name) {
    if (name.equals(BASELINE_REDIS) || name.equals(GRPC_FLOOR)) {
      return null;
    }
    return name.equals(SERVICE_HTTP)
        ? serverTimes.read(server.port(SERVICE_REDIS), "http")
        : serverTimes.read(server.port(name), "grpc");
  }

  /** The CPU time so far of the servers' JVM, this JVM (the generator) and Redis, and the wall clock. */
  private static Report.CpuReading cpuReading(ServerProcess server, StatefulRedisConnection<byte[], byte[]> redis) {
    return new Report.CpuReading(System.nanoTime(), server.cpuNanos(), GENERATOR_OS.getProcessCpuTime(),
        redisCpuNanos(redis));
  }

  /** Redis's own CPU time (user + system, from INFO cpu), in nanoseconds; -1 if it does not say. */
  private static long redisCpuNanos(StatefulRedisConnection<byte[], byte[]> connection) {
    return RedisInfo.cpuNanos(connection.sync().info("cpu"));
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
    AutoCloseable resource;
    while ((resource = resources.pollFirst()) != null) {
      try {
        resource.close();
      } catch (Exception e) {
        out.println("warning: cannot stop a benchmark resource: " + e.getMessage());
      }
    }
  }
}
