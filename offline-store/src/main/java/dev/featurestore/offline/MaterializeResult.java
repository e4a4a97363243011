package dev.featurestore.offline;

/**
 * What one materialization wrote to the online tier.
 *
 * @param keysWritten distinct keys written (one row each: the newest of the key in the time range)
 * @param rowsScanned offline rows read in the time range
 * @param seconds wall-clock duration
 */
public record MaterializeResult(long keysWritten, long rowsScanned, double seconds) {
  public MaterializeResult {
    if (keysWritten < 0 || rowsScanned < 0) {
      throw new IllegalArgumentException(
          "Cannot make a materialize result: counts " + keysWritten + "/" + rowsScanned + " are negative");
    }
  }
}
