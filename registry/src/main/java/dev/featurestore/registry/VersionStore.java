package dev.featurestore.registry;

import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.error.FeatureStoreException;
import dev.featurestore.api.error.IncompatibleChangeException;
import dev.featurestore.api.error.UnavailableException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The table of versions: one row per version (number, applied-at microseconds, definitions bytes). Holds one
 * connection, used by one caller at a time and opened again after it broke. Thread-safe.
 */
final class VersionStore implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(VersionStore.class);
  private static final String TABLE = "registry_versions";
  private static final String COLUMNS = "version, applied_at_micros, definitions";

  private final Dialect dialect;
  private final String url;
  /** The URL without its parameters, which may carry a password, for messages. */
  private final String shownUrl;
  private final Properties properties;
  private final ReentrantLock lock = new ReentrantLock();
  private Connection connection;
  private boolean closed;

  private VersionStore(Dialect dialect, String url, Properties properties) {
    this.dialect = dialect;
    this.url = url;
    this.shownUrl = url.indexOf('?') < 0 ? url : url.substring(0, url.indexOf('?'));
    this.properties = dialect.connectionProperties(properties);
  }

  /** Connects and creates the table when missing. */
  static VersionStore open(Dialect dialect, String url, Properties properties) {
    VersionStore store = new VersionStore(dialect, url, properties);
    try {
      store.withConnection("open the registry", c -> {
        try (Statement statement = c.createStatement()) {
          statement.execute(dialect.createTable(TABLE));
        }
        return null;
      });
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    return store;
  }

  /** The latest stored version, empty before the first apply. */
  Optional<RegistrySnapshot> latest() {
    return withConnection("read the latest registry version", this::latest);
  }

  /** Every stored version after {@code version}, oldest first. */
  List<RegistrySnapshot> after(long version) {
    return withConnection("read new registry versions", c -> {
      try (PreparedStatement select = c.prepareStatement(
          "SELECT " + COLUMNS + " FROM " + TABLE + " WHERE version > ? ORDER BY version")) {
        select.setLong(1, version);
        try (ResultSet rows = select.executeQuery()) {
          List<RegistrySnapshot> snapshots = new ArrayList<>();
          while (rows.next()) {
            snapshots.add(snapshot(rows));
          }
          return snapshots;
        }
      }
    });
  }

  Optional<RegistrySnapshot> read(long version) {
    return withConnection("read registry version " + version, c -> {
      try (PreparedStatement select = c.prepareStatement(
          "SELECT " + COLUMNS + " FROM " + TABLE + " WHERE version = ?")) {
        select.setLong(1, version);
        try (ResultSet rows = select.executeQuery()) {
          return rows.next() ? Optional.of(snapshot(rows)) : Optional.empty();
        }
      }
    });
  }

  /**
   * Runs {@code work} in one write transaction that no other writer can interleave with: it commits when
   * {@code work} returns and rolls back when it throws, so nothing of a refused apply is written.
   *
   * @throws IncompatibleChangeException when another writer stored the same version number first
   * @throws UnavailableException when the database fails
   */
  <T> T write(Function<WriteTransaction, T> work) {
    return withConnection("apply definitions", c -> {
      dialect.begin(c);
      WriteTransaction transaction = new WriteTransaction(c);
      boolean committed = false;
      try {
        T result = work.apply(transaction);
        dialect.commit(c);
        committed = true;
        return result;
      } catch (SqlFailure failure) {
        throw raceOrSelf(transaction, (SQLException) failure.getCause());
      } catch (SQLException e) {
        throw raceOrSelf(transaction, e);
      } finally {
        if (!committed) {
          rollbackQuietly(c);
        }
      }
    });
  }

  /** Throws the conflict when another writer took the version first; otherwise gives {@code e} back to rethrow. */
  private SQLException raceOrSelf(WriteTransaction transaction, SQLException e) {
    if (dialect.isUniqueViolation(e) && transaction.attempted > 0) {
      throw new IncompatibleChangeException(List.of("another apply stored version " + transaction.attempted
          + " at the same time; plan again against it and re-apply"));
    }
    return e;
  }

  /** The latest version and the insert of the next one, inside {@link #write}. */
  final class WriteTransaction {
    private final Connection connection;
    private long attempted;

    private WriteTransaction(Connection connection) {
      this.connection = connection;
    }

    RegistrySnapshot latest() {
      return sql(() -> VersionStore.this.latest(connection).orElse(RegistrySnapshot.empty()));
    }

    /** Stores {@code definitions} as {@code version}, applied now. */
    RegistrySnapshot insert(long version, Definitions definitions) {
      attempted = version;
      long micros = nowMicros();
      return sql(() -> {
        try (PreparedStatement insert = connection.prepareStatement(
            "INSERT INTO " + TABLE + " (" + COLUMNS + ") VALUES (?, ?, ?)")) {
          insert.setLong(1, version);
          insert.setLong(2, micros);
          insert.setBytes(3, DefinitionsCodec.encode(definitions));
          insert.executeUpdate();
        }
        return new RegistrySnapshot(version, definitions, instantOfMicros(micros));
      });
    }
  }

  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      closeConnection();
    } finally {
      lock.unlock();
    }
  }

  private Optional<RegistrySnapshot> latest(Connection c) throws SQLException {
    try (PreparedStatement select = c.prepareStatement(
        "SELECT " + COLUMNS + " FROM " + TABLE + " ORDER BY version DESC LIMIT 1");
        ResultSet rows = select.executeQuery()) {
      return rows.next() ? Optional.of(snapshot(rows)) : Optional.empty();
    }
  }

  private static RegistrySnapshot snapshot(ResultSet row) throws SQLException {
    long version = row.getLong(1);
    return new RegistrySnapshot(
        version, DefinitionsCodec.decode(version, row.getBytes(3)), instantOfMicros(row.getLong(2)));
  }

  Dialect dialect() {
    return dialect;
  }

  static long nowMicros() {
    Instant now = Instant.now();
    return Math.addExact(Math.multiplyExact(now.getEpochSecond(), 1_000_000L), now.getNano() / 1_000);
  }

  static Instant instantOfMicros(long micros) {
    return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
  }

  interface SqlWork<T> {
    T run(Connection connection) throws SQLException;
  }

  private interface SqlCall<T> {
    T call() throws SQLException;
  }

  /** Lets SQL failures inside a {@link WriteTransaction} reach {@link #withConnection} as they are. */
  private static final class SqlFailure extends RuntimeException {
    private SqlFailure(SQLException cause) {
      super(cause);
    }
  }

  private static <T> T sql(SqlCall<T> call) {
    try {
      return call.call();
    } catch (SQLException e) {
      throw new SqlFailure(e);
    }
  }

  /** Runs {@code work} on the connection, one caller at a time; translates SQL failures in this one place. */
  <T> T withConnection(String action, SqlWork<T> work) {
    lock.lock();
    try {
      if (closed) {
        throw new FeatureStoreException("Cannot " + action + ": the registry is closed");
      }
      Connection c = connection();
      try {
        return work.run(c);
      } catch (SqlFailure failure) {
        throw translate(action, (SQLException) failure.getCause(), c);
      } catch (SQLException e) {
        throw translate(action, e, c);
      }
    } catch (SQLException e) {
      throw new UnavailableException(
          "Cannot " + action + ": the registry database at '" + shownUrl + "' cannot be reached: " + e.getMessage(), e);
    } finally {
      lock.unlock();
    }
  }

  private RuntimeException translate(String action, SQLException e, Connection c) {
    dropIfBroken(c);
    return new UnavailableException(
        "Cannot " + action + ": the registry database at '" + shownUrl + "' failed: " + e.getMessage(), e);
  }

  private Connection connection() throws SQLException {
    if (connection == null) {
      connection = DriverManager.getConnection(url, properties);
    }
    return connection;
  }

  private void dropIfBroken(Connection c) {
    try {
      if (c.isValid(2)) {
        return;
      }
    } catch (SQLException e) {
      LOG.debug("Registry connection check failed", e);
    }
    LOG.warn("Registry connection to {} is broken; reconnecting on the next call", shownUrl);
    closeConnection();
  }

  private void closeConnection() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException e) {
        LOG.debug("Closing the registry connection failed", e);
      }
      connection = null;
    }
  }

  private void rollbackQuietly(Connection c) {
    try {
      dialect.rollback(c);
    } catch (SQLException e) {
      LOG.debug("Registry rollback failed", e);
      dropIfBroken(c);
    }
  }
}
