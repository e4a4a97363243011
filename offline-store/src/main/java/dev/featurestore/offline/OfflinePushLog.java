package dev.featurestore.offline;

import dev.featurestore.online.spi.PushLog;

/**
 * A {@link PushLog} that makes pushed rows durable in a write-ahead log on local disk and appends them to the
 * views' Iceberg tables in the background, exactly once. Open with {@link OfflineStores#pushLog}.
 *
 * <p><b>Durable</b> means: {@link #append} completes only after the rows' record has been written to a segment
 * file and forced to the device ({@code fsync}), so an acknowledged push survives a kill of the process or a power
 * loss; after a restart the log replays every segment left behind into Iceberg before it accepts appends.
 *
 * <p>Thread-safe. {@link #flush()} and {@link #close()} block (disk and catalog I/O): call them from a worker or
 * main thread, never an event loop.
 */
public interface OfflinePushLog extends PushLog {

  /**
   * Appends every row whose append completed before this call to the views' tables now, instead of at the next
   * flush interval.
   *
   * @throws dev.featurestore.api.error.UnavailableException when the offline store fails; the rows stay in the log
   *     and the next flush tries again
   */
  void flush();

  /**
   * Stops accepting appends (they fail with {@link dev.featurestore.api.error.UnavailableException}), writes and
   * forces those already queued, then flushes to the tables. When that flush fails the rows stay in the log for
   * the next open to replay.
   */
  @Override
  void close();
}
