package dev.featurestore.online.spi;

import dev.featurestore.api.data.FeatureRow;
import dev.featurestore.api.definition.FeatureView;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Where pushed rows are made durable before a push is acknowledged: the push path appends every validated request
 * here, waits for the stage, then writes the rows online, and only then answers the client. A row that was
 * acknowledged is therefore in the log, and a value a client can read online is never one the log could lose.
 *
 * <p>The implementation of the feature store is a write-ahead log that appends the rows to the views' Iceberg
 * tables ({@code dev.featurestore.offline.OfflineStores#pushLog}). {@link #onlineOnly()} keeps nothing: pushes are
 * then written online only and never reach the offline tier.
 *
 * <p>Thread-safe. {@link #append} never blocks the calling thread (it is called on an event loop); it completes its
 * stage on a log thread, exceptionally with {@link dev.featurestore.api.error.UnavailableException} when the rows
 * could not be made durable or the log is overloaded or closed, in which case the push fails and nothing of it was
 * written online.
 */
public interface PushLog extends AutoCloseable {

  /**
   * Appends already validated rows of one view. Completes when the rows are durable: they survive a crash of the
   * process (for a log on disk: written and forced to the device) and will reach the offline tier.
   */
  CompletionStage<Void> append(FeatureView view, List<FeatureRow> rows);

  /** Stops accepting appends, makes everything accepted durable and releases the log's threads and files. */
  @Override
  void close();

  /** A log that keeps nothing and completes every append at once: pushes are online-only. */
  static PushLog onlineOnly() {
    return OnlineOnlyPushLog.INSTANCE;
  }
}
