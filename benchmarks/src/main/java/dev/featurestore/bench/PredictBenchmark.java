package dev.featurestore.bench;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.data.EntityKey;
import dev.featurestore.api.data.FeatureRow;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.Entity;
import dev.featurestore.api.definition.FeatureRef;
import dev.featurestore.api.definition.FeatureService;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.definition.JoinKey;
import dev.featurestore.api.definition.Model;
import dev.featurestore.api.definition.ModelInput;
import dev.featurestore.online.OnlineStores;
import dev.featurestore.online.RedisServerProcess;
import dev.featurestore.online.inference.OnnxModels;
import dev.featurestore.online.inference.Predictor;
import dev.featurestore.online.server.OnlineServer;
import dev.featurestore.online.spi.OnlineStore;
import dev.featurestore.online.spi.PredictionBatch;
import dev.featurestore.online.spi.PredictionLog;
import dev.featurestore.proto.v1.EntityRow;
import dev.featurestore.proto.v1.FeatureStatus;
import dev.featurestore.proto.v1.GetOnlineFeaturesRequest;
import dev.featurestore.proto.v1.InferenceServiceGrpcClient;
import dev.featurestore.proto.v1.ModelRef;
import dev.featurestore.proto.v1.OnlineServiceGrpcClient;
import dev.featurestore.proto.v1.PredictRequest;
import dev.featurestore.proto.v1.PredictResponse;
import dev.featurestore.proto.v1.Value;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientOptions;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Measures the inference endpoint against the bare feature fetch of the same rows, in the same run: a predict call
 * (features fetched by the server, one ONNX run of a two-layer MLP) and a GetOnlineFeatures call of the model's
 * feature service for the same entity rows, both over gRPC on loopback, open loop
 * ({@link OpenLoop}: latency from the intended send time). Shapes: {@code single} (one user and one item) and
 * {@code ranking} (one user broadcast to 500 candidate items). Prints p50/p90/p99/p99.9/max per shape and target
 * and the ratio predict / fetch at p50 and p99, and per request the CPU time of the whole JVM (generator, server,
 * JIT and GC together) and of the inference workers, and the bytes allocated ({@link CpuProbe}): on a shared machine
 * these move far less than the latencies. Predictions are offered to a log that accepts and counts them, so the
 * log hand-off is paid as in production.
 */
@Command(name = "bench-predict", mixinStandardHelpOptions = true,
    description = "Open-loop benchmark of the predict endpoint against the bare feature fetch of the same rows.")
public final class PredictBenchmark implements Callable<Integer> {
  private static final int FEATURES_PER_VIEW = 10;
  private static final int HIDDEN = 16;
  private static final int CANDIDATES = 500;

  @Option(names = "--store", description = "redis (its own redis-server) or hazelcast (embedded member); default"
      + " ${DEFAULT-VALUE}.")
  String store = "redis";

  @Option(names = "--entities", description = "Users and items loaded (default: ${DEFAULT-VALUE}).")
  int entities = 20_000;

  @Option(names = "--duration", converter = DurationConverter.class,
      description = "Measured time per shape and target (default: ${DEFAULT-VALUE}).")
  Duration duration = Duration.ofSeconds(30);

  @Option(names = "--warmup", converter = DurationConverter.class,
      description = "Unmeasured time before each run, same rate (default: ${DEFAULT-VALUE}).")
  Duration warmup = Duration.ofSeconds(10);

  @Option(names = "--single-rate", description = "Requests per second of the single shape (default:"
      + " ${DEFAULT-VALUE}).")
  double singleRate = 1000;

  @Option(names = "--ranking-rate", description = "Requests per second of the ranking shape (default:"
      + " ${DEFAULT-VALUE}).")
  double rankingRate = 200;

  @Option(names = "--shapes", split = ",", description = "single, ranking (default: both).")
  List<String> shapes = List.of("single", "ranking");

  @Option(names = "--workers", description = "Inference worker threads (default: ${DEFAULT-VALUE}).")
  int workers = Math.max(1, Runtime.getRuntime().availableProcessors());

