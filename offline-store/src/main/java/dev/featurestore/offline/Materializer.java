package dev.featurestore.offline;

import dev.featurestore.api.data.FeatureRow;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.definition.JoinKey;
import dev.featurestore.api.error.InvalidRequestException;
import dev.featurestore.api.error.UnavailableException;
import dev.featurestore.offline.IncrementalMaterializeResult.Kind;
import dev.featurestore.online.spi.OnlineStore;
import dev.featurestore.registry.MaterializationWatermark;
import dev.featurestore.registry.Registry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import java.util.function.Supplier;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataOperations;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.util.SnapshotUtil;

/**
 * Copies the newest row per key of a view's table to the online tier: of a time range ({@link #run}), or of what
 * was committed since the view's watermark ({@link #runIncremental}). Two passes over the files: the first reads
 * keys and timestamps only and keeps the newest row per key in primitive arrays ({@link NewestPerKey}); the second
 * decodes just those rows and streams them to the store's batch write, a few batches in flight at once so that
 * reading, encoding and the store overlap ({@link MaterializerWrites}), with memory and store load bounded.
 */
final class Materializer {
  static final int BATCH_SIZE = 10_000;
  static final int BATCHES_IN_FLIGHT = 4;
  /** Rows a reading thread gathers before handing them to the batches, so that it takes their lock rarely. */
  static final int CHUNK = 1_000;
  /** Threads reading a view's files at most: one per core, for the decoding is CPU-bound. */
  static final int READERS = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));

  private final ViewTables tables;
  private final int batchSize;
  /** Called with the number of batches the store confirmed so far, after each one: a fault hook for tests. */
  private final IntConsumer afterBatch;

  Materializer(ViewTables tables) {
    this(tables, BATCH_SIZE, batches -> {});
  }

  Materializer(ViewTables tables, int batchSize, IntConsumer afterBatch) {
    this.tables = tables;
    this.batchSize = batchSize;
    this.afterBatch = afterBatch;
  }

  MaterializeResult run(
      Definitions definitions,
      String viewName,
      long startMicros,
      long endMicros,
      OnlineStore online,
      ProgressListener progress) {
    long started = System.nanoTime();
    FeatureView view = definitions.requireView(viewName);
    if (startMicros >= endMicros) {
      throw new InvalidRequestException(
          "Cannot materialize view '" + viewName + "': start " + startMicros + " is not before end " + endMicros);
    }
    Optional<Table> table = tables.find(view.name());
    Snapshot snapshot = table.map(Table::currentSnapshot).orElse(null);
    if (snapshot == null) {
      progress.onProgress(0, 0);
      return new MaterializeResult(0, 0, Ingestion.seconds(started));
    }
    ViewRead read = new ViewRead(table.get(), snapshot, definitions.joinKeys(view), view);
    Expression range = Expressions.and(
        Expressions.greaterThanOrEqual(ViewSchemas.EVENT_TIMESTAMP, startMicros),
        Expressions.lessThan(ViewSchemas.EVENT_TIMESTAMP, endMicros));
    MaterializeResult result = read.materialize(table.get().newScan().useSnapshot(snapshot.snapshotId())
        .filter(range).select(read.columns).planFiles(), startMicros, endMicros - 1, online, progress);
    return new MaterializeResult(result.keysWritten(), result.rowsScanned(), Ingestion.seconds(started));
  }

  /**
   * Writes the newest row per key of what was committed to the view's table since its watermark, then moves the
   * watermark to the snapshot read. Nothing moves the watermark before every write is confirmed, so a run that
   * fails half way leaves it where it was and the next run reads the same rows again (event-time-wins makes the
   * repeated writes harmless).
   */
  IncrementalMaterializeResult runIncremental(
      Definitions definitions, String viewName, OnlineStore online, Registry registry, ProgressListener progress) {
    long started = System.nanoTime();
    FeatureView view = definitions.requireView(viewName);
    Optional<MaterializationWatermark> watermark = registry.watermark(view.name());
    OptionalLong expected = watermark.map(w -> OptionalLong.of(w.snapshotId())).orElse(OptionalLong.empty());
    long from = watermark.map(MaterializationWatermark::snapshotId).orElse(-1L);
    Optional<Table> found = tables.find(view.name());
    Snapshot current = found.map(Table::currentSnapshot).orElse(null);
    if (current == null) {
      progress.onProgress(0, 0);
      return new IncrementalMaterializeResult(view.name(), Kind.NO_DATA, from, -1, 0, 0, false,
          Ingestion.seconds(started));
    }
    if (from == current.snapshotId()) {
      progress.onProgress(0, 0);
      return new IncrementalMaterializeResult(view.name(), Kind.UP_TO_DATE, from, from, 0, 0, false,
          Ingestion.seconds(started));
    }
    Table table = found.get();
    Kind kind = watermark.isPresent() && onlyAppendsAndRewritesSince(table, current, from)
        ? Kind.INCREMENTAL
        : Kind.FULL;
    ViewRead read = new ViewRead(table, current, definitions.joinKeys(view), view);
    CloseableIterable<FileScanTask> tasks = kind == Kind.INCREMENTAL
        // an append scan reads the files each append snapshot added, skipping rewrites: their rows are old rows
        ? table.newIncrementalAppendScan().fromSnapshotExclusive(from).toSnapshot(current.snapshotId())
            .select(read.columns).planFiles()
        : table.newScan().useSnapshot(current.snapshotId()).select(read.columns).planFiles();
    MaterializeResult result = read.materialize(tasks, Long.MIN_VALUE, Long.MAX_VALUE, online, progress);
    boolean advanced = registry.advanceWatermark(view.name(), expected, current.snapshotId());
    return new IncrementalMaterializeResult(view.name(), kind, kind == Kind.FULL ? -1 : from,
        current.snapshotId(), result.keysWritten(), result.rowsScanned(), advanced, Ingestion.seconds(started));
  }

  /**
   * Whether the rows committed after {@code from} up to {@code current} are exactly those of the append snapshots
   * in between: {@code from} is still in the history of {@code current}, and every snapshot after it either appends
   * or rewrites without changing rows (compaction). Overwrites and deletes, which this store never commits, would
   * remove rows an append scan cannot see.
   */
  private static boolean onlyAppendsAndRewritesSince(Table table, Snapshot current, long from) {
    if (table.snapshot(from) == null || !SnapshotUtil.isAncestorOf(table, current.snapshotId(), from)) {
      return false;
    }
    for (Snapshot snapshot : SnapshotUtil.ancestorsBetween(table, current.snapshotId(), from)) {
      String operation = snapshot.operation();
      if (!DataOperations.APPEND.equals(operation) && !DataOperations.REPLACE.equals(operation)) {
        return false;
      }
    }
    return true;
  }

  /** The columns of a view to read at one snapshot, the files to read, and the two passes over them. */
  private final class ViewRead {
    final List<String> columns;
    final ViewRowReader reader;
    final FeatureView view;

    ViewRead(Table table, Snapshot snapshot, List<JoinKey> keys, FeatureView view) {
      Schema schema = table.schemas().get(snapshot.schemaId());
      if (schema == null) {
        schema = table.schema();
      }
      this.columns = ViewRowReader.columnNames(schema, keys, view.features());
      this.reader = ViewRowReader.of(table, schema, keys, view);
      this.view = view;
    }

    /**
     * Writes the newest row per key among the rows of the files of {@code tasks} with {@code fromMicros <=
     * event_timestamp <= toMicros}. The first pass finds the newest rows from keys and timestamps alone, the second
     * decodes those rows only and streams them to the store, so memory holds a few primitives per key, not rows.
     */
    MaterializeResult materialize(CloseableIterable<FileScanTask> tasks, long fromMicros, long toMicros,
        OnlineStore online, ProgressListener progress) {
      long started = System.nanoTime();
      List<DataFile> files = new ArrayList<>();
      try (tasks) {
        tasks.forEach(task -> files.add(task.file()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      NewestPerKey newest = newest(files, fromMicros, toMicros);
      long written = write(files, newest, online, progress);
      return new MaterializeResult(written, newest.scanned(), Ingestion.seconds(started));
    }

    /**
     * The newest row per key of {@code files}: read on up to {@link #READERS} threads, each file by one thread into
     * a {@link NewestPerKey} of its own, merged at the end; the result does not depend on the threads.
     */
    private NewestPerKey newest(List<DataFile> files, long fromMicros, long toMicros) {
      long[] sequences = new long[files.size()];
      for (int f = 0; f < sequences.length; f++) {
        Long sequence = files.get(f).dataSequenceNumber();
        sequences[f] = sequence == null ? 0 : sequence;
      }
      AtomicInteger next = new AtomicInteger();
      List<NewestPerKey> parts = onReaders(files.size(), () -> {
        NewestPerKey part = reader.newestPerKey(sequences);
        forEachFile(files.size(), next, file -> reader.offerNewest(files.get(file), file, fromMicros, toMicros, part));
        return part;
      });
      NewestPerKey merged = parts.get(0);
      for (NewestPerKey part : parts.subList(1, parts.size())) {
        merged = merged.size() >= part.size() ? merged.mergeFrom(part) : part.mergeFrom(merged);
      }
      return merged;
    }

    /**
     * Reads the rows {@code newest} kept, the files on up to {@link #READERS} threads, and writes them in batches of
     * {@link #batchSize}; returns how many were written.
     */
    private long write(List<DataFile> files, NewestPerKey newest, OnlineStore online, ProgressListener progress) {
      int[][] positions = newest.positionsByFile(files.size());
      List<Integer> withRows = new ArrayList<>();
      for (int f = 0; f < positions.length; f++) {
        if (positions[f].length > 0) {
          withRows.add(f);
        }
      }
      MaterializerWrites writes =
          new MaterializerWrites(online, view, batchSize, BATCHES_IN_FLIGHT, newest.size(), progress, afterBatch);
      AtomicInteger next = new AtomicInteger();
      try {
        onReaders(withRows.size(), () -> {
          List<FeatureRow> chunk = new ArrayList<>(CHUNK);
          forEachFile(withRows.size(), next, i -> reader.readRows(files.get(withRows.get(i)),
              positions[withRows.get(i)], row -> {
                chunk.add(row);
                if (chunk.size() == CHUNK) {
                  writes.add(chunk);
                  chunk.clear();
                }
              }));
          writes.add(chunk);
          return null;
        });
        return writes.finish();
      } catch (RuntimeException e) {
        RuntimeException first = writes.settle();
        throw first != null ? first : e;
      }
    }
  }

  /**
   * Calls {@code read} with file indexes taken from {@code next} until none is left. A failure makes the other
   * threads stop after their current file.
   */
  private static void forEachFile(int files, AtomicInteger next, IntConsumer read) {
    try {
      for (int file = next.getAndIncrement(); file < files; file = next.getAndIncrement()) {
        read.accept(file);
      }
    } catch (RuntimeException e) {
      next.set(files);
      throw e;
    }
  }

  /**
   * Runs {@code work} on as many threads as there are files, up to {@link #READERS}, of a pool of this call (on
   * the calling thread when one is enough), and returns each thread's result; the first failure is rethrown once
   * every thread has ended.
   */
  private static <T> List<T> onReaders(int files, Supplier<T> work) {
    int threads = Math.min(READERS, files);
    if (threads <= 1) {
      List<T> one = new ArrayList<>(1);
      one.add(work.get());
      return one;
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads, runnable -> {
      Thread thread = new Thread(runnable, "materialize-read");
      thread.setDaemon(true);
      return thread;
    });
    try {
      List<Future<T>> parts = new ArrayList<>(threads);
      for (int t = 0; t < threads; t++) {
        parts.add(pool.submit(work::get));
      }
      List<T> results = new ArrayList<>(threads);
      RuntimeException first = null;
      for (Future<T> part : parts) {
        try {
          results.add(awaitPart(part));
        } catch (RuntimeException e) {
          first = first == null ? e : first;
        }
      }
      if (first != null) {
        throw first;
      }
      return results;
    } finally {
      pool.shutdown();
    }
  }

  private static <T> T awaitPart(Future<T> part) {
    try {
      return part.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnavailableException("Cannot materialize: interrupted while reading the view's files", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException failure) {
        throw failure;
      }
      throw new IllegalStateException("Cannot materialize: reading the view's files failed", e.getCause());
    }
  }
}
