package dev.featurestore.registry;

import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.error.FeatureStoreException;
import dev.featurestore.api.error.IncompatibleChangeException;
import dev.featurestore.api.error.InvalidRequestException;
import dev.featurestore.api.error.NotFoundException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A registry over a {@link VersionStore}. One daemon thread, the refresh thread, is the only writer of
 * {@link #current} and the only caller of listeners: it polls for new versions every refresh interval and, after
 * each own apply, catches up at once. So listeners see every version exactly once, in order, whoever stored it.
 */
final class JdbcRegistry implements Registry {
  private static final Logger LOG = LoggerFactory.getLogger(JdbcRegistry.class);
  private static final long CATCH_UP_TIMEOUT_SECONDS = 30;

  private final VersionStore store;
  private final Watermarks watermarks;
  private final ScheduledExecutorService refresher;
  private final List<Consumer<RegistrySnapshot>> listeners = new CopyOnWriteArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile RegistrySnapshot current;
  private volatile Thread refreshThread;
  private boolean refreshFailing;

  private JdbcRegistry(VersionStore store, RegistrySnapshot initial) {
    this.store = store;
    this.watermarks = Watermarks.open(store);
    this.current = initial;
    this.refresher = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "registry-refresh");
      thread.setDaemon(true);
      refreshThread = thread;
      return thread;
    });
  }

  static Registry open(VersionStore store, RegistryOptions options) {
    JdbcRegistry registry;
    try {
      registry = new JdbcRegistry(store, store.latest().orElse(RegistrySnapshot.empty()));
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    long interval = options.refreshInterval().toNanos();
    registry.refresher.scheduleWithFixedDelay(registry::refresh, interval, interval, TimeUnit.NANOSECONDS);
    return registry;
  }

  @Override
  public RegistrySnapshot current() {
    return current;
  }

  @Override
  public Plan plan(Definitions proposed) {
    Objects.requireNonNull(proposed, "proposed");
    return Planner.plan(store.latest().orElse(RegistrySnapshot.empty()), proposed);
  }

  @Override
  public ApplyResult apply(Definitions proposed, long expectedVersion) {
    Objects.requireNonNull(proposed, "proposed");
    ApplyResult result = store.write(transaction -> {
      RegistrySnapshot latest = transaction.latest();
      if (expectedVersion > 0 && latest.version() != expectedVersion) {
        throw new IncompatibleChangeException(List.of(
            "the registry is at version " + latest.version() + ", not the expected " + expectedVersion));
      }
      Plan plan = Planner.plan(latest, proposed);
      if (!plan.isAllowed()) {
        throw new IncompatibleChangeException(plan.violations());
      }
      if (plan.isEmpty()) {
        return new ApplyResult(latest, List.of());
      }
      return new ApplyResult(transaction.insert(latest.version() + 1, proposed), plan.changes());
    });
    if (!result.changes().isEmpty()) {
      catchUpNow();
    }
    return result;
  }

  @Override
  public RegistrySnapshot version(long version) {
    if (version < 0) {
      throw new InvalidRequestException("Cannot read registry version " + version + ": versions are not negative");
    }
    if (version == 0) {
      return RegistrySnapshot.empty();
    }
    return store.read(version).orElseThrow(() -> new NotFoundException(
        "Cannot find registry version " + version + ": the latest version is "
            + store.latest().map(RegistrySnapshot::version).orElse(0L)));
  }

  @Override
  public Optional<MaterializationWatermark> watermark(String viewName) {
    Objects.requireNonNull(viewName, "viewName");
    return watermarks.read(viewName);
  }

  @Override
  public boolean advanceWatermark(String viewName, OptionalLong expected, long snapshotId) {
    Objects.requireNonNull(viewName, "viewName");
    Objects.requireNonNull(expected, "expected");
    return watermarks.advance(viewName, expected, snapshotId);
  }

  @Override
  public AutoCloseable onChange(Consumer<RegistrySnapshot> listener) {
    Objects.requireNonNull(listener, "listener");
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    refresher.shutdownNow();
    try {
      if (!refresher.awaitTermination(5, TimeUnit.SECONDS)) {
        LOG.warn("The registry refresh thread did not stop within 5 seconds");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      store.close();
    }
  }

  /** Makes an own apply visible in {@link #current()} and to listeners before apply returns. */
  private void catchUpNow() {
    if (Thread.currentThread() == refreshThread) {
      // A listener applied: waiting for the refresh thread would wait for ourselves.
      catchUp();
      return;
    }
    try {
      refresher.submit(this::catchUp).get(CATCH_UP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException | RejectedExecutionException e) {
      // The version is stored; the periodic refresh will publish it.
      LOG.warn("Could not publish the applied registry version at once; the next refresh will", e);
    }
  }

  /** The periodic poll: a failure is logged once per outage and retried at the next tick. */
  private void refresh() {
    try {
      catchUp();
      if (refreshFailing) {
        LOG.info("Registry refresh works again");
        refreshFailing = false;
      }
    } catch (FeatureStoreException e) {
      if (closed.get()) {
        return;
      }
      if (!refreshFailing) {
        LOG.warn("Cannot refresh the registry; retrying every refresh interval: {}", e.getMessage());
        refreshFailing = true;
      }
    } catch (RuntimeException e) {
      // A scheduled task that throws is never run again: keep polling whatever went wrong.
      LOG.error("Registry refresh failed", e);
    }
  }

  /** Publishes every stored version newer than {@link #current}, oldest first. Refresh thread only. */
  private void catchUp() {
    for (RegistrySnapshot snapshot : store.after(current.version())) {
      current = snapshot;
      for (Consumer<RegistrySnapshot> listener : listeners) {
        try {
          listener.accept(snapshot);
        } catch (RuntimeException e) {
          LOG.error("A registry listener failed on version {}", snapshot.version(), e);
        }
      }
    }
  }

  @Override
  public String toString() {
    return "Registry[version=" + current.version() + "]";
  }
}
