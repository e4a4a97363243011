package dev.featurestore.offline;

import dev.featurestore.api.data.EntityKey;
import dev.featurestore.api.data.FeatureRow;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.online.spi.OnlineStore;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one allowed fake: an online store holding rows in a map with event-time-wins writes, so that materialization
 * can be tested without the real stores (tested in online-store).
 */
final class InMemoryOnlineStore implements OnlineStore {
  private final Map<String, Map<EntityKey, FeatureRow>> rows = new ConcurrentHashMap<>();
  final AtomicInteger writeCalls = new AtomicInteger();

  @Override
  public CompletionStage<Void> write(FeatureView view, List<FeatureRow> batch) {
    writeCalls.incrementAndGet();
    Map<EntityKey, FeatureRow> table = rows.computeIfAbsent(view.name(), name -> new ConcurrentHashMap<>());
    for (FeatureRow row : batch) {
      table.merge(row.key(), row, (stored, incoming) -> incoming.supersedes(stored) ? incoming : stored);
    }
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletionStage<List<FeatureRow>> read(FeatureView view, List<EntityKey> keys) {
    Map<EntityKey, FeatureRow> table = rows.getOrDefault(view.name(), Map.of());
    return CompletableFuture.completedFuture(keys.stream().map(table::get).toList());
  }

  Map<EntityKey, FeatureRow> rowsOf(String view) {
    return Map.copyOf(rows.getOrDefault(view, Map.of()));
  }

  @Override
  public void close() {}
}
