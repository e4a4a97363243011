package dev.featurestore.offline;

import dev.featurestore.api.data.EntityKey;
import dev.featurestore.api.data.FeatureRow;
import dev.featurestore.api.data.FeatureValues;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.definition.JoinKey;
import dev.featurestore.api.error.FeatureStoreException;
import dev.featurestore.api.error.InvalidRequestException;
import dev.featurestore.api.error.UnavailableException;
import dev.featurestore.offline.IncrementalMaterializeResult.Kind;
import dev.featurestore.online.spi.OnlineStore;
import dev.featurestore.registry.MaterializationWatermark;
import dev.featurestore.registry.Registry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
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
 * was committed since the view's watermark ({@link #runIncremental}). Writes go in batches through the store's
 * batch write, a few batches in flight at once so that reading, encoding and the store overlap, with memory and
 * store load bounded by the batches in flight.
 */
final class Materializer {
  static final int BATCH_SIZE = 10_000;
  static final int BATCHES_IN_FLIGHT = 4;
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
    NewestPerKey newest = read.scan(table.get().newScan().useSnapshot(snapshot.snapshotId()).filter(range)
        .select(read.columns).planFiles(), startMicros, endMicros - 1);
    long written = write(online, view, newest.rows(), progress);
    return new MaterializeResult(written, newest.scanned, Ingestion.seconds(started));
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
    NewestPerKey newest = read.scan(tasks, Long.MIN_VALUE, Long.MAX_VALUE);
    long written = write(online, view, newest.rows(), progress);
    boolean advanced = registry.advanceWatermark(view.name(), expected, current.snapshotId());
    return new IncrementalMaterializeResult(view.name(), kind, kind == Kind.FULL ? -1 : from,
        current.snapshotId(), written, newest.scanned, advanced, Ingestion.seconds(started));
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

  /** Sends the rows in batches, {@link #BATCHES_IN_FLIGHT} at most unconfirmed; returns how many were written. */
  private long write(OnlineStore online, FeatureView view, Collection<StoredRow> rows, ProgressListener progress) {
    long total = rows.size();
    progress.onProgress(0, total);
    Deque<CompletableFuture<Void>> inFlight = new ArrayDeque<>();
    Deque<Integer> sizes = new ArrayDeque<>();
    long done = 0;
    int confirmed = 0;
    try {
      List<FeatureRow> batch = new ArrayList<>(Math.min(batchSize, rows.size()));
      for (StoredRow row : rows) {
        batch.add(new FeatureRow(row.key(), row.eventMicros(), row.createdMicros(),
            FeatureValues.of(view, row.values())));
        if (batch.size() == batchSize) {
          inFlight.add(online.write(view, batch).toCompletableFuture());
          sizes.add(batch.size());
          batch = new ArrayList<>(batchSize);
          if (inFlight.size() == BATCHES_IN_FLIGHT) {
            await(view, inFlight.poll());
            done += sizes.poll();
            progress.onProgress(done, total);
            afterBatch.accept(++confirmed);
          }
        }
      }
      if (!batch.isEmpty()) {
        inFlight.add(online.write(view, batch).toCompletableFuture());
        sizes.add(batch.size());
      }
      while (!inFlight.isEmpty()) {
        await(view, inFlight.poll());
        done += sizes.poll();
        progress.onProgress(done, total);
        afterBatch.accept(++confirmed);
      }
      return done;
    } catch (RuntimeException e) {
      // let the batches already sent settle, so that nothing of this run writes after it has failed
      for (CompletableFuture<Void> pending : inFlight) {
        try {
          pending.join();
        } catch (RuntimeException ignored) {
          // the first failure is the one reported
        }
      }
      throw e;
    }
  }

  private static void await(FeatureView view, CompletableFuture<Void> write) {
    try {
      write.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnavailableException("Cannot materialize view '" + view.name() + "': interrupted", e);
    } catch (ExecutionException | CancellationException e) {
      Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
      if (cause instanceof FeatureStoreException known) {
        throw known;
      }
      throw new UnavailableException(
          "Cannot materialize view '" + view.name() + "': the online store failed (" + cause + ")", cause);
    }
  }

