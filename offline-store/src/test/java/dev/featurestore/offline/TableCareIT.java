package dev.featurestore.offline;

import static dev.featurestore.api.ValueType.DOUBLE;
import static dev.featurestore.api.ValueType.STRING;
import static dev.featurestore.offline.TestFiles.csv;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.FeatureRef;
import dev.featurestore.api.definition.FeatureView;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.hadoop.HadoopCatalog;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compaction and snapshot expiry on real Iceberg tables, checked by reading the tables and building training sets. */
class TableCareIT {
  private static final FeatureView TXN = FeatureView.builder("txn")
      .entity("user")
      .feature("amount", DOUBLE)
      .feature("tag", STRING)
      .build();
  private static final Definitions DEFS = TestFiles.definitions(TXN);
  private static final String HEADER = "user_id,event_timestamp,created_timestamp,amount,tag";

  @TempDir Path dir;
  private OfflineStore store;
  private int files;

  @BeforeEach
  void open() {
    store = OfflineStores.local(dir.resolve("warehouse"));
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void compact_manySmallAppends_reducesFilesAndKeepsRowsAndTrainingSet() {
    smallAppends(12);
    Path entities = csv(dir, "entities.csv", "user_id,event_timestamp",
        "1,2024-01-01T23:00:00Z", "2,2024-01-02T23:00:00Z", "3,2024-01-01T12:30:00Z", "4,2024-01-03T00:00:00Z");
    List<String> rowsBefore = rows(table(), null);
    List<?> trainingBefore = trainingSet(entities);

    CompactionResult result = store.compact("txn", CompactionOptions.defaults());

    assertThat(result.filesBefore()).isEqualTo(24);
    assertThat(result.filesAfter()).isEqualTo(2);
    assertThat(result.filesRewritten()).isEqualTo(24);
    assertThat(result.rowsRewritten()).isEqualTo(rowsBefore.size());
    assertThat(dataFiles(table())).isEqualTo(2);
    assertThat(rows(table(), null)).containsExactlyInAnyOrderElementsOf(rowsBefore);
    assertThat(trainingSet(entities)).isEqualTo(trainingBefore);
  }

  @Test
  void compact_fullTiesAcrossFiles_keepsLaterWriteWinning() {
    ingest("1,2024-01-01T10:00:00Z,2024-01-01T10:00:00Z,1.0,first");
    ingest("1,2024-01-01T10:00:00Z,2024-01-01T10:00:00Z,2.0,second");
    ingest("1,2024-01-01T10:00:00Z,2024-01-01T10:00:00Z,3.0,third");
    Path entities = csv(dir, "entities.csv", "user_id,event_timestamp", "1,2024-01-01T11:00:00Z");
    assertThat(trainingSet(entities).toString()).contains("third");

    store.compact("txn", CompactionOptions.defaults());

    assertThat(trainingSet(entities).toString()).contains("third").doesNotContain("second");
  }

  @Test
  void compact_largeFileBetweenSmallOnes_mergesOnlyConsecutiveSmallFiles() {
    ingest("1,2024-01-01T10:00:00Z,2024-01-01T10:00:00Z,1.0,a");
    ingest("2,2024-01-01T10:00:00Z,2024-01-01T10:00:00Z,2.0,b");
    List<String> big = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      big.add((i + 10) + ",2024-01-01T10:00:00Z,2024-01-01T10:00:00Z," + i + ".0,padding-" + i);
    }
    ingest(big.toArray(String[]::new));
    ingest("3,2024-01-01T10:00:00Z,2024-01-01T10:00:00Z,3.0,c");
    long bigFile = fileSizes(table()).stream().mapToLong(Long::longValue).max().orElseThrow();

    CompactionResult result = store.compact("txn", CompactionOptions.defaults().withSmallFileBytes(bigFile));

    assertThat(result.filesRewritten()).isEqualTo(2);
    assertThat(result.filesAfter()).isEqualTo(3);
  }

  @Test
  void compact_appendCommittedDuringRewrite_keepsTheAppend() {
    smallAppends(3);
    int rowsBefore = rows(table(), null).size();
    boolean[] raced = {false};
    Compaction racing = new Compaction(tables(), () -> {
      if (!raced[0]) {
        raced[0] = true;
        ingest("77,2024-01-01T10:00:00Z,2024-01-01T10:00:00Z,7.0,appended-meanwhile");
      }
    });

    racing.run("txn", CompactionOptions.defaults());

    List<String> after = rows(table(), null);
    assertThat(after).hasSize(rowsBefore + 1).anyMatch(row -> row.contains("appended-meanwhile"));
  }

  @Test
  void compact_noSmallFiles_commitsNothing() {
    smallAppends(3);
    long snapshot = table().currentSnapshot().snapshotId();

    CompactionResult result = store.compact("txn", CompactionOptions.defaults().withSmallFileBytes(1));

    assertThat(result.commits()).isZero();
    assertThat(table().currentSnapshot().snapshotId()).isEqualTo(snapshot);
  }

