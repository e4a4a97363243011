package dev.featurestore.offline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.RewriteFiles;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.data.parquet.GenericParquetWriter;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.parquet.Parquet;

/**
 * Rewrites runs of consecutive small data files of a view's table into larger ones, without Spark: reads the
 * records of a run with Iceberg's generic Parquet reader, writes them in the same order to one new file, and
 * commits a rewrite (no rows change) validated from the snapshot the plan was made at, so an append committed
 * meanwhile is kept and a concurrent rewrite of the same files fails this one instead of duplicating rows.
 *
 * <p>The new file gets the largest data sequence number of the files it replaces, and holds their rows in
 * (sequence, position) order: the order of writes, which breaks full ties in the point-in-time join, is the same
 * before and after.
 */
final class Compaction {
  /** Snapshot summary property of a rewrite commit: how many files it merged. */
  static final String COMPACTED_FILES = "fstore.compacted-files";

  private final ViewTables tables;
  /** Runs after a merged file is written and before its commit: a hook for tests to race the commit. */
  private final Runnable beforeCommit;

  Compaction(ViewTables tables) {
    this(tables, () -> {});
  }

  Compaction(ViewTables tables, Runnable beforeCommit) {
    this.tables = tables;
    this.beforeCommit = beforeCommit;
  }

  CompactionResult run(String viewName, CompactionOptions options) {
    long started = System.nanoTime();
    Optional<Table> found = tables.find(viewName);
    Snapshot start = found.map(Table::currentSnapshot).orElse(null);
    if (start == null) {
      return new CompactionResult(viewName, 0, 0, 0, 0, 0, 0, Ingestion.seconds(started));
    }
    Table table = found.get();
    Map<String, List<DataFile>> byPartition = new LinkedHashMap<>();
    int filesBefore = 0;
    try (CloseableIterable<FileScanTask> tasks = table.newScan().useSnapshot(start.snapshotId()).planFiles()) {
      for (FileScanTask task : tasks) {
        DataFile file = task.file();
        PartitionSpec spec = table.specs().get(file.specId());
        byPartition.computeIfAbsent(file.specId() + "/" + spec.partitionToPath(file.partition()),
            key -> new ArrayList<>()).add(file);
        filesBefore++;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }

    int rewritten = 0;
    int written = 0;
    long rows = 0;
    int commits = 0;
    for (List<DataFile> files : byPartition.values()) {
      files.sort(Comparator.comparingLong(Compaction::sequence).thenComparing(DataFile::location));
      for (List<DataFile> chunk : chunks(files, options)) {
        rows += rewrite(table, start.snapshotId(), chunk);
        rewritten += chunk.size();
        written++;
        commits++;
      }
    }
    table.refresh();
    int filesAfter = 0;
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      for (FileScanTask ignored : tasks) {
        filesAfter++;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new CompactionResult(
        viewName, filesBefore, filesAfter, rewritten, written, rows, commits, Ingestion.seconds(started));
  }

  /**
   * The groups of files to merge, from one partition's files in commit order: runs of consecutive small files, cut
   * where the next file would take a group past the target size; groups smaller than the minimum stay as they are.
   */
  static List<List<DataFile>> chunks(List<DataFile> files, CompactionOptions options) {
    List<List<DataFile>> chunks = new ArrayList<>();
    List<DataFile> current = new ArrayList<>();
    long bytes = 0;
    for (DataFile file : files) {
      boolean small = file.fileSizeInBytes() < options.smallFileBytes();
      if (!small || (!current.isEmpty() && bytes + file.fileSizeInBytes() > options.targetFileBytes())) {
        keepIfLargeEnough(chunks, current, options);
        current = new ArrayList<>();
        bytes = 0;
      }
      if (small) {
        current.add(file);
        bytes += file.fileSizeInBytes();
      }
    }
    keepIfLargeEnough(chunks, current, options);
    return chunks;
  }

  private static void keepIfLargeEnough(List<List<DataFile>> chunks, List<DataFile> chunk, CompactionOptions options) {
    if (chunk.size() >= options.minInputFiles()) {
      chunks.add(chunk);
    }
  }

  /** Writes the rows of {@code files} (one partition, consecutive in commit order) to one file and commits it. */
  private long rewrite(Table table, long startSnapshotId, List<DataFile> files) {
    DataFile first = files.get(0);
    PartitionSpec spec = table.specs().get(first.specId());
    Schema schema = table.schema();
    String fileName = "compact-" + UUID.randomUUID() + ".parquet";
    OutputFile out = table.io().newOutputFile(table.locationProvider().newDataLocation(spec, first.partition(), fileName));
    long rows = 0;
    DataFile merged;
    try {
      DataWriter<Record> writer = Parquet.writeData(out)
          .forTable(table)
          .withSpec(spec)
          .withPartition(first.partition())
          .createWriterFunc(GenericParquetWriter::create)
          .overwrite()
          .build();
      try (writer) {
        for (DataFile file : files) {
          // read with the current schema: columns added since the file was written come back null
          try (CloseableIterable<Record> records = Parquet.read(table.io().newInputFile(file.location()))
              .project(schema)
              .createReaderFunc(fileSchema -> GenericParquetReaders.buildReader(schema, fileSchema))
              .build()) {
            for (Record record : records) {
              writer.write(record);
              rows++;
            }
          }
        }
      }
      merged = writer.toDataFile();
    } catch (IOException e) {
      deleteQuietly(table, out.location(), null);
      throw new UncheckedIOException(e);
    }
    try {
      beforeCommit.run();
      RewriteFiles rewrite = table.newRewrite()
          .validateFromSnapshot(startSnapshotId)
          .dataSequenceNumber(files.stream().mapToLong(Compaction::sequence).max().orElseThrow());
      files.forEach(rewrite::deleteFile);
      rewrite.addFile(merged);
      rewrite.set(COMPACTED_FILES, Integer.toString(files.size()));
      rewrite.commit();
    } catch (RuntimeException e) {
      // not committed: the new file must not stay behind as an orphan
      deleteQuietly(table, merged.location(), e);
      throw e;
    }
    return rows;
  }

  private static long sequence(DataFile file) {
    return file.dataSequenceNumber() == null ? 0 : file.dataSequenceNumber();
  }

  private static void deleteQuietly(Table table, String location, RuntimeException failure) {
    try {
      table.io().deleteFile(location);
    } catch (RuntimeException e) {
      if (failure != null) {
        failure.addSuppressed(e);
      }
    }
  }
}
