package dev.featurestore.bench;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.Entity;
import dev.featurestore.api.definition.Feature;
import dev.featurestore.api.definition.FeatureRef;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.definition.JoinKey;
import dev.featurestore.offline.OfflineStore;
import dev.featurestore.offline.OfflineStores;
import dev.featurestore.offline.ProgressListener;
import dev.featurestore.offline.TrainingSetOptions;
import dev.featurestore.offline.TrainingSetRequest;
import dev.featurestore.offline.TrainingSetResult;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The offline tier's benchmark: generates entity rows and feature views of a realistic shape (with DuckDB, as
 * Parquet files), ingests the views into Iceberg, builds the point-in-time training set with our join into a
 * Parquet file, computes the same training set with DuckDB (ASOF JOIN over the same source files, the tie rules
 * and TTLs reproduced in SQL), checks that both are equal row for row, and prints rows per second, peak heap and
 * our time / DuckDB's time.
 */
@Command(name = "bench-offline", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Point-in-time join benchmark: our join (Iceberg in, Parquet out) against DuckDB's ASOF JOIN on",
        "the same data. Prints output rows/s, peak heap, our time / DuckDB's, and whether both results are equal."})
public final class OfflineBenchmark implements Callable<Integer> {
  private static final long DAY_MICROS = 86_400_000_000L;
  /** 2025-01-01T00:00:00Z */
  private static final long START_MICROS = 1_735_689_600_000_000L;
  private static final ValueType[] TYPES = {ValueType.DOUBLE, ValueType.INT64, ValueType.DOUBLE, ValueType.STRING};

  @Option(names = "--entity-rows", description = "Entity rows (training examples) (default: ${DEFAULT-VALUE}).")
  long entityRows = 500_000;

  @Option(names = "--views", description = "Feature views (default: ${DEFAULT-VALUE}).")
  int views = 3;

  @Option(names = "--view-rows", description = "Rows per feature view (default: ${DEFAULT-VALUE}).")
  long viewRows = 1_000_000;

  @Option(names = "--keys", description = "Distinct user_id keys (default: ${DEFAULT-VALUE}).")
  long keys = 100_000;

  @Option(names = "--features", description = "Features in all, spread over the views (default: ${DEFAULT-VALUE}).")
  int features = 20;

  @Option(names = "--days", description = "Days of history the rows and entity times span (default: ${DEFAULT-VALUE}).")
  int days = 365;

  @Option(names = "--chunk-rows",
      description = "Rows per generated view file; each is one ingestion (default: ${DEFAULT-VALUE}).")
  long chunkRows = 2_000_000;

  @Option(names = "--full", description = "The issue's full shape: 10M entity rows, 3 views x 50M rows over a year, "
      + "2,000,000 keys, 20 features (needs a large heap and disk, and hours here).")
  boolean full;

  @Option(names = "--memory-budget-mb",
      description = "The join's sort memory budget in MiB (default: the CLI's, half the maximum heap).")
  Long memoryBudgetMb;

  @Option(names = "--dir", description = "Working directory for data and results (default: a new temporary one).")
  Path dir;

  @Option(names = "--keep", description = "Keep the working directory.")
  boolean keep;

  @Option(names = "--reuse", description = "Reuse the data generated and ingested in --dir by an earlier run of the"
      + " same shape: only the two joins run.")
  boolean reuse;

  @Option(names = "--warmup", description = "Runs of our join before the measured one, to measure a warm JVM (JIT"
      + " compiled) as in a long-running server rather than a cold one (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--ours-only", description = "Measure our join alone: no DuckDB run and no equality check, for"
      + " comparing builds of ours quickly (alternate them: the host drifts). The targets are not judged.")
  boolean oursOnly;

  @Option(names = "--duckdb-threads", description = "DuckDB threads (default: ${DEFAULT-VALUE}, the cores here).")
  int duckdbThreads = Runtime.getRuntime().availableProcessors();

