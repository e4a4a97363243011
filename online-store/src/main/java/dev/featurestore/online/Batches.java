package dev.featurestore.online;

import dev.featurestore.api.data.EntityKey;
import dev.featurestore.api.data.FeatureRow;
import dev.featurestore.api.definition.FeatureView;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Helpers shared by the stores for turning a call's rows into one store operation per key. */
final class Batches {
  private Batches() {}

  /**
   * The row of each key that applying {@code rows} in list order would leave: event-time-wins is a maximum with
   * full ties going to the later row, so folding the rows of one key locally gives the same end state as sending
   * them one by one, with one atomic store operation per key instead of an ordering problem between several.
   */
  static Collection<FeatureRow> latestPerKey(List<FeatureRow> rows) {
    Map<EntityKey, FeatureRow> latest = new LinkedHashMap<>(rows.size() * 2);
    for (FeatureRow row : rows) {
      latest.merge(row.key(), row, (kept, incoming) -> incoming.supersedes(kept) ? incoming : kept);
    }
    return latest.values();
  }

  /**
   * One store write per key: the latest row of each key (see {@link #latestPerKey}) encoded, with its store key and
   * the epoch millisecond its record may expire at, in first-seen order. The store keys must be distinct for
   * distinct entity keys (identity is fine for byte arrays, since each entity key appears once).
   *
   * @throws dev.featurestore.api.error.InvalidRequestException when a row does not fit the view; nothing is sent
   */
  static <K> List<Write<K>> encodeLatest(
      FeatureView view, List<FeatureRow> rows, Function<EntityKey, K> storeKey, KeyExpiry expiry) {
    Collection<FeatureRow> latest = latestPerKey(rows);
    List<Write<K>> writes = new ArrayList<>(latest.size());
    for (FeatureRow row : latest) {
      writes.add(new Write<>(storeKey.apply(row.key()), RecordCodec.encode(view, row), expiry.expireAtMillis(view, row)));
    }
    return writes;
  }

  /** The encoded record of one key and when it may expire ({@link KeyExpiry#NEVER} for never). */
  record Write<K>(K key, byte[] record, long expireAtMillis) {}
}
