package dev.featurestore.registry;

import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.error.IncompatibleChangeException;
import dev.featurestore.api.error.NotFoundException;
import dev.featurestore.api.error.UnavailableException;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * The catalog of definitions: every applied set of definitions is a numbered version, kept forever.
 *
 * <p>Apply is declarative and atomic: the registry becomes exactly the given definitions (what is left out is
 * removed) as one new version, or, when any change is refused, stays as it was. Changes that would make the online
 * and offline tiers disagree are refused (see {@link #plan}).
 *
 * <p>Thread-safe. {@link #current()} never blocks (it answers from memory and may trail another process's apply by
 * the refresh interval); {@link #plan}, {@link #apply} and {@link #version} may do I/O and must not run on an event
 * loop.
 */
public interface Registry extends AutoCloseable {

  /** The latest version this registry has seen; version 0 with no definitions before the first apply. */
  RegistrySnapshot current();

  /** What applying {@code proposed} would change, and which of those changes would be refused. Writes nothing. */
  Plan plan(Definitions proposed);

  /**
   * Stores {@code proposed} as a new version when it differs from the current one.
   *
   * @param expectedVersion when positive, the apply fails unless the registry is still at this version
   * @return the stored snapshot, or the current one when nothing changed
   * @throws IncompatibleChangeException naming each refused change, or a stale {@code expectedVersion}, or another
   *     process's apply that took the same version number at the same moment (plan again); nothing was written
   * @throws UnavailableException when the store cannot be reached; nothing was written
   */
  ApplyResult apply(Definitions proposed, long expectedVersion);

  /**
   * A stored version; version 0 is the empty registry.
   *
   * @throws NotFoundException when no such version exists
   */
  RegistrySnapshot version(long version);

  /**
   * Calls {@code listener} with every new version this registry sees, its own applies and other processes' alike,
   * once each and in version order, on the registry's one refresh thread (so a slow listener delays the others).
   * An own apply's version reaches listeners before {@link #apply} returns. Returns a handle whose {@code close()}
   * removes the listener.
   */
  AutoCloseable onChange(Consumer<RegistrySnapshot> listener);

  /**
   * The materialization watermark of a view: the last snapshot of its offline table that incremental
   * materialization moved online; empty before the first run. Watermarks are not versioned with the definitions:
   * they describe the data, not its declaration. Does I/O.
   *
   * @throws UnavailableException when the store cannot be reached
   */
  Optional<MaterializationWatermark> watermark(String viewName);

  /**
   * Moves a view's watermark to {@code snapshotId}, atomically and only if it still is {@code expected} (empty:
   * the view has none yet), so that a run which raced another one never moves it back. Does I/O.
   *
   * @return whether it moved; false when another run changed it since {@code expected} was read
   * @throws UnavailableException when the store cannot be reached; the watermark is unchanged
   */
  boolean advanceWatermark(String viewName, OptionalLong expected, long snapshotId);

  /** Releases the store's connections. */
  @Override
  void close();
}
