package dev.featurestore.offline;

import java.util.Optional;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;

/**
 * Expires the snapshots of a view's table that are outside a {@link RetentionPolicy}, with Iceberg's
 * {@code ExpireSnapshots}: removes them from the history and deletes the data and metadata files that only they
 * referenced (for example the small files a compaction replaced).
 */
final class SnapshotExpiry {
  private final ViewTables tables;

  SnapshotExpiry(ViewTables tables) {
    this.tables = tables;
  }

  ExpiryResult run(String viewName, RetentionPolicy policy, long nowMillis) {
    long started = System.nanoTime();
    Optional<Table> found = tables.find(viewName);
    if (found.isEmpty() || found.get().currentSnapshot() == null) {
      return new ExpiryResult(viewName, 0, 0, -1, Ingestion.seconds(started));
    }
    Table table = found.get();
    int before = count(table);
    table.expireSnapshots()
        .expireOlderThan(nowMillis - policy.maxAge().toMillis())
        .retainLast(policy.retainLast())
        .cleanExpiredFiles(true)
        .commit();
    table.refresh();
    long oldest = Long.MAX_VALUE;
    for (Snapshot snapshot : table.snapshots()) {
      oldest = Math.min(oldest, snapshot.timestampMillis());
    }
    return new ExpiryResult(viewName, before, before - count(table), oldest * 1_000L, Ingestion.seconds(started));
  }

  private static int count(Table table) {
    int n = 0;
    for (Snapshot ignored : table.snapshots()) {
      n++;
    }
    return n;
  }
}
