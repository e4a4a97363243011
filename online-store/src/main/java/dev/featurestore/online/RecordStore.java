package dev.featurestore.online;

import dev.featurestore.api.data.EntityKey;
import dev.featurestore.api.data.FeatureRow;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.online.spi.OnlineStore;
import dev.featurestore.online.spi.Projection;
import dev.featurestore.online.spi.RowColumns;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * An online store that keeps each key's row as a {@link RecordCodec} record: every read fetches the records and
 * decodes them once, into rows or into columns, so a store implements the fetch alone.
 */
interface RecordStore extends OnlineStore {

  /**
   * The stored records of {@code keys}, parallel to them with null where a key has none, handed to {@code decoder};
   * a failure of the backing service or of the decoder completes the stage with a feature store exception.
   */
  <T> CompletionStage<T> readDecoded(FeatureView view, List<EntityKey> keys, Function<List<byte[]>, T> decoder);

  @Override
  default CompletionStage<List<FeatureRow>> read(FeatureView view, List<EntityKey> keys) {
    return read(Projection.all(view), keys);
  }

  @Override
  default CompletionStage<List<FeatureRow>> read(Projection projection, List<EntityKey> keys) {
    return readDecoded(projection.view(), keys, records -> RecordCodec.decodeRows(keys, records, projection));
  }

  @Override
  default CompletionStage<RowColumns> readColumns(Projection projection, List<EntityKey> keys) {
    return readDecoded(projection.view(), keys, records -> RecordCodec.decodeColumns(projection, records));
  }
}
