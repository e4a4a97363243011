package dev.featurestore.offline;

import dev.featurestore.api.data.FeatureRow;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.error.FeatureStoreException;
import dev.featurestore.api.error.UnavailableException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The push write-ahead log: group commit into append-only segment files, and a background flusher that appends the
 * segments' rows to the views' Iceberg tables exactly once.
 *
 * <p><b>Group commit.</b> {@link #append} encodes the rows into one checksummed record (see {@link WalSegment},
 * {@link WalCodec}) on the caller's thread and puts it on a bounded queue; when the queue is full it fails at once
 * with {@link UnavailableException}, so a slow disk pushes back on clients instead of growing memory. One writer
 * thread takes everything queued (up to {@value #MAX_BATCH} records), writes it to the open segment with one gather
 * write, forces the file once ({@code fdatasync}) and only then completes the appends' stages: many concurrent
 * pushes share one fsync, and no push is acknowledged before its bytes are on the device. After a failed write the
 * segment is sealed, so a later record never follows a torn one.
 *
 * <p><b>Flushing.</b> Every flush interval, or when the open segment outgrows its size, the flusher seals the open
 * segment (the writer opens a new one with the next append) and, for each sealed segment in order, appends its rows
 * to each view's table with {@link OfflineStore#append} under the id {@code push-wal:<segment>}, one commit per view
 * per segment, then deletes the segment. The id, kept in the snapshot summary, makes replay idempotent: a crash
 * between a commit and the delete replays the segment, and the views it already reached are skipped. Segment ids
 * (a microsecond sequence and a random suffix) never repeat across restarts, so an old id cannot hide new rows.
 *
 * <p><b>Recovery.</b> {@link #open} locks the directory, then flushes every segment a previous process left. A
 * crash can tear only the last, unforced records of the segment that was open; reading stops at the first frame
 * whose length or checksum does not match and the file is cut there. Those records were never acknowledged.
 *
 * <p>Rows whose view is no longer defined are dropped with a warning at flush; features the view no longer has are
 * left out. A segment the offline store refuses (a definition change that contradicts the rows) moves to
 * {@code rejected/} with an error in the log instead of blocking the segments after it; any other failure keeps the
 * segment for the next flush.
 */
final class WriteAheadPushLog implements OfflinePushLog {
  private static final Logger LOG = LoggerFactory.getLogger(WriteAheadPushLog.class);
  static final int MAX_BATCH = 1024;
  static final String APPEND_ID_PREFIX = "push-wal:";
  private static final String LOCK_FILE = "lock";
  private static final String REJECTED = "rejected";
  private static final long CLOSE_TIMEOUT_SECONDS = 120;

  private final Path directory;
  private final OfflineStore store;
  private final Supplier<Definitions> definitions;
  private final PushLogOptions options;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final BlockingQueue<Pending> queue;
  /** Appends take the read side; close takes the write side, so no append is queued after the writer drained. */
  private final ReentrantReadWriteLock admission = new ReentrantReadWriteLock();
  private volatile boolean closed;
  /**
   * Guards the open segment and the sequence: the writer holds it per batch, the flusher to seal. Package-private
   * so that a test can stall the writer deterministically.
   */
  final ReentrantLock segmentLock = new ReentrantLock();
  private WalSegment current;
  private long lastSequence;
  /** Segments that are closed and wait for the flusher, oldest first. */
  private final Deque<Path> sealed = new ConcurrentLinkedDeque<>();
  private final Thread writer;
  private final ScheduledExecutorService flusher;

  private record Pending(byte[] frame, CompletableFuture<Void> done) {}

  private WriteAheadPushLog(
      Path directory,
      OfflineStore store,
      Supplier<Definitions> definitions,
      PushLogOptions options,
      FileChannel lockChannel,
      FileLock lock) {
    this.directory = directory;
    this.store = store;
    this.definitions = definitions;
    this.options = options;
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.queue = new ArrayBlockingQueue<>(options.queueCapacity());
    this.writer = new Thread(this::runWriter, "push-wal-writer");
    this.writer.setDaemon(true);
    this.flusher = Executors.newSingleThreadScheduledExecutor(task -> {
      Thread thread = new Thread(task, "push-wal-flusher");
      thread.setDaemon(true);
      return thread;
    });
  }

  static WriteAheadPushLog open(
      Path directory, OfflineStore store, Supplier<Definitions> definitions, PushLogOptions options) {
    FileChannel lockChannel = null;
    FileLock lock;
    List<Path> left;
    try {
      Files.createDirectories(directory);
      lockChannel = FileChannel.open(directory.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      try {
        lock = lockChannel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        throw new UnavailableException("Cannot open push log at '" + directory + "': another push log holds it", null);
      }
      try (Stream<Path> files = Files.list(directory)) {
        left = files.filter(file -> file.getFileName().toString().endsWith(WalSegment.SUFFIX)).sorted().toList();
      }
    } catch (IOException e) {
      closeQuietly(lockChannel);
      throw new UnavailableException("Cannot open push log at '" + directory + "': " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(lockChannel);
      throw e;
    }
    WriteAheadPushLog log = new WriteAheadPushLog(directory, store, definitions, options, lockChannel, lock);
    for (Path file : left) {
      log.lastSequence = Math.max(log.lastSequence, sequenceOf(file));
      log.sealed.add(file);
    }
    if (!left.isEmpty()) {
      LOG.info("Replaying {} push log segment(s) from '{}' into the offline store", left.size(), directory);
      try {
        log.commitSealed();
      } catch (RuntimeException e) {
        LOG.warn("Cannot replay the push log at '{}' yet; retrying every {}: {}", directory,
            options.flushInterval(), e.getMessage());
      }
    }
    log.writer.start();
    long interval = options.flushInterval().toMillis();
    log.flusher.scheduleWithFixedDelay(log::flushInBackground, interval, interval, TimeUnit.MILLISECONDS);
    return log;
  }

  @Override
  public CompletionStage<Void> append(FeatureView view, List<FeatureRow> rows) {
    if (rows.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    byte[] frame;
    try {
      frame = WalSegment.frame(WalCodec.encode(view, rows));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    admission.readLock().lock();
    try {
      if (closed) {
        return CompletableFuture.failedFuture(new UnavailableException(
            "Cannot log a push to view '" + view.name() + "': the push log is closed", null));
      }
      if (!queue.offer(new Pending(frame, done))) {
        return CompletableFuture.failedFuture(new UnavailableException(
            "Cannot log a push to view '" + view.name() + "': " + options.queueCapacity()
                + " pushes are already waiting for the disk; retry later", null));
      }
    } finally {
      admission.readLock().unlock();
    }
    return done;
  }

  @Override
  public void flush() {
    try {
      flusher.submit(() -> {
        sealOpenSegment();
        commitSealed();
        return null;
      }).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnavailableException("Cannot flush the push log at '" + directory + "': interrupted", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException failure) {
        throw failure;
      }
      throw new UnavailableException("Cannot flush the push log at '" + directory + "': " + e.getCause(), e);
    } catch (RejectedExecutionException e) {
      throw new UnavailableException("Cannot flush the push log at '" + directory + "': it is closed", e);
    }
  }

  @Override
  public void close() {
    admission.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
    } finally {
      admission.writeLock().unlock();
    }
    boolean interrupted = false;
    try {
      writer.join();
      flusher.shutdown();
      if (!flusher.awaitTermination(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        LOG.warn("The push log flusher did not stop within {} s; its segments stay for the next open",
            CLOSE_TIMEOUT_SECONDS);
        return;
      }
      sealOpenSegment();
      commitSealed();
    } catch (InterruptedException e) {
      interrupted = true;
    } catch (RuntimeException e) {
      LOG.warn("Cannot flush the push log at '{}' on close; its segments stay for the next open: {}", directory,
          e.getMessage());
    } finally {
      releaseLock();
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void runWriter() {
    List<Pending> batch = new ArrayList<>();
    while (true) {
      Pending first;
      try {
        first = queue.poll(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        // the thread is private to this log and never interrupted by it; stopping here would strand queued
        // appends, so the writer ends only through close, after draining the queue
        continue;
      }
      if (first == null) {
        if (closed && queue.isEmpty()) {
          return;
        }
        continue;
      }
      batch.add(first);
      queue.drainTo(batch, MAX_BATCH - 1);
      writeBatch(batch);
      batch.clear();
    }
  }

  /** Writes and forces a batch, then completes its stages: the group commit. */
  private void writeBatch(List<Pending> batch) {
    List<byte[]> frames = new ArrayList<>(batch.size());
    batch.forEach(pending -> frames.add(pending.frame()));
    Exception failure = null;
    boolean full = false;
    segmentLock.lock();
    try {
      if (current == null) {
        current = WalSegment.create(directory, nextSegmentId());
      }
      current.append(frames);
      current.sync();
      full = current.size() >= options.segmentBytes();
      if (full) {
        sealOpenSegmentLocked();
      }
    } catch (IOException | RuntimeException e) {
      failure = e;
      // the segment may now end in part of a frame: no later record may follow it there
      try {
        sealOpenSegmentLocked();
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
    } finally {
      segmentLock.unlock();
    }
    if (failure == null) {
      batch.forEach(pending -> pending.done().complete(null));
    } else {
      LOG.warn("Cannot write {} push(es) to the push log at '{}'", batch.size(), directory, failure);
      UnavailableException error = new UnavailableException(
          "Cannot make pushed rows durable in the push log at '" + directory + "': " + failure.getMessage(), failure);
      batch.forEach(pending -> pending.done().completeExceptionally(error));
    }
    if (full) {
      try {
        flusher.execute(this::flushInBackground);
      } catch (RejectedExecutionException e) {
        // closing: close flushes what is sealed
      }
    }
  }

  private String nextSegmentId() {
    lastSequence = Math.max(lastSequence + 1, System.currentTimeMillis() * 1000);
    return String.format("%020d-%08x", lastSequence, ThreadLocalRandom.current().nextInt());
  }

  private static long sequenceOf(Path segment) {
    String name = segment.getFileName().toString();
    int dash = name.indexOf('-');
    try {
      return Long.parseLong(dash < 0 ? name.substring(0, name.length() - WalSegment.SUFFIX.length())
          : name.substring(0, dash));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private void sealOpenSegment() {
    segmentLock.lock();
    try {
      sealOpenSegmentLocked();
    } finally {
      segmentLock.unlock();
    }
  }

  private void sealOpenSegmentLocked() {
    WalSegment segment = current;
    if (segment == null) {
      return;
    }
    current = null;
    try {
      segment.close();
    } catch (IOException e) {
      LOG.warn("Cannot close push log segment '{}': {}", segment.file(), e.getMessage());
    }
    sealed.add(segment.file());
  }

  private void flushInBackground() {
    try {
      sealOpenSegment();
      commitSealed();
    } catch (RuntimeException e) {
      LOG.warn("Cannot flush the push log at '{}' now; retrying in {}: {}", directory, options.flushInterval(),
          e.getMessage());
    }
  }

  /** Appends each sealed segment to the tables, oldest first; stops at the first that fails for now. */
  private void commitSealed() {
    for (Path file = sealed.peek(); file != null; file = sealed.peek()) {
      try {
        commitSegment(file);
      } catch (IOException e) {
        throw new UnavailableException("Cannot flush push log segment '" + file + "': " + e.getMessage(), e);
      } catch (UnavailableException e) {
        throw e;
      } catch (FeatureStoreException | IllegalStateException e) {
        // refused by the store or undecodable: retrying cannot help, and it must not block later segments
        reject(file, e);
      }
      sealed.poll();
    }
  }

  private void commitSegment(Path file) throws IOException {
    WalSegment.Contents contents = WalSegment.read(file);
    String id = idOf(file);
    if (contents.torn()) {
      LOG.warn("Push log segment '{}' ends in {} bytes of a torn or corrupt record (never acknowledged); cutting "
          + "them", file, contents.fileBytes() - contents.validBytes());
      if (contents.validBytes() > 0) {
        WalSegment.truncate(file, contents.validBytes());
      }
    }
    Map<String, List<FeatureRow>> byView = new LinkedHashMap<>();
    for (byte[] payload : contents.payloads()) {
      WalCodec.Entry entry = WalCodec.decode(payload);
      byView.computeIfAbsent(entry.view(), name -> new ArrayList<>()).addAll(entry.rows());
    }
    if (!byView.isEmpty()) {
      Definitions current = definitions.get();
      for (Map.Entry<String, List<FeatureRow>> rows : byView.entrySet()) {
        FeatureView view = current.view(rows.getKey()).orElse(null);
        if (view == null) {
          LOG.warn("Dropping {} pushed row(s) of view '{}' from push log segment '{}': the view is no longer defined",
              rows.getValue().size(), rows.getKey(), id);
          continue;
        }
        IngestResult result = store.append(current, view.name(), onlyFeaturesOf(view, rows.getValue()),
            APPEND_ID_PREFIX + id);
        LOG.debug("Push log segment '{}': {} row(s) of view '{}' in snapshot {}", id, result.rows(), view.name(),
            result.snapshotId());
      }
    }
    Files.deleteIfExists(file);
  }

  private static List<FeatureRow> onlyFeaturesOf(FeatureView view, List<FeatureRow> rows) {
    List<FeatureRow> kept = new ArrayList<>(rows.size());
    for (FeatureRow row : rows) {
      if (row.values().keySet().stream().allMatch(name -> view.feature(name).isPresent())) {
        kept.add(row);
      } else {
        Map<String, Object> values = new HashMap<>(row.values());
        values.keySet().removeIf(name -> view.feature(name).isEmpty());
        kept.add(new FeatureRow(row.key(), row.eventTimestampMicros(), row.createdTimestampMicros(), values));
      }
    }
    return kept;
  }

  private void reject(Path file, RuntimeException reason) {
    try {
      Path rejected = Files.createDirectories(directory.resolve(REJECTED));
      Files.move(file, rejected.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      LOG.error("Push log segment '{}' cannot be appended to the offline store and was moved to '{}': {}",
          file.getFileName(), rejected, reason.getMessage());
    } catch (IOException e) {
      reason.addSuppressed(e);
      throw new UnavailableException("Cannot set aside push log segment '" + file + "': " + e.getMessage(), reason);
    }
  }

  private static String idOf(Path segment) {
    String name = segment.getFileName().toString();
    return name.substring(0, name.length() - WalSegment.SUFFIX.length());
  }

  private void releaseLock() {
    try {
      lock.release();
    } catch (IOException e) {
      LOG.warn("Cannot release the lock of the push log at '{}': {}", directory, e.getMessage());
    }
    closeQuietly(lockChannel);
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        // nothing was written through it
      }
    }
  }

  @Override
  public String toString() {
    return "WriteAheadPushLog[" + directory + "]";
  }
}
