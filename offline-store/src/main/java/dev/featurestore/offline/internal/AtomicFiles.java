package dev.featurestore.offline.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

/**
 * Local files written so that a reader never sees a partial one: into a hidden temporary file beside the target,
 * moved into place when complete; a failure leaves the old file (if any) alone.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** Writes the content of a file at the path it is given. */
  @FunctionalInterface
  public interface Content {
    void writeTo(Path file) throws IOException;
  }

  /** Writes {@code target} (its directories created if missing) through a temporary file. */
  public static void write(Path target, Content content) throws IOException {
    Path absolute = target.toAbsolutePath();
    Path temp = tempBeside(absolute);
    try {
      Files.createDirectories(absolute.getParent());
      content.writeTo(temp);
      moveIntoPlace(temp, absolute);
    } finally {
      deleteQuietly(temp);
    }
  }

  /**
   * A hidden, uniquely named temporary file beside {@code target}, {@code .<name>.<uuid>.tmp}: on the same file
   * system, so that {@link #moveIntoPlace} is atomic, and never taken for the target by a reader listing files.
   */
  public static Path tempBeside(Path target) {
    Path absolute = target.toAbsolutePath();
    return absolute.resolveSibling("." + absolute.getFileName() + "." + UUID.randomUUID() + ".tmp");
  }

  /** Moves a complete temporary file onto {@code target} in one step, replacing an existing one. */
  public static void moveIntoPlace(Path temp, Path target) throws IOException {
    Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Deletes a temporary file if it is still there; best effort: it is hidden and named uniquely. */
  public static void deleteQuietly(Path temp) {
    try {
      Files.deleteIfExists(temp);
    } catch (IOException ignored) {
      // left behind only if the file system refuses; no reader takes it for a target
    }
  }
}
