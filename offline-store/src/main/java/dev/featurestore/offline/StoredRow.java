package dev.featurestore.offline;

import dev.featurestore.api.data.EntityKey;
import java.util.Comparator;

/**
 * One row of a view's table as the join sees it: key, timestamps, where it was written and the values of the
 * features asked for (canonical representation, null for null).
 *
 * @param sequence the Iceberg data sequence number of the file holding the row: later commits have larger ones
 * @param position the row's position within that file: later rows of one ingestion have larger ones
 * @param values feature values, in the order of the features asked for; not copied, never modified
 */
record StoredRow(EntityKey key, long eventMicros, long createdMicros, long sequence, long position, Object[] values) {

  /**
   * The ordering rule of DESIGN.md: of two rows, the one with the larger event timestamp is newer, ties go to the
   * larger created timestamp, then to the later write.
   */
  static final Comparator<StoredRow> NEWEST_LAST = Comparator.comparingLong(StoredRow::eventMicros)
      .thenComparingLong(StoredRow::createdMicros)
      .thenComparingLong(StoredRow::sequence)
      .thenComparingLong(StoredRow::position);
}
