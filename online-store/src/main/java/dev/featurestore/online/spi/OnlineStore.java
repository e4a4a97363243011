package dev.featurestore.online.spi;

import dev.featurestore.api.data.EntityKey;
import dev.featurestore.api.data.FeatureRow;
import dev.featurestore.api.definition.FeatureView;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Where the online tier keeps the latest row of every key of every feature view: one compact record per key and
 * view. Implementations: Hazelcast (embedded member or client) and Redis (Lettuce).
 *
 * <p>Writes are event-time-wins ({@link FeatureRow#supersedes}), decided atomically by the store itself, so that
 * concurrent writers (push and materialization, several nodes) can never regress a key to an older event.
 *
 * <p>The store removes the row of a key by itself once it is older than its view's TTL plus a grace period (see
 * {@link dev.featurestore.online.OnlineStores}); views without a TTL keep their rows. So {@link #read} may return
 * null for a key whose row was written but is stale beyond the grace. Whether a row it does return is fresh is for
 * the caller to decide from the row's event timestamp and its own clock, never from the row being there.
 *
 * <p>Thread-safe. Methods never block the calling thread; they complete their stage on a store thread. Failures of
 * the backing service complete the stage with {@link dev.featurestore.api.error.UnavailableException}.
 */
public interface OnlineStore extends AutoCloseable {

  /**
   * Writes rows of one view, each replacing the stored row of its key only if it supersedes it. Rows for the same
   * key within one call are applied in list order. Completes when every row is durable in the store.
   */
  CompletionStage<Void> write(FeatureView view, List<FeatureRow> rows);

  /**
   * Reads the stored row of each key: the result is parallel to {@code keys}, with null where a key has no row.
   * The whole call is one round trip to the store, whatever the number of keys.
   */
  CompletionStage<List<FeatureRow>> read(FeatureView view, List<EntityKey> keys);

  /**
   * Reads like {@link #read(FeatureView, List)}, except that a returned row needs to hold only the features that
   * {@code projection} includes: the others may read as null, so a store can skip decoding them. The default reads
   * every feature.
   */
  default CompletionStage<List<FeatureRow>> read(Projection projection, List<EntityKey> keys) {
    return read(projection.view(), keys);
  }

  /**
   * Reads like {@link #read(Projection, List)}, answered by feature and unboxed ({@link RowColumns}): what the
   * server writes straight to the wire. Row {@code i} of the result is the row of {@code keys.get(i)}. The default
   * builds the columns from the rows {@link #read(Projection, List)} returns; stores that keep encoded records
   * fill them from the records' bytes.
   */
  default CompletionStage<RowColumns> readColumns(Projection projection, List<EntityKey> keys) {
    return read(projection, keys).thenApply(rows -> RowColumns.of(projection, rows));
  }

  /** Releases connections or leaves the cluster. */
  @Override
  void close();
}
