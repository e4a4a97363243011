package dev.featurestore.offline;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.Feature;
import dev.featurestore.api.definition.FeatureSelection;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.definition.JoinKey;
import dev.featurestore.api.error.InvalidRequestException;
import dev.featurestore.api.error.NotFoundException;
import dev.featurestore.offline.JoinRows.Match;
import dev.featurestore.offline.JoinRows.Probe;
import dev.featurestore.offline.JoinRows.ViewRow;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds a training set with a sort-merge as-of join in bounded memory, streaming Arrow batches to a sink.
 *
 * <ol>
 *   <li>Read the entity file once: each row's time and, per view, its key become a probe (key, t, input position),
 *       sorted by (key, t).
 *   <li>Per view: read the rows of the needed columns and time range (Iceberg prunes partitions and files by the
 *       event-timestamp filter), sort them by (key, time they become visible) and merge with the probes
 *       ({@link AsOfMerge}). In memory this takes two passes ({@link InMemoryViewJoin}: keys and times first, then
 *       the values of the matched rows only); on the spilling path the rows carry their values through the sort
 *       and the matches are sorted back by input position.
 *   <li>Read the entity file again, in order, and fill Arrow batches with its columns and each view's matches.
 * </ol>
 *
 * Every sort spills to disk beyond its share of {@link TrainingSetOptions#memoryBudgetBytes()}
 * ({@link ExternalSorter}), so memory does not grow with the entity file or the views.
 */
final class TrainingSets {
  private static final int PROGRESS_EVERY = 10_000;
  private static final Logger log = LoggerFactory.getLogger(TrainingSets.class);

  private final ViewTables tables;
  private final TrainingSetOptions options;

  TrainingSets(ViewTables tables, TrainingSetOptions options) {
    this.tables = tables;
    this.options = options;
  }

  /** What one run produced besides the rows: for results and tests. */
  record Stats(
      long rows, Map<String, Long> snapshotIds, List<String> viewsWithoutTable, int spilledRuns, int keyPasses) {}

  /** Joins and streams to {@code sink}, calling {@link TrainingSetSink#finish} or, on failure, abort. */
  Stats run(Definitions definitions, TrainingSetRequest request, TrainingSetSink sink, BufferAllocator allocator,
      ProgressListener progress) {
    List<ExternalSorter<?>> sorters = java.util.Collections.synchronizedList(new ArrayList<>());
    boolean begun = false;
    long started = System.nanoTime();
    try {
      Plan plan = plan(definitions, request);
      Map<String, Snapshot> snapshots = snapshots(plan.selection.views(), request);
      int views = plan.selection.views().size();
      long budget = options.memoryBudgetBytes();
      Path spill = options.spillDirectory();

      // 1. probes per view: in columns while they fit their share, else sorted by (key, t) with spilling
      long probeShare = Math.max(1, budget / (2L * views + parallelism(views)));
      List<Probes> probes = new ArrayList<>();
      for (FeatureView view : plan.selection.views()) {
        probes.add(new Probes(view.name(), plan.keyTypes.get(probes.size()), probeShare, spill, sorters));
      }
      long[] range = {Long.MAX_VALUE, Long.MIN_VALUE};
      long rowCount = plan.entities.forEach((values, row) -> {
        long t = (Long) plan.event.required(values[plan.event.index()], row, "event timestamp");
        range[0] = Math.min(range[0], t);
        range[1] = Math.max(range[1], t);
        for (int v = 0; v < views; v++) {
          if (plan.integerKey[v]) {
            Object key = plan.integerKeyOf(v, values, row);
            if (key != null) {
              probes.get(v).addInteger(key, t, row);
            }
            continue;
          }
          byte[] key = plan.keyOf(v, values, row);
          if (key != null) {
            probes.get(v).add(key, t, row);
          }
        }
        if ((row + 1) % PROGRESS_EVERY == 0) {
          progress.onProgress(0, row + 1);
        }
      });
      progress.onProgress(0, rowCount);
      long probed = System.nanoTime();
      StringBuilder phases = new StringBuilder();
      phases.append(String.format("probes %.2f s", seconds(started, probed)));

      // 2. per view, the views in parallel (one per core): scan, sort, merge. The views being joined share what
      // the probes and the in-memory views' matches (a reference per entity row) leave of the budget; on the
      // spilling path that is at least a probe share.
      long probeBytes = probes.stream().mapToLong(Probes::heapBytes).sum();
      long matchBytes = 8L * rowCount * probes.stream().filter(Probes::inMemory).count();
      long viewShare = Math.max(1, (budget - probeBytes - matchBytes) / parallelism(views));
      boolean asKnownAt = request.visibility() == TrainingSetRequest.Visibility.AS_KNOWN_AT;
      Map<String, Long> snapshotIds = new LinkedHashMap<>();
      List<Callable<ViewMatches>> work = new ArrayList<>();
      String[] viewPhases = new String[views];
      int[] keyPasses = new int[views];
      for (int v = 0; v < views; v++) {
        FeatureView view = plan.selection.views().get(v);
        Optional<Table> table = tables.find(view.name());
        Snapshot snapshot = snapshots.get(view.name());
        if (snapshot != null) {
          snapshotIds.put(view.name(), snapshot.snapshotId());
        }
        if (snapshot == null || rowCount == 0) {
          viewPhases[v] = "";
          ValueType[] types = plan.featureTypes.get(v);
          work.add(() -> (firstRow, count, vectors, first) -> {
            for (int f = 0; f < types.length; f++) {
              for (int i = 0; i < count; i++) {
                vectors.get(first + f).setNull(i);
              }
            }
          });
          continue;
        }
        int at = v;
        work.add(() -> joinView(plan, at, table.get(), snapshot.snapshotId(), range, asKnownAt,
            probes.get(at), rowCount, viewShare, spill, sorters, viewPhases, keyPasses));
      }
      List<ViewMatches> matches = runAll(work);
      for (String phase : viewPhases) {
        phases.append(phase);
      }
      probed = System.nanoTime();

      // 3. the entity rows again, in input order, with the matches
      int spilled = sorters.stream().mapToInt(ExternalSorter::spilledRuns).sum();
      // the sink writes each batch on a thread of its own while the next is filled; closed (the batch in flight
      // written or failed) before a failure reaches the abort below
      try (VectorSchemaRoot root = VectorSchemaRoot.create(plan.outputSchema, allocator);
          PipelinedSink pipelined = new PipelinedSink(sink, allocator)) {
        pipelined.begin(root);
        begun = true;
        new BatchWriter(plan, root, matches, pipelined, options.batchRows(), progress, rowCount).writeAll();
        pipelined.finish();
      }
      phases.append(String.format(", output %.2f s", seconds(probed, System.nanoTime())));
      log.debug("Training set of {} rows: {}", rowCount, phases);
      List<String> withoutTable = plan.selection.views().stream().map(FeatureView::name)
          .filter(name -> snapshots.get(name) == null).toList();
      return new Stats(rowCount, snapshotIds, withoutTable, spilled, Arrays.stream(keyPasses).max().orElse(0));
    } catch (RuntimeException e) {
      if (begun) {
        sink.abort(e);
      }
      throw e;
    } finally {
      sorters.forEach(ExternalSorter::close);
    }
  }

  /**
   * The snapshot to read per view, null for none (no table: all its features null): the current one, or with
   * {@link TrainingSetRequest#asOf()} exactly the pinned one, which must still be in the table's history.
   */
  private Map<String, Snapshot> snapshots(List<FeatureView> views, TrainingSetRequest request) {
    Map<String, Snapshot> snapshots = new java.util.HashMap<>();
    for (FeatureView view : views) {
      Optional<Table> table = tables.find(view.name());
      if (request.asOf() == null) {
        snapshots.put(view.name(), table.map(Table::currentSnapshot).orElse(null));
        continue;
      }
      Long pinned = request.asOf().snapshotIds().get(view.name());
      Snapshot snapshot = pinned == null ? null : table.map(t -> t.snapshot(pinned)).orElse(null);
      if (pinned != null && snapshot == null) {
        throw new NotFoundException("Cannot build training set from '" + request.entityFile().getFileName()
            + "' as of its manifest: snapshot " + pinned + " of view '" + view.name() + "' is no longer in "
            + (table.isPresent() ? "its table's history (expired: snapshots are kept only within the retention"
                + " window of expire-snapshots, younger than --snapshot-max-age or among the last"
                + " --snapshot-retain-last)" : "the offline store (the view's table is gone)"));
      }
      snapshots.put(view.name(), snapshot);
    }
    return snapshots;
  }

  /**
   * The join of view {@code v}: returns each entity row's match. In columns and two passes
   * ({@link InMemoryViewJoin}) when the probes are in memory and the view's rows fit its share, else with sorts
   * that spill and the matches sorted back into input order. Thread-safe against the other views' joins: each has
   * its own buffers.
   */
  private static ViewMatches joinView(Plan plan, int v, Table table, long snapshotId, long[] range,
      boolean asKnownAt, Probes probes, long entityRows, long share, Path spill, List<ExternalSorter<?>> sorters,
      String[] phases, int[] keyPasses) {
    long started = System.nanoTime();
    FeatureView view = plan.selection.views().get(v);
    ValueType[] keyTypes = plan.keyTypes.get(v);
    ValueType[] featureTypes = plan.featureTypes.get(v);
    List<JoinKey> joinKeys = plan.selection.joinKeys().get(view.name());
    List<Feature> features = featuresOf(plan.selection, view);
    long ttl = view.ttlMicros();
    long from = ttl > 0 ? AsOfMerge.saturatedMinus(range[0], ttl) : Long.MIN_VALUE;
    Long knownAt = asKnownAt ? range[1] : null;
    // the matches' sorter, by entity row, when they do not stay in memory: half of the share
    java.util.function.Supplier<ExternalSorter<Match>> matchSorter = () -> {
      ExternalSorter<Match> sorter = new ExternalSorter<>("matches-" + view.name(),
          JoinRows.matchCodec(featureTypes), JoinRows.MATCH_ORDER, Math.max(1, share / 2), spill);
      sorters.add(sorter);
      return sorter;
    };
    boolean triedInMemory = probes.inMemory();
    if (triedInMemory) {
      InMemoryViewJoin.Matches matches = InMemoryViewJoin.join(table, snapshotId, view, joinKeys, features,
          keyTypes, from, range[1], knownAt, ttl, probes.columns, Math.toIntExact(entityRows), share, matchSorter);
      if (matches != null) {
        probes.release();
        keyPasses[v] = matches.keyPasses();
        phases[v] = String.format(", %s: %,d rows in range, keys %.2f s%s, sort+merge %.2f s, values %.2f s%s",
            view.name(), matches.rowsInRange(), matches.keysNanos() / 1e9,
            matches.keyPasses() > 1 ? " in " + matches.keyPasses() + " passes" : "", matches.mergeNanos() / 1e9,
            matches.valuesNanos() / 1e9, matches.spilled() != null ? " (the values spilled by entity row)" : "");
        if (matches.spilled() != null) {
          return new SortedMatches(matches.spilled(), featureTypes);
        }
        MatchedValues values = matches.values();
        int[] slotOfRow = matches.slotOfRow();
        return (firstRow, count, vectors, first) ->
            values.copyBatch(slotOfRow, Math.toIntExact(firstRow), count, vectors, first);
      }
    }
    // the rows and then the matches each get half of the share
    ExternalSorter<ViewRow> rows = new ExternalSorter<>("rows-" + view.name(), JoinRows.viewRowCodec(featureTypes),
        JoinRows.VIEW_ROW_ORDER, Math.max(1, share / 2), spill);
    sorters.add(rows);
    long[] count = {0};
    TableScanner.scan(table, snapshotId, joinKeys, features, from, range[1], asKnownAt ? range[1] : Long.MAX_VALUE,
        (keyValues, event, created, sequence, position, values) -> {
          count[0]++;
          rows.add(new ViewRow(ValueCodec.key(keyValues, keyTypes), asKnownAt ? Math.max(event, created) : event,
              event, created, sequence, position, values));
        });
    long scanned = System.nanoTime();
    ExternalSorter<Match> matches = matchSorter.get();
    AsOfMerge.merge(probes.sorted(), rows.sorted(), ttl, matches::add);
    probes.release();
    rows.close();
    phases[v] = String.format(", %s: scan %,d rows %.2f s, sort+merge %.2f s (spilling path%s)", view.name(),
        count[0], seconds(started, scanned), seconds(scanned, System.nanoTime()),
        triedInMemory ? ", after the in-memory join outgrew its share; the scan includes that attempt" : "");
    return new SortedMatches(matches.sorted(), featureTypes);
  }

  /** Each entity row's feature values of one view; asked for batches of rows in ascending order, each once. */
  @FunctionalInterface
  private interface ViewMatches {
    /**
     * Sets entries {@code 0 .. count - 1} of the view's feature vectors ({@code vectors} from {@code first} on) to
     * the values of the matches of entity rows {@code firstRow .. firstRow + count - 1}, null where a row has none.
     */
    void fill(long firstRow, int count, List<FieldVector> vectors, int first);
  }

  /** The matches of the spilling path, sorted by position. */
  private static final class SortedMatches implements ViewMatches {
    private final Iterator<Match> matches;
    private final ValueType[] types;
    private Match head;

    SortedMatches(Iterator<Match> matches, ValueType[] types) {
      this.matches = matches;
      this.types = types;
      this.head = matches.hasNext() ? matches.next() : null;
    }

    @Override
    public void fill(long firstRow, int count, List<FieldVector> vectors, int first) {
      for (int index = 0; index < count; index++) {
        Object[] values = null;
        if (head != null && head.position() == firstRow + index) {
          values = head.values();
          head = matches.hasNext() ? matches.next() : null;
        }
        for (int f = 0; f < types.length; f++) {
          ArrowValues.set(vectors.get(first + f), index, values == null ? null : values[f], types[f]);
        }
      }
    }
  }

  /**
   * One view's probes: in columns while they take at most {@code share} of the heap (and positions fit an int),
   * after that in an {@link ExternalSorter} that spills, the columns moved over.
   */
  private static final class Probes {
    private final String view;
    private final ValueType[] keyTypes;
    private final long share;
    private final Path spill;
    private final List<ExternalSorter<?>> sorters;
    ProbeColumns columns;
    private ExternalSorter<Probe> sorter;

    Probes(String view, ValueType[] keyTypes, long share, Path spill, List<ExternalSorter<?>> sorters) {
      this.view = view;
      this.keyTypes = keyTypes;
      this.share = share;
      this.spill = spill;
      this.sorters = sorters;
      this.columns = new ProbeColumns(keyTypes);
    }

    void add(byte[] key, long t, long row) {
      if (columns != null && row < Integer.MAX_VALUE - 8) {
        columns.add(key, t, (int) row);
        checkShare();
        return;
      }
      if (columns != null) {
        toSorter();
      }
      sorter.add(new Probe(key, t, row));
    }

    /**
     * Adds the probe of a key of one INT64 or INT32 column ({@code key} a Long or an Integer) by its prefix, as the
     * views' rows of such keys are: no key bytes per entity row while the probes are in columns.
     */
    void addInteger(Object key, long t, long row) {
      if (columns != null && row < Integer.MAX_VALUE - 8) {
        columns.addPrefix(JoinRows.prefixOfInteger(((Number) key).longValue(), keyTypes[0]), t, (int) row);
        checkShare();
        return;
      }
      add(ValueCodec.key(new Object[] {key}, keyTypes), t, row);
    }

    private void checkShare() {
      if (columns.heapBytes() > share) {
        toSorter();
      }
    }

    private void toSorter() {
      sorter = new ExternalSorter<>("probes-" + view, JoinRows.PROBE_CODEC, JoinRows.PROBE_ORDER, share, spill);
      sorters.add(sorter);
      for (int i = 0; i < columns.size(); i++) {
        sorter.add(columns.toProbe(i));
      }
      columns = null;
    }

    boolean inMemory() {
      return columns != null;
    }

    long heapBytes() {
      return columns != null ? columns.heapBytes() : share;
    }

    /** The probes sorted by (key, t), as records: for the spilling path. */
    Iterator<Probe> sorted() {
      if (columns == null) {
        return sorter.sorted();
      }
      ProbeColumns all = columns;
      all.sort();
      return java.util.stream.IntStream.range(0, all.size()).mapToObj(all::toProbe).iterator();
    }

    void release() {
      columns = null;
      if (sorter != null) {
        sorter.close();
      }
    }
  }

  /**
   * Runs the views' joins on up to one thread per core and returns their results in order. On a failure, waits
   * for the others to end (so that no sorter is closed while in use) and rethrows the first failure as it was.
   */
  private static List<ViewMatches> runAll(List<Callable<ViewMatches>> work) {
    int threads = parallelism(work.size());
    if (threads == 1) {
      List<ViewMatches> results = new ArrayList<>();
      for (Callable<ViewMatches> task : work) {
        results.add(call(task));
      }
      return results;
    }
    AtomicInteger named = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(threads, task -> {
      Thread thread = new Thread(task, "fstore-join-" + named.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
    try {
      List<Future<ViewMatches>> futures = new ArrayList<>();
      for (Callable<ViewMatches> task : work) {
        futures.add(pool.submit(() -> call(task)));
      }
      List<ViewMatches> results = new ArrayList<>();
      RuntimeException failure = null;
      for (Future<ViewMatches> future : futures) {
        try {
          results.add(future.get());
        } catch (ExecutionException e) {
          if (failure == null) {
            failure = e.getCause() instanceof RuntimeException cause ? cause : new IllegalStateException(e.getCause());
            futures.forEach(f -> f.cancel(false));
          }
        } catch (CancellationException e) {
          // cancelled after an earlier failure, which is thrown below
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          futures.forEach(f -> f.cancel(true));
          throw new IllegalStateException("Cannot build training set: interrupted", e);
        }
      }
      if (failure != null) {
        pool.shutdown();
        awaitQuietly(pool);
        throw failure;
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }

  private static int parallelism(int views) {
    return Math.max(1, Math.min(views, Runtime.getRuntime().availableProcessors()));
  }

  private static ViewMatches call(Callable<ViewMatches> task) {
    try {
      return task.call();
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void awaitQuietly(ExecutorService pool) {
    try {
      pool.awaitTermination(1, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static double seconds(long fromNanos, long toNanos) {
    return (toNanos - fromNanos) / 1e9;
  }

  /**
   * Fills batches from the entity rows and the matches of each view, and hands each full batch to the sink. The
   * entity columns are set row by row as the file is read; each view's features a batch at a time when it is full.
   */
  private static final class BatchWriter {
    private final Plan plan;
    private final VectorSchemaRoot root;
    private final List<ViewMatches> matches;
    private final TrainingSetSink sink;
    private final int batchRows;
    private final ProgressListener progress;
    private final long total;
    private final List<FieldVector> vectors;
    /** The output's first columns: the entity file's. */
    private final int entityColumns;
    /** The entity row of the batch's first entry. */
    private long batchFirstRow;
    private int inBatch;

    BatchWriter(Plan plan, VectorSchemaRoot root, List<ViewMatches> matches, TrainingSetSink sink,
        int batchRows, ProgressListener progress, long total) {
      this.plan = plan;
      this.root = root;
      this.matches = matches;
      this.sink = sink;
      this.batchRows = batchRows;
      this.progress = progress;
      this.total = total;
      this.vectors = root.getFieldVectors();
      this.entityColumns = plan.entities.header().columns().size();
    }

    void writeAll() {
      startBatch();
      plan.entities.forEach((values, row) -> {
        for (int c = 0; c < values.length; c++) {
          ArrowValues.set(vectors.get(c), inBatch, plan.entityValue(c, values, row), plan.outputTypes[c]);
        }
        if (++inBatch == batchRows) {
          flush();
          batchFirstRow = row + 1;
          startBatch();
          progress.onProgress(row + 1, total);
        }
      });
      if (inBatch > 0 || total == 0) {
        flush();
      }
      progress.onProgress(total, total);
    }

    private void startBatch() {
      inBatch = 0;
      for (FieldVector vector : vectors) {
        vector.setInitialCapacity(batchRows);
        vector.allocateNew();
      }
    }

    /** Adds the views' features to the batch's entity rows and hands it to the sink. */
    private void flush() {
      int column = entityColumns;
      for (int v = 0; v < matches.size(); v++) {
        matches.get(v).fill(batchFirstRow, inBatch, vectors, column);
        column += plan.featureTypes.get(v).length;
      }
      root.setRowCount(inBatch);
      sink.write(root);
    }
  }

  /** The request resolved against the definitions and the entity file's header. */
  private static final class Plan {
    FeatureSelection selection;
    EntityFile entities;
    InputColumn event;
    /** per entity column: its typed reading (CSV key or timestamp columns), else null */
    InputColumn[] typed;
    /** per entity column of a Parquet file: the value type of its values */
    ValueType[] sourceTypes;
    boolean csv;
    final List<InputColumn[]> keyColumns = new ArrayList<>();
    final List<ValueType[]> keyTypes = new ArrayList<>();
    final List<ValueType[]> featureTypes = new ArrayList<>();
    /** Per view: whether its key is one INT64 or INT32 column, whose probes are added by prefix. */
    boolean[] integerKey;
    ValueType[] outputTypes;
    Schema outputSchema;

    /** The key bytes of view {@code v} in an entity row, null when a key value is null (matches nothing). */
    byte[] keyOf(int v, Object[] values, long row) {
      InputColumn[] columns = keyColumns.get(v);
      Object[] keyValues = new Object[columns.length];
      for (int k = 0; k < columns.length; k++) {
        keyValues[k] = columns[k].convert(values[columns[k].index()], row);
        if (keyValues[k] == null) {
          return null;
        }
      }
      return ValueCodec.key(keyValues, keyTypes.get(v));
    }

    /** The key of view {@code v} in an entity row when it is one integer column: a Long or Integer, or null. */
    Object integerKeyOf(int v, Object[] values, long row) {
      InputColumn column = keyColumns.get(v)[0];
      return column.convert(values[column.index()], row);
    }

    /** Entity column {@code c} of a row as its output value: typed CSV columns converted, Parquet values canonical. */
    Object entityValue(int c, Object[] values, long row) {
      Object raw = values[c];
      if (raw == null) {
        return null;
      }
      if (csv) {
        return typed[c] == null ? raw : typed[c].convert(raw, row);
      }
      return ViewSchemas.fromIceberg(raw, sourceTypes[c]);
    }
  }

  private static Plan plan(Definitions definitions, TrainingSetRequest request) {
    String action = "Cannot build training set from '" + request.entityFile().getFileName() + "'";
    FeatureSelection requested = request.featureService() == null
        ? definitions.select(request.features(), request.naming())
        : definitions.selectService(request.featureService(), request.naming());
    Plan plan = new Plan();
    plan.entities = EntityFile.open(request.entityFile(), action);
    InputTable header = plan.entities.header();
    List<String> columns = header.columns();
    Set<String> entityColumns = new LinkedHashSet<>(columns);
    plan.selection = requested.qualifyingNamesIn(entityColumns);
    for (String name : plan.selection.outputNames()) {
      if (entityColumns.contains(name)) {
        throw new InvalidRequestException(
            action + ": feature column '" + name + "' would clash with the entity column of that name");
      }
    }
    plan.csv = header.isCsv();
    plan.typed = new InputColumn[columns.size()];
    int eventIndex = header.indexOf(ViewSchemas.EVENT_TIMESTAMP);
    if (eventIndex < 0) {
      throw new InvalidRequestException(action + ": column '" + ViewSchemas.EVENT_TIMESTAMP + "' is missing");
    }
    plan.event = InputColumn.of(header, eventIndex, ValueType.TIMESTAMP, action);
    plan.typed[eventIndex] = plan.event;
    plan.integerKey = new boolean[plan.selection.views().size()];
    for (FeatureView view : plan.selection.views()) {
      List<JoinKey> joinKeys = plan.selection.joinKeys().get(view.name());
      InputColumn[] keyColumns = new InputColumn[joinKeys.size()];
      ValueType[] keyTypes = new ValueType[joinKeys.size()];
      for (int k = 0; k < keyColumns.length; k++) {
        JoinKey key = joinKeys.get(k);
        int index = header.indexOf(key.name());
        if (index < 0) {
          throw new InvalidRequestException(
              action + ": join key column '" + key.name() + "' (" + key.type() + ") of view '" + view.name()
                  + "' is missing");
        }
        keyColumns[k] = InputColumn.of(header, index, key.type(), action);
        keyTypes[k] = key.type();
        if (plan.typed[index] == null) {
          plan.typed[index] = keyColumns[k];
        }
      }
      plan.integerKey[plan.keyColumns.size()] = JoinRows.isIntegerKey(keyTypes);
      plan.keyColumns.add(keyColumns);
      plan.keyTypes.add(keyTypes);
      plan.featureTypes.add(featuresOf(plan.selection, view).stream().map(Feature::type).toArray(ValueType[]::new));
    }

    // output: the entity columns with their own types (CSV: the key or timestamp type they are read as, else
    // STRING), then one nullable column per feature
    List<Field> fields = new ArrayList<>();
    List<ValueType> types = new ArrayList<>();
    plan.sourceTypes = new ValueType[columns.size()];
    for (int c = 0; c < columns.size(); c++) {
      ValueType type;
      if (plan.csv) {
        type = plan.typed[c] == null ? ValueType.STRING : plan.typed[c].target();
      } else {
        type = TrainingSetSchema.entityColumnType(action, columns.get(c), header.types().get(c));
        plan.sourceTypes[c] = type;
      }
      types.add(type);
      fields.add(ArrowValues.field(columns.get(c), type));
    }
    for (FeatureView view : plan.selection.views()) {
      for (FeatureSelection.Column column : plan.selection.columnsOf(view.name())) {
        types.add(column.feature().type());
        fields.add(ArrowValues.field(column.outputName(), column.feature().type()));
      }
    }
    plan.outputTypes = types.toArray(ValueType[]::new);
    plan.outputSchema = new Schema(fields);
    return plan;
  }

  private static List<Feature> featuresOf(FeatureSelection selection, FeatureView view) {
    return selection.columnsOf(view.name()).stream().map(FeatureSelection.Column::feature).toList();
  }
}
