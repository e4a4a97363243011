package dev.featurestore.bench;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.data.EntityKey;
import dev.featurestore.api.data.FeatureRow;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.Entity;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.definition.JoinKey;
import dev.featurestore.api.data.FeatureValues;
import dev.featurestore.offline.IncrementalMaterializeResult;
import dev.featurestore.offline.OfflineStore;
import dev.featurestore.offline.OfflineStores;
import dev.featurestore.offline.ProgressListener;
import dev.featurestore.online.OnlineStores;
import dev.featurestore.online.RedisServerProcess;
import dev.featurestore.online.spi.OnlineStore;
import dev.featurestore.registry.Registries;
import dev.featurestore.registry.Registry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Measures incremental materialization from Iceberg into Redis: generates a view's history into a local Iceberg
 * table, materializes it (the first run reads everything), appends an increment, and materializes that. Each run
 * is done twice on the same snapshots: into a store that discards writes (the offline read and the newest-per-key
 * merge alone) and into a redis-server of its own (the whole path), so the difference is the online write.
 */
@Command(name = "bench-materialize", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Incremental materialization throughput from Iceberg into Redis, on generated data.")
public final class MaterializeBenchmark implements Callable<Integer> {
  @Option(names = "--rows", description = "Rows of the initial history (default: ${DEFAULT-VALUE}).")
  int rows = 2_000_000;

  @Option(names = "--increment", description = "Rows appended after the first run (default: ${DEFAULT-VALUE}).")
  int increment = 1_000_000;

  @Option(names = "--keys", description = "Distinct entity keys (default: ${DEFAULT-VALUE}).")
  int keys = 500_000;

  @Option(names = "--features", description = "Features of the view: INT64, DOUBLE, STRING in turn "
      + "(default: ${DEFAULT-VALUE}).")
  int features = 10;

  @Option(names = "--days", description = "Days the event times of the history span; each is a partition, so "
      + "each append writes up to this many files (default: ${DEFAULT-VALUE}).")
  int days = 30;

  @Option(names = "--increment-days", description = "Days (the most recent of the history) the increment's event "
      + "times span, as pushes and daily ingests do (default: ${DEFAULT-VALUE}).")
  int incrementDays = 2;

  @Option(names = "--append-rows", description = "Rows per Iceberg append (default: ${DEFAULT-VALUE}).")
  int appendRows = 250_000;

  @Option(names = "--warmup", description = "Full materializations into each store before the measured runs (Redis "
      + "emptied after), so that those run on a warm JVM (JIT-compiled) like a long-lived scheduler's "
      + "(default: ${DEFAULT-VALUE}).")
  int warmup = 0;

  @Option(names = "--redis-server", description = "The redis-server binary (default: ${DEFAULT-VALUE} on the PATH).")
  String redisServer = "redis-server";

  @Option(names = "--seed", description = "Seed of the data (default: ${DEFAULT-VALUE}).")
  long seed = 42;

  public static void main(String[] args) {
    System.exit(new CommandLine(new MaterializeBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws IOException {
    FeatureView.Builder builder = FeatureView.builder("bench_view").entity("user");
    for (int f = 0; f < features; f++) {
      builder.feature("f" + f, List.of(ValueType.INT64, ValueType.DOUBLE, ValueType.STRING).get(f % 3));
    }
    FeatureView view = builder.build();
    Definitions definitions = new Definitions(
        List.of(Entity.of("user", JoinKey.of("user_id", ValueType.INT64))), List.of(view), List.of());
    Path dir = Files.createTempDirectory("bench-materialize");
    SplittableRandom random = new SplittableRandom(seed);
    try (OfflineStore offline = OfflineStores.local(dir.resolve("warehouse"));
        Registry discardMarks = Registries.embedded(dir.resolve("registry-discard"));
        Registry redisMarks = Registries.embedded(dir.resolve("registry-redis"));
        RedisServerProcess redis = RedisServerProcess.start(redisServer);
        OnlineStore online = OnlineStores.open(redis.uri());
        RedisInfo info = RedisInfo.connect(redis.uri())) {
      OnlineStore discard = new DiscardingStore();
      System.out.printf("view: %d features, %,d keys; generating %,d rows; load average %.2f on %d cores%n",
          features, keys, rows, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
          Runtime.getRuntime().availableProcessors());
      generate(offline, definitions, view, rows, 0, days, random, "initial");
      System.out.printf("%-28s %12s %12s %9s %12s %12s %12s %9s %14s %12s %13s%n", "run", "rows read", "keys",
          "seconds", "rows/s", "keys/s", "values/s", "cpu s", "rows/cpu s", "redis cpu s", "redis us/key");
      for (int w = 1; w <= warmup; w++) {
        try (Registry marks = Registries.embedded(dir.resolve("registry-warmup-" + w));
            Registry redisWarmupMarks = Registries.embedded(dir.resolve("registry-warmup-redis-" + w))) {
          report("warm-up " + w + ", read+merge only", null, () -> offline.materializeIncremental(
              definitions, view.name(), discard, marks, ProgressListener.NONE));
          report("warm-up " + w + ", into Redis", info, () -> offline.materializeIncremental(
              definitions, view.name(), online, redisWarmupMarks, ProgressListener.NONE));
        }
        info.empty();
      }
      report("first run, read+merge only", null, () -> offline.materializeIncremental(
          definitions, view.name(), discard, discardMarks, ProgressListener.NONE));
      long keysToRedis = report("first run, into Redis", info, () -> offline.materializeIncremental(
          definitions, view.name(), online, redisMarks, ProgressListener.NONE));
      generate(offline, definitions, view, increment, days - incrementDays, days, random, "increment");
      report("increment, read+merge only", null, () -> offline.materializeIncremental(
          definitions, view.name(), discard, discardMarks, ProgressListener.NONE));
      keysToRedis += report("increment, into Redis", info, () -> offline.materializeIncremental(
          definitions, view.name(), online, redisMarks, ProgressListener.NONE));
      printRedisTime(info, keysToRedis);
    } finally {
      try (Stream<Path> walk = Files.walk(dir)) {
        walk.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      }
    }
    return 0;
  }

  /**
   * Runs one materialization and prints its rates, with the CPU seconds this JVM spent on it (all threads) and, for
   * a run into Redis ({@code redis} not null), those of redis-server, so that a machine shared with other work can
   * still be read: CPU per row or key does not depend on the competition, where Redis' own time per command
   * (commandstats) counts the moments the JVM had its core too. Returns the keys it wrote.
   */
  private long report(String run, RedisInfo redis, Supplier<IncrementalMaterializeResult> materialization) {
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long cpuBefore = os.getProcessCpuTime();
    long redisBefore = redis == null ? 0 : redis.cpuNanos();
    IncrementalMaterializeResult result = materialization.get();
    double cpu = (os.getProcessCpuTime() - cpuBefore) / 1e9;
    String redisCpu = "-";
    String redisPerKey = "-";
    if (redis != null) {
      double seconds = (redis.cpuNanos() - redisBefore) / 1e9;
      redisCpu = String.format("%.2f", seconds);
      redisPerKey = String.format("%.2f", seconds * 1e6 / Math.max(1, result.keysWritten()));
    }
    System.out.printf("%-28s %,12d %,12d %9.2f %,12.0f %,12.0f %,12.0f %9.2f %,14.0f %12s %13s%n", run,
        result.rowsScanned(), result.keysWritten(), result.seconds(), result.rowsScanned() / result.seconds(),
        result.keysWritten() / result.seconds(), (double) result.keysWritten() * features / result.seconds(), cpu,
        result.rowsScanned() / cpu, redisCpu, redisPerKey);
    return result.keysWritten();
  }

  /**
   * Appends {@code count} rows with random keys and event times in days {@code [fromDay, toDay)} of the history, in
   * appends of {@code appendRows}.
   */
  private void generate(OfflineStore offline, Definitions definitions, FeatureView view, int count, int fromDay,
      int toDay, SplittableRandom random, String name) {
    long day = 24L * 3600 * 1_000_000L;
    long start = 1_735_689_600_000_000L + fromDay * day;
    long span = (toDay - fromDay) * day;
    long started = System.nanoTime();
    for (int done = 0, n = 0; done < count; n++) {
      int size = Math.min(appendRows, count - done);
      List<FeatureRow> batch = new ArrayList<>(size);
      for (int i = 0; i < size; i++) {
        long event = start + random.nextLong(span);
        Object[] values = new Object[features];
        for (int f = 0; f < features; f++) {
          values[f] = switch (f % 3) {
            case 0 -> random.nextLong(1_000_000);
            case 1 -> random.nextDouble();
            default -> "v" + random.nextInt(10_000);
          };
        }
        batch.add(new FeatureRow(EntityKey.of((long) random.nextInt(keys)), event, event + 1_000_000L,
            FeatureValues.of(view, values)));
      }
      offline.append(definitions, view.name(), batch, name + "-" + n);
      done += size;
    }
    System.out.printf("%s: %,d rows appended in %.1f s%n", name, count, (System.nanoTime() - started) / 1e9);
  }

  /**
   * Redis' own account of the write scripts: calls, microseconds per call and per key written, to set beside the
   * client's rate.
   */
  private static void printRedisTime(RedisInfo redis, long keysWritten) {
    long calls = 0;
    long micros = 0;
    for (String line : redis.section("commandstats").split("\\R")) {
      if (line.startsWith("cmdstat_evalsha") || line.startsWith("cmdstat_eval:")) {
        System.out.println("redis-server: " + line);
        calls += statistic(line, "calls");
        micros += statistic(line, "usec");
      }
    }
    if (calls > 0 && keysWritten > 0) {
      System.out.printf("redis-server: %,d keys in %,d script calls, %.1f keys per call, %.2f us per key%n",
          keysWritten, calls, (double) keysWritten / calls, (double) micros / keysWritten);
    }
    System.out.printf("load average at the end: %.2f on %d cores%n",
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
        Runtime.getRuntime().availableProcessors());
  }

  /** The value of {@code name=} in a commandstats line such as {@code cmdstat_evalsha:calls=3,usec=40,...}. */
  private static long statistic(String line, String name) {
    int start = line.indexOf(name + "=") + name.length() + 1;
    int end = line.indexOf(',', start);
    return Long.parseLong(line.substring(start, end < 0 ? line.length() : end));
  }

  /** A store that accepts every write and keeps nothing: the benchmark's read+merge-only target. */
  private static final class DiscardingStore implements OnlineStore {
    @Override
    public CompletionStage<Void> write(FeatureView view, List<FeatureRow> rows) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<List<FeatureRow>> read(FeatureView view, List<EntityKey> keys) {
      return CompletableFuture.completedFuture(java.util.Collections.nCopies(keys.size(), null));
    }

    @Override
    public void close() {}
  }
}
