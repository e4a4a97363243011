package dev.featurestore.registry;

import dev.featurestore.api.error.InvalidRequestException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/** What differs between the databases a registry can live in: the blob type, transactions, conflicts. */
enum Dialect {
  SQLITE("BLOB") {
    @Override
    Properties connectionProperties(Properties given) {
      Properties properties = new Properties();
      properties.putAll(given);
      // WAL lets readers (the refresh poll of other processes) go on while one process writes; the busy timeout
      // makes a second writer wait for the first instead of failing at once.
      properties.putIfAbsent("journal_mode", "WAL");
      properties.putIfAbsent("busy_timeout", "10000");
      return properties;
    }

    @Override
    void begin(Connection connection) throws SQLException {
      // IMMEDIATE takes the write lock before the latest version is read, so two writers queue instead of both
      // reading version n and one of them failing its upgrade to a write lock.
      execute(connection, "BEGIN IMMEDIATE");
    }

    @Override
    void commit(Connection connection) throws SQLException {
      execute(connection, "COMMIT");
    }

    @Override
    void rollback(Connection connection) throws SQLException {
      execute(connection, "ROLLBACK");
    }

    @Override
    boolean isUniqueViolation(SQLException e) {
      // SQLITE_CONSTRAINT is 19; its extended codes (primary key, unique) keep it in the low byte.
      return (e.getErrorCode() & 0xff) == 19;
    }
  },

  POSTGRESQL("BYTEA") {
    @Override
    Properties connectionProperties(Properties given) {
      Properties properties = new Properties();
      properties.putAll(given);
      return properties;
    }

    @Override
    void begin(Connection connection) throws SQLException {
      connection.setAutoCommit(false);
    }

    @Override
    void commit(Connection connection) throws SQLException {
      connection.commit();
      connection.setAutoCommit(true);
    }

    @Override
    void rollback(Connection connection) throws SQLException {
      try {
        connection.rollback();
      } finally {
        connection.setAutoCommit(true);
      }
    }

    @Override
    boolean isUniqueViolation(SQLException e) {
      return "23505".equals(e.getSQLState());
    }
  };

  private final String blobType;

  Dialect(String blobType) {
    this.blobType = blobType;
  }

  static Dialect of(String jdbcUrl) {
    if (jdbcUrl.startsWith("jdbc:sqlite:")) {
      return SQLITE;
    }
    if (jdbcUrl.startsWith("jdbc:postgresql:")) {
      return POSTGRESQL;
    }
    String shown = jdbcUrl.indexOf('?') < 0 ? jdbcUrl : jdbcUrl.substring(0, jdbcUrl.indexOf('?'));
    throw new InvalidRequestException("Cannot open the registry at '" + shown
        + "': only jdbc:postgresql: and jdbc:sqlite: URLs are supported");
  }

  String createTable(String table) {
    return "CREATE TABLE IF NOT EXISTS " + table + " ("
        + "version BIGINT PRIMARY KEY, "
        + "applied_at_micros BIGINT NOT NULL, "
        + "definitions " + blobType + " NOT NULL)";
  }

  abstract Properties connectionProperties(Properties given);

  abstract void begin(Connection connection) throws SQLException;

  abstract void commit(Connection connection) throws SQLException;

  abstract void rollback(Connection connection) throws SQLException;

  /** Whether the failure is another transaction having stored the same version number first. */
  abstract boolean isUniqueViolation(SQLException e);

  private static void execute(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }
}
