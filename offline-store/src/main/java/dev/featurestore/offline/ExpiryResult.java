package dev.featurestore.offline;

import java.util.Objects;

/**
 * What one snapshot expiry of a view's table did.
 *
 * @param viewName the view
 * @param snapshotsBefore snapshots in the table's history before
 * @param snapshotsExpired snapshots removed from it
 * @param oldestKeptMicros commit time of the oldest snapshot kept, UTC microseconds; -1 when the table has none
 * @param seconds wall-clock duration
 */
public record ExpiryResult(
    String viewName, int snapshotsBefore, int snapshotsExpired, long oldestKeptMicros, double seconds) {
  public ExpiryResult {
    Objects.requireNonNull(viewName, "viewName");
  }
}
