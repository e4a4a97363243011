package dev.featurestore.offline;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;

/**
 * Sorts records of any count in bounded memory: records are buffered until their estimated size reaches the
 * budget, then sorted and written to a run file in the spill directory; {@link #sorted()} merges the runs (and
 * whatever is still buffered) with a heap. When everything fits the budget nothing touches the disk.
 *
 * <p>The sort is stable: records that compare equal come out in the order they were added. Not thread-safe: one
 * thread adds, then iterates. {@link #close()} deletes the run files.
 */
final class ExternalSorter<T> implements AutoCloseable {
  private static final int IO_BUFFER = 1 << 16;
  /** Runs merged at once: bounds open files and read buffers; more runs are merged in passes first. */
  private static final int MAX_FAN_IN = 64;

  private final SpillCodec<T> codec;
  private final Comparator<T> order;
  private final long budgetBytes;
  private final Path spillDirectory;
  private final String name;
  private final List<Path> runs = new ArrayList<>();
  private final List<DataInputStream> open = new ArrayList<>();
  private List<T> buffer = new ArrayList<>();
  private long bufferedBytes;
  private long count;
  private int runsWritten;
  private boolean iterating;

  /**
   * @param name what is sorted, for the run files' names ("probes-user_stats")
   * @param budgetBytes the estimated heap the buffer may take before it is spilled
   */
  ExternalSorter(String name, SpillCodec<T> codec, Comparator<T> order, long budgetBytes, Path spillDirectory) {
    this.name = name;
    this.codec = codec;
    this.order = order;
    this.budgetBytes = budgetBytes;
    this.spillDirectory = spillDirectory;
  }

  void add(T record) {
    if (iterating) {
      throw new IllegalStateException("Cannot add to sorter '" + name + "': it is already being read");
    }
    buffer.add(record);
    bufferedBytes += codec.heapBytes(record) + 8;
    count++;
    if (bufferedBytes >= budgetBytes) {
      spill();
    }
  }

  long count() {
    return count;
  }

  /** How many sorted runs were spilled to disk (also after {@link #close()}); merge passes not counted. */
  int spilledRuns() {
    return runsWritten;
  }

  /** Every record added, in order; call once, after the last {@link #add}. */
  Iterator<T> sorted() {
    if (iterating) {
      throw new IllegalStateException("Cannot read sorter '" + name + "' twice");
    }
    iterating = true;
    buffer.sort(order); // List.sort is a stable merge sort
    if (runs.isEmpty()) {
      List<T> all = buffer;
      buffer = new ArrayList<>();
      return all.iterator();
    }
    if (!buffer.isEmpty()) {
      spill();
    }
    while (runs.size() > MAX_FAN_IN) {
      mergeFirstRuns();
    }
    List<Iterator<T>> sources = new ArrayList<>();
    for (Path run : runs) {
      sources.add(readRun(run));
    }
    return new MergingIterator<>(sources, order);
  }

  /** Replaces the first {@link #MAX_FAN_IN} runs by their merge, in their place, so that the order stays stable. */
  private void mergeFirstRuns() {
    List<Path> first = new ArrayList<>(runs.subList(0, MAX_FAN_IN));
    List<Iterator<T>> sources = new ArrayList<>();
    for (Path run : first) {
      sources.add(readRun(run));
    }
    try {
      Path merged = Files.createTempFile(spillDirectory, "fstore-" + name + "-", ".run");
      try (DataOutputStream out =
          new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(merged), IO_BUFFER))) {
        for (Iterator<T> it = new MergingIterator<>(sources, order); it.hasNext(); ) {
          codec.write(out, it.next());
        }
      }
      for (DataInputStream in : open) {
        in.close();
      }
      open.clear();
      for (Path run : first) {
        Files.deleteIfExists(run);
      }
      runs.subList(0, MAX_FAN_IN).clear();
      runs.add(0, merged);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot merge " + name + " runs in '" + spillDirectory + "': " + e.getMessage(), e);
    }
  }

  private void spill() {
    buffer.sort(order);
    try {
      Files.createDirectories(spillDirectory);
      Path run = Files.createTempFile(spillDirectory, "fstore-" + name + "-", ".run");
      runs.add(run);
      runsWritten++;
      try (DataOutputStream out =
          new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(run), IO_BUFFER))) {
        for (T record : buffer) {
          codec.write(out, record);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot spill " + name + " to '" + spillDirectory + "': " + e.getMessage(), e);
    }
    buffer = new ArrayList<>();
    bufferedBytes = 0;
  }

  private Iterator<T> readRun(Path run) {
    DataInputStream in;
    try {
      in = new DataInputStream(new BufferedInputStream(Files.newInputStream(run), IO_BUFFER));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    open.add(in);
    return new Iterator<>() {
      private T next = advance();

      private T advance() {
        try {
          return codec.read(in);
        } catch (EOFException end) {
          return null;
        } catch (IOException e) {
          throw new UncheckedIOException("Cannot read spill file '" + run + "': " + e.getMessage(), e);
        }
      }

      @Override
      public boolean hasNext() {
        return next != null;
      }

      @Override
      public T next() {
        if (next == null) {
          throw new NoSuchElementException();
        }
        T current = next;
        next = advance();
        return current;
      }
    };
  }

  @Override
  public void close() {
    buffer = new ArrayList<>();
    for (DataInputStream in : open) {
      try {
        in.close();
      } catch (IOException ignored) {
        // the file is deleted next; nothing else holds it
      }
    }
    for (Path run : runs) {
      try {
        Files.deleteIfExists(run);
      } catch (IOException ignored) {
        // best effort: run files are named uniquely in a temporary directory
      }
    }
    runs.clear();
  }

  /** Merges sorted sources; among equal records the one from the earlier source first, which keeps stability. */
  private static final class MergingIterator<T> implements Iterator<T> {
    private record Head<T>(T record, int source) {}

    private final List<Iterator<T>> sources;
    private final PriorityQueue<Head<T>> heads;

    MergingIterator(List<Iterator<T>> sources, Comparator<T> order) {
      this.sources = sources;
      Comparator<Head<T>> byRecord = (a, b) -> order.compare(a.record(), b.record());
      this.heads = new PriorityQueue<>(Math.max(1, sources.size()),
          byRecord.thenComparingInt(Head::source));
      for (int i = 0; i < sources.size(); i++) {
        if (sources.get(i).hasNext()) {
          heads.add(new Head<>(sources.get(i).next(), i));
        }
      }
    }

    @Override
    public boolean hasNext() {
      return !heads.isEmpty();
    }

    @Override
    public T next() {
      Head<T> head = heads.poll();
      if (head == null) {
        throw new NoSuchElementException();
      }
      Iterator<T> source = sources.get(head.source());
      if (source.hasNext()) {
        heads.add(new Head<>(source.next(), head.source()));
      }
      return head.record();
    }
  }
}