  /** The columns of a view to read at one snapshot, and the reader of its files. */
  private static final class ViewRead {
    final List<String> columns;
    final ViewRowReader reader;

    ViewRead(Table table, Snapshot snapshot, List<JoinKey> keys, FeatureView view) {
      Schema schema = table.schemas().get(snapshot.schemaId());
      if (schema == null) {
        schema = table.schema();
      }
      this.columns = ViewRowReader.columnNames(schema, keys, view.features());
      this.reader = ViewRowReader.of(table, schema, keys, view.features());
    }

    /**
     * The newest row per key of the files of {@code tasks}: read on up to {@link #READERS} threads of a pool of this
     * call, each file by one thread into a {@link NewestPerKey} of its own, merged at the end. Rows equal in the
     * whole point-in-time order (same commit, same position in two files) go to the file planned first, as they
     * would reading the files one by one, so the result does not depend on the threads.
     */
    NewestPerKey scan(CloseableIterable<FileScanTask> tasks, long fromMicros, long toMicros) {
      List<DataFile> files = new ArrayList<>();
      try (tasks) {
        tasks.forEach(task -> files.add(task.file()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      int threads = Math.min(READERS, files.size());
      if (threads <= 1) {
        return readFiles(files, new AtomicInteger(), fromMicros, toMicros);
      }
      AtomicInteger next = new AtomicInteger();
      ExecutorService pool = Executors.newFixedThreadPool(threads, runnable -> {
        Thread thread = new Thread(runnable, "materialize-read");
        thread.setDaemon(true);
        return thread;
      });
      try {
        List<Future<NewestPerKey>> parts = new ArrayList<>(threads);
        for (int t = 0; t < threads; t++) {
          parts.add(pool.submit(() -> readFiles(files, next, fromMicros, toMicros)));
        }
        NewestPerKey merged = null;
        for (Future<NewestPerKey> part : parts) {
          NewestPerKey read = awaitPart(part);
          merged = merged == null ? read : merged.mergeFrom(read);
        }
        return merged;
      } finally {
        pool.shutdownNow();
      }
    }

    /** Reads files by increasing index, taking the next index from {@code next}, until none is left. */
    private NewestPerKey readFiles(List<DataFile> files, AtomicInteger next, long fromMicros, long toMicros) {
      NewestPerKey newest = new NewestPerKey();
      for (int file = next.getAndIncrement(); file < files.size(); file = next.getAndIncrement()) {
        newest.file = file;
        reader.read(files.get(file), fromMicros, toMicros, newest);
      }
      return newest;
    }

    private static NewestPerKey awaitPart(Future<NewestPerKey> part) {
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

  /**
   * Keeps, per key, the newest row it was given (the point-in-time ordering; of two rows equal in it, the one of
   * the file with the smaller index), and counts them all. Not thread-safe: one per reading thread.
   */
  private static final class NewestPerKey implements Consumer<StoredRow> {
    private final Map<EntityKey, Candidate> newest = new HashMap<>();
    long scanned;
    /** The index of the file whose rows are being given. */
    int file;

    @Override
    public void accept(StoredRow row) {
      scanned++;
      newest.merge(row.key(), new Candidate(row, file), Candidate::newer);
    }

    /** Adds the rows and counts of {@code other} to these; returns this. */
    NewestPerKey mergeFrom(NewestPerKey other) {
      scanned += other.scanned;
      other.newest.forEach((key, candidate) -> newest.merge(key, candidate, Candidate::newer));
      return this;
    }

    Collection<StoredRow> rows() {
      List<StoredRow> rows = new ArrayList<>(newest.size());
      newest.values().forEach(candidate -> rows.add(candidate.row()));
      return rows;
    }
  }

  /** A row and the index of the file it was read from. */
  private record Candidate(StoredRow row, int file) {
    static Candidate newer(Candidate a, Candidate b) {
      int order = StoredRow.NEWEST_LAST.compare(a.row, b.row);
      if (order != 0) {
        return order > 0 ? a : b;
      }
      return a.file <= b.file ? a : b;
    }
  }
}
