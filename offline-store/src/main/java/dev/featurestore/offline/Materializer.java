package dev.featurestore.offline;

import dev.featurestore.api.data.EntityKey;
import dev.featurestore.api.data.FeatureRow;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.Feature;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.error.FeatureStoreException;
import dev.featurestore.api.error.InvalidRequestException;
import dev.featurestore.api.error.UnavailableException;
import dev.featurestore.online.spi.OnlineStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;

/**
 * Copies the newest row per key of a time range from a view's table to the online tier, in batches, waiting for
 * each batch before sending the next so that memory and store load stay bounded.
 */
final class Materializer {
  static final int BATCH_SIZE = 10_000;

  private final ViewTables tables;

  Materializer(ViewTables tables) {
    this.tables = tables;
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
    List<Feature> features = view.features();
    Map<EntityKey, StoredRow> newest = new HashMap<>();
    long[] scanned = {0};
    TableScanner.scan(
        table.get(), snapshot.snapshotId(), definitions.joinKeys(view), features, startMicros, endMicros - 1,
        Long.MAX_VALUE, row -> {
          scanned[0]++;
          newest.merge(row.key(), row, (a, b) -> StoredRow.NEWEST_LAST.compare(a, b) >= 0 ? a : b);
        });

    long total = newest.size();
    long done = 0;
    progress.onProgress(0, total);
    List<FeatureRow> batch = new ArrayList<>(Math.min(BATCH_SIZE, newest.size()));
    for (StoredRow row : newest.values()) {
      batch.add(toFeatureRow(row, features));
      if (batch.size() == BATCH_SIZE) {
        done += send(online, view, batch);
        progress.onProgress(done, total);
        batch = new ArrayList<>(BATCH_SIZE);
      }
    }
    if (!batch.isEmpty()) {
      done += send(online, view, batch);
      progress.onProgress(done, total);
    }
    return new MaterializeResult(total, scanned[0], Ingestion.seconds(started));
  }

  private static FeatureRow toFeatureRow(StoredRow row, List<Feature> features) {
    Map<String, Object> values = new HashMap<>();
    for (int f = 0; f < features.size(); f++) {
      if (row.values()[f] != null) {
        values.put(features.get(f).name(), row.values()[f]);
      }
    }
    return new FeatureRow(row.key(), row.eventMicros(), row.createdMicros(), values);
  }

  private static int send(OnlineStore online, FeatureView view, List<FeatureRow> batch) {
    try {
      online.write(view, batch).toCompletableFuture().get();
      return batch.size();
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
}
