package dev.featurestore.registry;

import dev.featurestore.api.error.UnavailableException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Properties;

/**
 * Opens a {@link Registry}: the one entry point of this module.
 *
 * <p>Several registries, in one process or many, may open the same database: every apply is one transaction that
 * takes the next version number, so two applies never store the same number and none is lost; each registry sees
 * the others' versions within its refresh interval.
 */
public final class Registries {
  /** The file an embedded registry keeps its versions in, inside its data directory. */
  public static final String EMBEDDED_FILE = "registry.db";

  private Registries() {}

  /** {@link #embedded(Path, RegistryOptions)} with default options. */
  public static Registry embedded(Path dataDir) {
    return embedded(dataDir, RegistryOptions.defaults());
  }

  /**
   * A registry kept in the SQLite file {@value #EMBEDDED_FILE} inside {@code dataDir}; the directory and the file
   * are created when missing.
   *
   * @throws UnavailableException when the directory or the database cannot be opened
   */
  public static Registry embedded(Path dataDir, RegistryOptions options) {
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(options, "options");
    try {
      Files.createDirectories(dataDir);
    } catch (IOException e) {
      throw new UnavailableException(
          "Cannot open the registry: directory '" + dataDir + "' cannot be created: " + e.getMessage(), e);
    }
    String url = "jdbc:sqlite:" + dataDir.resolve(EMBEDDED_FILE).toAbsolutePath();
    return JdbcRegistry.open(VersionStore.open(Dialect.SQLITE, url, new Properties()), options);
  }

  /** {@link #jdbc(String, String, String, RegistryOptions)} with default options. */
  public static Registry jdbc(String jdbcUrl, String user, String password) {
    return jdbc(jdbcUrl, user, password, RegistryOptions.defaults());
  }

  /**
   * A registry in a database reached by JDBC: PostgreSQL ({@code jdbc:postgresql:...}) in production, or SQLite
   * ({@code jdbc:sqlite:...}). Creates its table when missing.
   *
   * @param user may be null when the URL or the driver supplies it
   * @param password may be null
   * @throws dev.featurestore.api.error.InvalidRequestException naming the URL when it is of neither kind
   * @throws UnavailableException when the database cannot be reached
   */
  public static Registry jdbc(String jdbcUrl, String user, String password, RegistryOptions options) {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    Objects.requireNonNull(options, "options");
    Properties properties = new Properties();
    if (user != null) {
      properties.setProperty("user", user);
    }
    if (password != null) {
      properties.setProperty("password", password);
    }
    return JdbcRegistry.open(VersionStore.open(Dialect.of(jdbcUrl), jdbcUrl, properties), options);
  }
}
