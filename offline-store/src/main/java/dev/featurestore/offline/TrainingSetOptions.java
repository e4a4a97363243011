package dev.featurestore.offline;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How the offline store builds training sets: the memory the sort-merge join may buffer and where it spills the
 * rest. Immutable; build with {@link #builder()}.
 *
 * <p>The join sorts the entity rows (by key and time, once per view), each view's rows (by key and time) and the
 * matches (back into input order); a training set of {@code V} views runs at most {@code 2V + 1} of these sorts
 * at once, and they share {@link #memoryBudgetBytes()}: a sort whose buffer reaches its share writes a sorted run
 * to {@link #spillDirectory()} and merges the runs at the end. Run files are deleted when the training set is
 * done, also when it fails.
 */
public final class TrainingSetOptions {
  /** 512 MiB: entity and view rows of a few million keys sort without touching the disk. */
  public static final long DEFAULT_MEMORY_BUDGET = 512L << 20;
  /** Rows per Arrow batch (and per Flight message). */
  public static final int DEFAULT_BATCH_ROWS = 32_768;

  private final long memoryBudgetBytes;
  private final Path spillDirectory;
  private final int batchRows;

  private TrainingSetOptions(Builder builder) {
    this.memoryBudgetBytes = builder.memoryBudgetBytes;
    this.spillDirectory = builder.spillDirectory;
    this.batchRows = builder.batchRows;
  }

  /**
   * The budget for a process that builds one training set at a time, such as the CLI: half this JVM's maximum heap
   * (the rest holds batches, readers and the output), at least {@link #DEFAULT_MEMORY_BUDGET}. A fixed 1 GiB under
   * an 8 GiB heap made a join of 10M entity rows and 3 x 10M view rows spill 93 sorted runs and take 160 s; with 4
   * GiB it spilled nothing and took 52 s ({@code bench-offline}). A server answering several requests at once keeps
   * the smaller default per request.
   */
  public static long oneAtATimeBudget() {
    return Math.max(DEFAULT_MEMORY_BUDGET, Runtime.getRuntime().maxMemory() / 2);
  }

  /** The defaults: {@link #DEFAULT_MEMORY_BUDGET}, spill files in {@code java.io.tmpdir}. */
  public static TrainingSetOptions defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder().memoryBudgetBytes(memoryBudgetBytes).spillDirectory(spillDirectory).batchRows(batchRows);
  }

  /** The estimated heap all sort buffers of one training set may take together before they spill. */
  public long memoryBudgetBytes() {
    return memoryBudgetBytes;
  }

  public Path spillDirectory() {
    return spillDirectory;
  }

  public int batchRows() {
    return batchRows;
  }

  @Override
  public String toString() {
    return "TrainingSetOptions[memoryBudgetBytes=" + memoryBudgetBytes + ", spillDirectory=" + spillDirectory
        + ", batchRows=" + batchRows + "]";
  }

  /** Builds {@link TrainingSetOptions}; not thread-safe. */
  public static final class Builder {
    private long memoryBudgetBytes = DEFAULT_MEMORY_BUDGET;
    private Path spillDirectory = Path.of(System.getProperty("java.io.tmpdir"));
    private int batchRows = DEFAULT_BATCH_ROWS;

    private Builder() {}

    /**
     * @param bytes at least 1; a tiny budget (a few KiB) makes every sort spill, which tests use
     */
    public Builder memoryBudgetBytes(long bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("Cannot use memory budget " + bytes + ": it must be at least 1 byte");
      }
      this.memoryBudgetBytes = bytes;
      return this;
    }

    public Builder spillDirectory(Path directory) {
      this.spillDirectory = Objects.requireNonNull(directory, "directory").toAbsolutePath();
      return this;
    }

    /** @param rows at least 1 */
    public Builder batchRows(int rows) {
      if (rows < 1) {
        throw new IllegalArgumentException("Cannot use batch size " + rows + ": it must be at least 1 row");
      }
      this.batchRows = rows;
      return this;
    }

    public TrainingSetOptions build() {
      return new TrainingSetOptions(this);
    }
  }
}