  @Test
  void compact_viewWithoutTable_returnsEmptyResult() {
    assertThat(store.compact("txn", CompactionOptions.defaults()).filesBefore()).isZero();
  }

  @Test
  void expireSnapshots_afterCompaction_keepsWindowReadableAndDropsOlderSnapshots() {
    List<Long> snapshots = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      snapshots.add(ingest(i + ",2024-01-01T1" + i + ":00:00Z,2024-01-01T1" + i + ":00:00Z," + i + ".0,v" + i));
    }
    List<String> atFourth = rows(table(), snapshots.get(3));
    store.compact("txn", CompactionOptions.defaults());

    ExpiryResult result =
        store.expireSnapshots("txn", RetentionPolicy.defaults().withMaxAge(Duration.ZERO).withRetainLast(3));

    assertThat(result.snapshotsBefore()).isEqualTo(6);
    assertThat(result.snapshotsExpired()).isEqualTo(3);
    Table table = table();
    assertThat(rows(table, snapshots.get(3))).containsExactlyInAnyOrderElementsOf(atFourth);
    assertThat(rows(table, snapshots.get(4))).hasSize(5);
    for (long expired : snapshots.subList(0, 3)) {
      assertThat(table.snapshot(expired)).isNull();
      assertThatThrownBy(() -> rows(table, expired)).hasMessageContaining(Long.toString(expired));
    }
  }

  @Test
  void expireSnapshots_defaultPolicy_keepsRecentSnapshots() {
    smallAppends(2);

    ExpiryResult result = store.expireSnapshots("txn", RetentionPolicy.defaults());

    assertThat(result.snapshotsExpired()).isZero();
    assertThat(result.snapshotsBefore()).isEqualTo(2);
  }

  @Test
  void expireSnapshots_compactedFilesOutsideWindow_areDeleted() {
    smallAppends(3);
    store.compact("txn", CompactionOptions.defaults());
    // a file a rewrite replaced is needed until the rewrite's parent expires: commit once more after both rewrites
    ingest("9,2024-01-03T10:00:00Z,2024-01-03T10:00:00Z,9.0,later");
    List<String> before = rows(table(), null);
    assertThat(countFiles(dir.resolve("warehouse/features/txn/data"))).isEqualTo(9);

    store.expireSnapshots("txn", RetentionPolicy.defaults().withMaxAge(Duration.ZERO).withRetainLast(1));

    assertThat(countFiles(dir.resolve("warehouse/features/txn/data"))).isEqualTo(3);
    assertThat(rows(table(), null)).containsExactlyInAnyOrderElementsOf(before);
  }

  /** Appends {@code n} files of two rows each, one row on each of two days: 2n small files in two partitions. */
  private void smallAppends(int n) {
    for (int i = 0; i < n; i++) {
      long key = 1 + i % 4;
      ingest(key + ",2024-01-01T" + String.format("%02d", i) + ":00:00Z,2024-01-01T00:00:00Z," + i + ".0,a" + i,
          key + ",2024-01-02T" + String.format("%02d", i) + ":00:00Z,2024-01-02T00:00:00Z," + i + ".5,b" + i);
    }
  }

  private long ingest(String... rows) {
    String[] lines = new String[rows.length + 1];
    lines[0] = HEADER;
    System.arraycopy(rows, 0, lines, 1, rows.length);
    return store.ingest(DEFS, "txn", csv(dir, "in-" + (files++) + ".csv", lines), ProgressListener.NONE)
        .snapshotId();
  }

  private List<?> trainingSet(Path entities) {
    Path out = dir.resolve("training-" + (files++) + ".parquet");
    store.trainingSet(DEFS, TrainingSetRequest.forFeatures(entities, List.of(FeatureRef.allOf("txn")), out),
        ProgressListener.NONE);
    return TableFiles.read(out);
  }

  private ViewTables tables() {
    return new ViewTables(new HadoopCatalog(new Configuration(), dir.resolve("warehouse").toUri().toString()));
  }

  private Table table() {
    return new HadoopCatalog(new Configuration(), dir.resolve("warehouse").toUri().toString())
        .loadTable(TableIdentifier.of("features", "txn"));
  }

  /** Every row of the table at a snapshot (the current one for null), as text. */
  private static List<String> rows(Table table, Long snapshotId) {
    IcebergGenerics.ScanBuilder scan = IcebergGenerics.read(table);
    if (snapshotId != null) {
      scan = scan.useSnapshot(snapshotId);
    }
    List<String> rows = new ArrayList<>();
    try (CloseableIterable<Record> records = scan.build()) {
      records.forEach(record -> rows.add(record.toString()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return rows;
  }

  private static int dataFiles(Table table) {
    return fileSizes(table).size();
  }

  private static List<Long> fileSizes(Table table) {
    List<Long> sizes = new ArrayList<>();
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      tasks.forEach(task -> sizes.add(task.file().fileSizeInBytes()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return sizes;
  }

  private static long countFiles(Path root) {
    try (var walk = java.nio.file.Files.walk(root)) {
      return walk.filter(p -> p.toString().endsWith(".parquet")).count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