  @Option(names = "--redis-server", description = "The redis-server binary (default: ${DEFAULT-VALUE} on the PATH).")
  String redisServer = "redis-server";

  @Option(names = "--seed", description = "Seed of the data and the requests (default: ${DEFAULT-VALUE}).")
  long seed = 42;

  private final PrintStream out = System.out;

  public static void main(String[] args) {
    System.exit(new CommandLine(new PredictBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Deque<AutoCloseable> resources = new ArrayDeque<>();
    try {
      return run(resources);
    } finally {
      while (!resources.isEmpty()) {
        try {
          resources.pop().close();
        } catch (Exception e) {
          out.println("cleanup failed: " + e.getMessage());
        }
      }
    }
  }

  private int run(Deque<AutoCloseable> resources) throws Exception {
    out.printf(Locale.ROOT, "bench-predict: %d users and items on %s, %s measured after %s warm-up per run, %d cores;"
            + " the generator, server, store and ONNX share them%n", entities, store, duration, warmup,
        Runtime.getRuntime().availableProcessors());
    // Vert.x first and closed last: the Redis store runs its connections on the server's event loops, as in serve.
    Vertx serverVertx = Vertx.vertx();
    resources.push(() -> Futures.await(serverVertx.close().toCompletionStage(), "stop the server"));
    OnlineStore online;
    if (store.equals("redis")) {
      RedisServerProcess redis = RedisServerProcess.start(redisServer);
      resources.push(redis);
      online = OnlineStores.open(redis.uri(), serverVertx);
    } else if (store.equals("hazelcast")) {
      int port = RedisServerProcess.freePort();
      online = OnlineStores.open(
          "hazelcast:embedded?cluster=bench-predict-" + port + "&port=" + port + "&members=127.0.0.1:" + port);
    } else {
      throw new CommandLine.ParameterException(new CommandLine(this),
          "Cannot use store '" + store + "': expected redis or hazelcast");
    }
    resources.push(online);

    Path models = Files.createTempDirectory("bench-predict");
    Definitions definitions = definitions(models);
    load(online, definitions);

    // A log that takes every batch, so the hand-off each predict pays in production is in the figures.
    PredictionLog predictionLog = new AcceptingLog();
    Predictor predictor = Predictor.builder().definitions(() -> definitions).store(online).modelDirectory(models)
        .workers(workers).predictionLog(predictionLog).build();
    resources.push(predictor);
    Vertx clientVertx = Vertx.vertx();
    resources.push(() -> Futures.await(clientVertx.close().toCompletionStage(), "stop the client"));
    OnlineServer server = OnlineServer.builder().host("127.0.0.1").port(0).definitions(() -> definitions)
        .store(online).predictor(predictor).build();
    Futures.await(serverVertx.deployVerticle(server).toCompletionStage(), "start the server");
    SocketAddress address = SocketAddress.inetSocketAddress(server.actualPort(), "127.0.0.1");
    GrpcClient grpc = GrpcClient.client(clientVertx, new GrpcClientOptions().setMaxMessageSize(64L << 20));
    InferenceServiceGrpcClient inference = InferenceServiceGrpcClient.create(grpc, address);
    OnlineServiceGrpcClient features = OnlineServiceGrpcClient.create(grpc, address);
    Context context = clientVertx.getOrCreateContext();

    OpenLoop loop = new OpenLoop(Duration.ofSeconds(10));
    CpuProbe cpu = new CpuProbe("fstore-inference-");
    List<String> lines = new ArrayList<>();
    for (String shape : shapes) {
      boolean ranking = switch (shape) {
        case "single" -> false;
        case "ranking" -> true;
        default -> throw new CommandLine.ParameterException(new CommandLine(this),
            "Cannot run shape '" + shape + "': expected single or ranking");
      };
      double rate = ranking ? rankingRate : singleRate;
      // Distinct requests, sent round robin, bounded as in bench-online: here the generator shares the server's JVM,
      // so its long young collections were the server's too.
      int pool = OnlineBenchmark.poolSize(1000, ranking ? CANDIDATES : 1);
      SplittableRandom random = new SplittableRandom(seed);
      PredictRequest[] predicts = new PredictRequest[pool];
      GetOnlineFeaturesRequest[] fetches = new GetOnlineFeaturesRequest[pool];
      for (int i = 0; i < pool; i++) {
        long user = random.nextLong(entities);
        PredictRequest.Builder predict = PredictRequest.newBuilder()
            .setModel(ModelRef.newBuilder().setName("bench_mlp"))
            .setShared(EntityRow.newBuilder().putKeys("user_id", int64(user)));
        GetOnlineFeaturesRequest.Builder fetch = GetOnlineFeaturesRequest.newBuilder().setFeatureService("ranker");
        for (int c = 0; c < (ranking ? CANDIDATES : 1); c++) {
          long item = random.nextLong(entities);
          predict.addEntities(EntityRow.newBuilder().putKeys("item_id", int64(item)));
          fetch.addEntities(EntityRow.newBuilder().putKeys("user_id", int64(user)).putKeys("item_id", int64(item)));
        }
        predicts[i] = predict.build();
        fetches[i] = fetch.build();
      }
      Caller fetchCaller = caller(context, index -> features.getOnlineFeatures(fetches[index]),
          response -> response.getEntityCount() == fetches[0].getEntitiesCount()
              && response.getColumns(0).getStatusesValue(0) == FeatureStatus.PRESENT_VALUE);
      Caller predictCaller = caller(context, index -> inference.predict(predicts[index]),
          (PredictResponse response) -> response.getPredictionsCount() == predicts[0].getEntitiesCount()
              && response.getPredictions(0).getDefaultedCount() == 0);
      fetchCaller.verify(0);
      predictCaller.verify(0);
      Map<String, LatencySummary> summaries = new HashMap<>();
      List<Map.Entry<String, Caller>> targets =
          List.of(Map.entry("fetch", fetchCaller), Map.entry("predict", predictCaller));
      // Both targets warm up before either is measured, so neither pays for the other's JIT compilation.
      for (Map.Entry<String, Caller> target : targets) {
        loop.run(target.getValue(), pool, rate, warmup);
        loop.awaitIdle(Duration.ofMinutes(2));
      }
      for (Map.Entry<String, Caller> target : targets) {
        CpuProbe.Reading before = cpu.read();
        OpenLoop.Result result = loop.run(target.getValue(), pool, rate, duration);
        loop.awaitIdle(Duration.ofMinutes(2));
        CpuProbe.PerRequest costs = CpuProbe.between(before, cpu.read(), result.completed());
        LatencySummary summary = LatencySummary.of(result.latencyNanos());
        summaries.put(target.getKey(), summary);
        String line = String.format(Locale.ROOT, "%-8s %-8s rate %6.0f/s  p50 %8s  p90 %8s  p99 %8s  p99.9 %8s"
                + "  max %8s ms  achieved %6.0f/s  errors %d%s", shape, target.getKey(), rate,
            LatencySummary.millisText(summary.p50Millis()), LatencySummary.millisText(summary.p90Millis()),
            LatencySummary.millisText(summary.p99Millis()), LatencySummary.millisText(summary.p999Millis()),
            LatencySummary.millisText(summary.maxMillis()), result.achievedRate(), result.errors(),
            result.firstError() == null ? "" : " (first: " + result.firstError() + ")");
        String cost = String.format(Locale.ROOT, "%-8s %-8s %s; load average %.2f", shape, target.getKey(),
            costs.text("inference threads"), ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        out.println(line);
        out.println(cost);
        lines.add(line);
        lines.add(cost);
      }
      String ratio = String.format(Locale.ROOT, "%-8s predict / fetch: p50 %s, p99 %s", shape,
          LatencySummary.ratio(summaries.get("predict").p50Millis(), summaries.get("fetch").p50Millis()),
          LatencySummary.ratio(summaries.get("predict").p99Millis(), summaries.get("fetch").p99Millis()));
      out.println(ratio);
      lines.add(ratio);
    }
    out.println();
    out.println("summary (targets: single p99 < 2 ms, ranking p99 < 15 ms at 200 req/s):");
    lines.forEach(out::println);
    return 0;
  }

  private static <T> Caller caller(Context context, Function<Integer, Future<T>> send, java.util.function.Predicate<T>
      complete) {
    return new Caller() {
      @Override
      public void call(int index, Consumer<Throwable> done) {
        context.runOnContext(ignored -> send.apply(index).onComplete(response -> done.accept(null), done::accept));
      }

      @Override
      public void verify(int index) {
        Promise<T> answer = Promise.promise();
        context.runOnContext(ignored -> send.apply(index).onComplete(answer));
        T response = Futures.await(answer.future().toCompletionStage(), "verify a call");
        if (!complete.test(response)) {
          throw new IllegalStateException("Cannot benchmark: an answer is incomplete (was the data loaded?)");
        }
      }
    };
  }

  /** Users and items with 10 DOUBLE features each; the MLP reads all 20. */
  private Definitions definitions(Path models) {
    FeatureView.Builder users = FeatureView.builder("user_features").entity("user").ttl(Duration.ZERO);
    FeatureView.Builder items = FeatureView.builder("item_features").entity("item").ttl(Duration.ZERO);
    List<ModelInput> inputs = new ArrayList<>();
    for (int f = 0; f < FEATURES_PER_VIEW; f++) {
      users.feature("u" + f, ValueType.DOUBLE);
      inputs.add(ModelInput.of("user_features:u" + f, "x", ValueType.DOUBLE, 0));
    }
    for (int f = 0; f < FEATURES_PER_VIEW; f++) {
      items.feature("i" + f, ValueType.DOUBLE);
      inputs.add(ModelInput.of("item_features:i" + f, "x", ValueType.DOUBLE, 0));
    }
    SplittableRandom random = new SplittableRandom(seed);
    int columns = 2 * FEATURES_PER_VIEW;
    float[][] w1 = new float[columns][HIDDEN];
    float[] b1 = new float[HIDDEN];
    float[] w2 = new float[HIDDEN];
    for (int h = 0; h < HIDDEN; h++) {
      for (int i = 0; i < columns; i++) {
        w1[i][h] = (float) random.nextDouble(-0.5, 0.5);
      }
      b1[h] = (float) random.nextDouble(-0.1, 0.1);
      w2[h] = (float) random.nextDouble(-1, 1);
    }
    String sha = OnnxModels.write(models.resolve("bench_mlp.onnx"), OnnxModels.mlp("x", "score", w1, b1, w2, 0f));
    return new Definitions(
        List.of(Entity.of("user", JoinKey.of("user_id", ValueType.INT64)),
            Entity.of("item", JoinKey.of("item_id", ValueType.INT64))),
        List.of(users.build(), items.build()),
        List.of(FeatureService.of("ranker", FeatureRef.allOf("user_features"), FeatureRef.allOf("item_features"))),
        List.of(new Model("bench_mlp", 1, "bench_mlp.onnx", sha, "ranker", inputs, "score", "")),
        List.of());
  }

  private void load(OnlineStore online, Definitions definitions) {
    long now = Instant.now().toEpochMilli() * 1000;
    SplittableRandom random = new SplittableRandom(seed + 1);
    for (FeatureView view : definitions.featureViews()) {
      List<FeatureRow> batch = new ArrayList<>();
      for (long id = 0; id < entities; id++) {
        Map<String, Object> values = new HashMap<>();
        view.features().forEach(f -> values.put(f.name(), random.nextDouble()));
        batch.add(new FeatureRow(EntityKey.of(id), now, now, values));
        if (batch.size() == 1000 || id == entities - 1) {
          Futures.await(online.write(view, batch), "load " + view.name());
          batch = new ArrayList<>();
        }
      }
    }
    out.printf("loaded %d rows into each of user_features and item_features%n", entities);
  }

  /** Accepts every batch and keeps only a count: the cost of building and handing off the batch, no writing. */
  private static final class AcceptingLog implements PredictionLog {
    private final java.util.concurrent.atomic.LongAdder rows = new java.util.concurrent.atomic.LongAdder();

    @Override
    public boolean offer(PredictionBatch batch) {
      rows.add(batch.rows().size());
      return true;
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }

  private static Value int64(long id) {
    return Value.newBuilder().setInt64Val(id).build();
  }
}