  @Option(names = "--duckdb-memory", description = "DuckDB's memory limit; beyond it DuckDB spills to --dir. Its own"
      + " default, 80%% of the machine's memory, would not leave room for this JVM's heap beside it on the --full shape"
      + " (default: ${DEFAULT-VALUE}).")
  String duckdbMemory = "12GB";

  private final PrintStream out = System.out;

  public static void main(String[] args) {
    System.exit(new CommandLine(new OfflineBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (full) {
      entityRows = 10_000_000;
      viewRows = 50_000_000;
      keys = 2_000_000;
      features = 20;
      days = 365;
      views = 3;
    }
    if (views < 1 || features < views) {
      throw new CommandLine.ParameterException(new CommandLine(this),
          "Cannot generate " + features + " features over " + views + " views: need at least one per view");
    }
    Path work = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("bench-offline");
    out.printf(Locale.ROOT, "bench-offline: %,d entity rows; %d views x %,d rows over %d days; %,d keys; %d features;"
        + " in %s%n", entityRows, views, viewRows, days, keys, features, work);
    try {
      List<FeatureView> featureViews = views();
      Definitions definitions = new Definitions(
          List.of(Entity.of("user", JoinKey.of("user_id", ValueType.INT64))), featureViews, List.of());
      Path entities = work.resolve("entities.parquet");
      List<List<Path>> viewFiles = new ArrayList<>();
      long generated = System.nanoTime();
      boolean fresh = !(reuse && Files.isDirectory(work.resolve("warehouse")));
      try (Connection duck = openDuckDb(work)) {
        if (fresh) {
          generateEntities(duck, entities);
        }
        for (int v = 0; v < views; v++) {
          viewFiles.add(generateView(duck, featureViews.get(v), v, work, fresh));
        }
      }
      if (fresh) {
        out.printf(Locale.ROOT, "generated in %.1f s%n", seconds(generated));
      }

      Path ours = work.resolve("ours.parquet");
      long budget = memoryBudgetMb == null ? TrainingSetOptions.oneAtATimeBudget() : memoryBudgetMb << 20;
      TrainingSetOptions options = TrainingSetOptions.builder().memoryBudgetBytes(budget)
          .spillDirectory(work.resolve("spill")).build();
      TrainingSetResult result;
      long peakHeap;
      long poolPeaks;
      double oursCpu;
      double duckCpu;
      try (OfflineStore store = OfflineStores.local(work.resolve("warehouse"), options)) {
        long ingested = System.nanoTime();
        long rowsIngested = 0;
        for (int v = 0; v < views && fresh; v++) {
          for (Path file : viewFiles.get(v)) {
            rowsIngested += store.ingest(definitions, featureViews.get(v).name(), file, ProgressListener.NONE).rows();
          }
        }
        if (fresh) {
          out.printf(Locale.ROOT, "ingested %,d rows into Iceberg in %.1f s%n", rowsIngested, seconds(ingested));
        }
        List<FeatureRef> refs = featureViews.stream().map(view -> FeatureRef.allOf(view.name())).toList();
        for (int w = 0; w < warmup; w++) {
          long started = System.nanoTime();
          Path warm = work.resolve("warmup.parquet");
          store.trainingSet(definitions, TrainingSetRequest.forFeatures(entities, refs, warm), ProgressListener.NONE);
          Files.deleteIfExists(warm);
          out.printf(Locale.ROOT, "warm-up run %d of our join in %.1f s%n", w + 1, seconds(started));
        }
        System.gc();
        resetPeakHeap();
        long cpu = processCpuNanos();
        try (LiveHeapPeak live = new LiveHeapPeak()) {
          result = store.trainingSet(definitions, TrainingSetRequest.forFeatures(entities, refs, ours),
              ProgressListener.NONE);
          oursCpu = (processCpuNanos() - cpu) / 1e9;
          poolPeaks = poolPeaks();
          peakHeap = live.bytes();
        }
      }

      double rowsPerSecond = result.rows() / result.seconds();
      out.println();
      out.printf(Locale.ROOT, "ours:    %,d rows in %.2f s = %,.0f output rows/s; peak heap after GC %,d MiB (max %,d"
              + " MiB; the heap pools' peaks summed %,d MiB); %d sorted runs spilled, keys read in up to %d passes"
              + " (budget %,d MiB)%n", result.rows(), result.seconds(), rowsPerSecond, peakHeap >> 20,
          Runtime.getRuntime().maxMemory() >> 20, poolPeaks >> 20, result.spilledRuns(), result.keyPasses(),
          budget >> 20);
      if (oursOnly) {
        out.printf(Locale.ROOT, "cpu:     ours %.2f s of process CPU time; DuckDB not run (--ours-only)%n", oursCpu);
        return 0;
      }
      Path duckOut = work.resolve("duckdb.parquet");
      double duckSeconds;
      String mismatch;
      try (Connection duck = openDuckDb(work)) {
        execute(duck, "SET preserve_insertion_order = true");
        long started = System.nanoTime();
        long cpu = processCpuNanos();
        execute(duck, duckdbTrainingSet(featureViews, viewFiles, entities, duckOut));
        duckSeconds = seconds(started);
        duckCpu = (processCpuNanos() - cpu) / 1e9;
        mismatch = compare(duck, featureViews, ours, duckOut);
      }

      out.printf(Locale.ROOT, "duckdb:  %,d rows in %.2f s = %,.0f output rows/s (%d threads, ASOF JOIN over the"
          + " source Parquet files)%n", entityRows, duckSeconds, entityRows / duckSeconds, duckdbThreads);
      out.printf(Locale.ROOT, "cpu:     ours %.2f s, duckdb %.2f s of process CPU time (on a shared machine wall time"
          + " includes waiting for a core)%n", oursCpu, duckCpu);
      out.printf(Locale.ROOT, "ratio:   ours / duckdb = %.2f wall, %.2f cpu%n", result.seconds() / duckSeconds,
          oursCpu / duckCpu);
      out.printf(Locale.ROOT, "equal:   %s%n", mismatch == null ? "yes, row for row" : "NO: " + mismatch);
      out.printf(Locale.ROOT, "targets: >= 1,000,000 rows/s %s; ours <= duckdb %s; peak heap < 8 GiB %s; equal %s%n",
          pass(rowsPerSecond >= 1_000_000), pass(result.seconds() <= duckSeconds), pass(peakHeap < (8L << 30)),
          pass(mismatch == null));
      return mismatch == null ? 0 : 3;
    } finally {
      if (!keep && dir == null) {
        deleteRecursively(work);
      }
    }
  }

  /** An in-memory DuckDB with this run's threads and memory limit, spilling into {@code work}. */
  private Connection openDuckDb(Path work) throws SQLException {
    Connection duck = DriverManager.getConnection("jdbc:duckdb:");
    try {
      execute(duck, "SET threads = " + duckdbThreads);
      execute(duck, "SET memory_limit = '" + duckdbMemory + "'");
      execute(duck, "SET temp_directory = '" + work.resolve("duckdb-spill") + "'");
      return duck;
    } catch (SQLException | RuntimeException e) {
      duck.close();
      throw e;
    }
  }

  /** Views v0..: features spread evenly, types in turn; TTLs none, 30 days, 7 days, none, ... */
  private List<FeatureView> views() {
    List<FeatureView> list = new ArrayList<>();
    int next = 0;
    for (int v = 0; v < views; v++) {
      int count = features / views + (v < features % views ? 1 : 0);
      FeatureView.Builder builder = FeatureView.builder("v" + v).entity("user");
      for (int f = 0; f < count; f++, next++) {
        builder.feature("v" + v + "_f" + f, TYPES[next % TYPES.length]);
      }
      long ttlDays = switch (v % 3) {
        case 1 -> 30;
        case 2 -> 7;
        default -> 0;
      };
      list.add(builder.ttl(Duration.ofDays(ttlDays)).build());
    }
    return list;
  }

  private void generateEntities(Connection duck, Path file) throws SQLException {
    execute(duck, "COPY (SELECT (hash(i, 'k') % " + keys + ")::BIGINT AS user_id, "
        + timestamp("hash(i, 't') % " + days * DAY_MICROS) + " AS event_timestamp, "
        + "(hash(i, 'l') % 2)::INTEGER AS label FROM range(" + entityRows + ") t(i)) TO '" + file
        + "' (FORMAT parquet)");
  }

  /**
   * One view's files of at most {@link #chunkRows} rows: keys and event times at random; 1 row in 100 repeats the
   * previous row's key, event and created timestamps (a full tie: the later write wins), 1 in 100 repeats an
   * earlier row's key and event with its own created timestamp (a tie broken by created); 2% of values are null.
   */
  private List<Path> generateView(Connection duck, FeatureView view, int v, Path work, boolean fresh)
      throws SQLException {
    List<Path> files = new ArrayList<>();
    for (long start = 0, chunk = 0; start < viewRows; start += chunkRows, chunk++) {
      long end = Math.min(viewRows, start + chunkRows);
      Path file = work.resolve(String.format(Locale.ROOT, "%s-%05d.parquet", view.name(), chunk));
      files.add(file);
      if (!fresh) {
        continue;
      }
      StringBuilder columns = new StringBuilder();
      for (Feature feature : view.features()) {
        String h = "hash(i, '" + feature.name() + "')";
        String value = switch (feature.type()) {
          case DOUBLE -> "(" + h + " % 1000000)::DOUBLE / 100.0";
          case INT64 -> "(" + h + " % 100000)::BIGINT";
          case STRING -> "'s' || (" + h + " % 5000)::VARCHAR";
          default -> throw new AssertionError(feature.type());
        };
        columns.append(", CASE WHEN ").append(h).append(" % 50 = 0 THEN NULL ELSE ").append(value).append(" END AS ")
            .append(feature.name());
      }
      String seed = "'" + view.name() + "'";
      execute(duck, "COPY (SELECT (hash(je, " + seed + ", 'k') % " + keys + ")::BIGINT AS user_id, "
          + timestamp("hash(je, " + seed + ", 't') % " + days * DAY_MICROS) + " AS event_timestamp, "
          + timestamp("hash(je, " + seed + ", 't') % " + days * DAY_MICROS + " + hash(jc, " + seed + ", 'c') % "
              + 7_200_000_000L) + " AS created_timestamp" + columns
          + " FROM (SELECT i, CASE WHEN i % 100 IN (1, 2) AND i > 2 THEN i - i % 100 ELSE i END AS je,"
          + " CASE WHEN i % 100 = 1 AND i > 2 THEN i - 1 ELSE i END AS jc FROM range(" + start + ", " + end
          + ") t(i)) ORDER BY i) TO '" + file + "' (FORMAT parquet)");
    }
    return files;
  }

  private static String timestamp(String microsSinceStart) {
    return "make_timestamptz((" + START_MICROS + " + (" + microsSinceStart + ")::BIGINT)::BIGINT)";
  }

  /**
   * DuckDB's training set: per view, the newest row per (key, event timestamp) by created timestamp, then file,
   * then row in file (the tie rules); ASOF LEFT JOIN on key and event timestamp <= t; null when older than the TTL;
   * entity rows in input order.
   */
  private static String duckdbTrainingSet(
      List<FeatureView> views, List<List<Path>> files, Path entities, Path output) {
    StringBuilder sql = new StringBuilder("COPY (WITH e AS (SELECT *, file_row_number AS rn FROM read_parquet('")
        .append(entities).append("', file_row_number = true))");
    for (int v = 0; v < views.size(); v++) {
      FeatureView view = views.get(v);
      String list = files.get(v).stream().map(p -> "'" + p + "'").collect(Collectors.joining(", ", "[", "]"));
      sql.append(", ").append(view.name()).append(" AS (SELECT user_id, event_timestamp AS ev")
          .append(view.features().stream().map(f -> ", " + f.name()).collect(Collectors.joining()))
          .append(" FROM read_parquet(").append(list).append(", filename = true, file_row_number = true)")
          .append(" QUALIFY row_number() OVER (PARTITION BY user_id, event_timestamp ORDER BY created_timestamp DESC,")
          .append(" filename DESC, file_row_number DESC) = 1)");
    }
    sql.append(" SELECT e.user_id, e.event_timestamp, e.label");
    for (FeatureView view : views) {
      long ttl = view.ttlMicros();
      for (Feature feature : view.features()) {
        String column = view.name() + "." + feature.name();
        sql.append(", ").append(ttl > 0
            ? "CASE WHEN " + view.name() + ".ev >= e.event_timestamp - to_microseconds(" + ttl + ") THEN " + column
                + " END"
            : column).append(" AS ").append(feature.name());
      }
    }
    sql.append(" FROM e");
    for (FeatureView view : views) {
      sql.append(" ASOF LEFT JOIN ").append(view.name()).append(" ON e.user_id = ").append(view.name())
          .append(".user_id AND e.event_timestamp >= ").append(view.name()).append(".ev");
    }
    sql.append(" ORDER BY e.rn) TO '").append(output).append("' (FORMAT parquet)");
    return sql.toString();
  }

  /** Null when both files hold the same rows in the same order, else what differs. */
  private static String compare(Connection duck, List<FeatureView> views, Path ours, Path theirs) throws SQLException {
    long oursRows = count(duck, "SELECT count(*) FROM read_parquet('" + ours + "')");
    long theirRows = count(duck, "SELECT count(*) FROM read_parquet('" + theirs + "')");
    if (oursRows != theirRows) {
      return oursRows + " rows against DuckDB's " + theirRows;
    }
    List<String> columns = new ArrayList<>(List.of("user_id", "event_timestamp", "label"));
    views.forEach(view -> view.features().forEach(feature -> columns.add(feature.name())));
    String differs = columns.stream().map(c -> "o." + c + " IS DISTINCT FROM d." + c)
        .collect(Collectors.joining(" OR "));
    String from = " FROM read_parquet('" + ours + "', file_row_number = true) o JOIN read_parquet('" + theirs
        + "', file_row_number = true) d USING (file_row_number) WHERE " + differs;
    long different = count(duck, "SELECT count(*)" + from);
    if (different == 0) {
      return null;
    }
    try (Statement statement = duck.createStatement();
        ResultSet first = statement.executeQuery("SELECT file_row_number" + from + " ORDER BY 1 LIMIT 1")) {
      first.next();
      return different + " rows differ, the first at row " + first.getLong(1);
    }
  }

  private static long count(Connection duck, String sql) throws SQLException {
    try (Statement statement = duck.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  private static void execute(Connection duck, String sql) throws SQLException {
    try (Statement statement = duck.createStatement()) {
      statement.execute(sql);
    }
  }

  private static void resetPeakHeap() {
    heapPools().forEach(MemoryPoolMXBean::resetPeakUsage);
  }

  /**
   * The sum of the heap pools' peaks since the reset: an upper bound of the heap in use, which can exceed the
   * maximum heap, since each pool peaks at its own moment ({@link LiveHeapPeak} is the measure the target uses).
   */
  private static long poolPeaks() {
    return heapPools().stream().mapToLong(pool -> pool.getPeakUsage().getUsed()).sum();
  }

  private static List<MemoryPoolMXBean> heapPools() {
    return ManagementFactory.getMemoryPoolMXBeans().stream().filter(pool -> pool.getType() == MemoryType.HEAP)
        .toList();
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static String pass(boolean met) {
    return met ? "met" : "NOT met";
  }

  private static double seconds(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1e9;
  }

  private static void deleteRecursively(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
