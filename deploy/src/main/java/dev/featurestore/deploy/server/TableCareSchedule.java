package dev.featurestore.deploy.server;

import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.deploy.TableCareConfig;
import dev.featurestore.offline.CompactionOptions;
import dev.featurestore.offline.CompactionResult;
import dev.featurestore.offline.ExpiryResult;
import dev.featurestore.offline.OfflineStore;
import dev.featurestore.registry.Registry;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's optional table care: every interval, on one daemon thread of its own (Iceberg I/O, never an event
 * loop), compacts the table of every view in the registry and then expires its snapshots outside the retention
 * policy. A failure is logged and the next round tries again; one view failing does not stop the others.
 */
final class TableCareSchedule implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TableCareSchedule.class);

  private final ScheduledExecutorService executor;

  private TableCareSchedule(ScheduledExecutorService executor) {
    this.executor = executor;
  }

  static TableCareSchedule start(TableCareConfig config, OfflineStore offline, Registry registry) {
    ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "table-care");
      thread.setDaemon(true);
      return thread;
    });
    long interval = config.interval().toMillis();
    executor.scheduleWithFixedDelay(() -> careForAll(config, offline, registry), interval, interval,
        TimeUnit.MILLISECONDS);
    log.info("Table care every {}: compaction, then expiry keeping snapshots younger than {} and the last {}",
        config.interval(), config.retention().maxAge(), config.retention().retainLast());
    return new TableCareSchedule(executor);
  }

  private static void careForAll(TableCareConfig config, OfflineStore offline, Registry registry) {
    for (FeatureView view : registry.current().definitions().featureViews()) {
      if (Thread.currentThread().isInterrupted()) {
        return;
      }
      try {
        CompactionResult compacted = offline.compact(view.name(), CompactionOptions.defaults());
        ExpiryResult expired = offline.expireSnapshots(view.name(), config.retention());
        if (compacted.commits() > 0 || expired.snapshotsExpired() > 0) {
          log.info("Table care of view '{}': {} small files merged into {}, {} snapshots expired", view.name(),
              compacted.filesRewritten(), compacted.filesWritten(), expired.snapshotsExpired());
        }
      } catch (RuntimeException e) {
        // scheduleWithFixedDelay stops a task that throws: keep every round going whatever one view does
        log.warn("Table care of view '{}' failed; retrying next round: {}", view.name(), e.getMessage(), e);
      }
    }
  }

  /** Stops the schedule, waiting for a round under way to end its current commit. */
  @Override
  public void close() {
    executor.shutdownNow();
    try {
      if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
        log.warn("Table care did not stop within 30 seconds");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
