package dev.featurestore.registry;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The table of materialization watermarks, one row per view, next to the versions in the same database. Each
 * change is one statement, so it is atomic in SQLite and PostgreSQL alike; the compare-and-set lets two runs of
 * the same view race without moving the watermark back.
 */
final class Watermarks {
  private static final String TABLE = "materialization_watermarks";

  private final VersionStore store;

  private Watermarks(VersionStore store) {
    this.store = store;
  }

  /** Creates the table when missing. */
  static Watermarks open(VersionStore store) {
    store.withConnection("create the watermark table", c -> {
      try (Statement statement = c.createStatement()) {
        statement.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " ("
            + "view_name VARCHAR(255) PRIMARY KEY, "
            + "snapshot_id BIGINT NOT NULL, "
            + "updated_at_micros BIGINT NOT NULL)");
      }
      return null;
    });
    return new Watermarks(store);
  }

  Optional<MaterializationWatermark> read(String viewName) {
    return store.withConnection("read the watermark of view '" + viewName + "'", c -> {
      try (PreparedStatement select = c.prepareStatement(
          "SELECT snapshot_id, updated_at_micros FROM " + TABLE + " WHERE view_name = ?")) {
        select.setString(1, viewName);
        try (ResultSet rows = select.executeQuery()) {
          return rows.next()
              ? Optional.of(new MaterializationWatermark(
                  viewName, rows.getLong(1), VersionStore.instantOfMicros(rows.getLong(2))))
              : Optional.empty();
        }
      }
    });
  }

  boolean advance(String viewName, OptionalLong expected, long snapshotId) {
    long now = VersionStore.nowMicros();
    return store.withConnection("store the watermark of view '" + viewName + "'", c -> {
      if (expected.isEmpty()) {
        try (PreparedStatement insert = c.prepareStatement(
            "INSERT INTO " + TABLE + " (view_name, snapshot_id, updated_at_micros) VALUES (?, ?, ?)")) {
          insert.setString(1, viewName);
          insert.setLong(2, snapshotId);
          insert.setLong(3, now);
          insert.executeUpdate();
          return true;
        } catch (SQLException e) {
          if (store.dialect().isUniqueViolation(e)) {
            return false;
          }
          throw e;
        }
      }
      try (PreparedStatement update = c.prepareStatement(
          "UPDATE " + TABLE + " SET snapshot_id = ?, updated_at_micros = ? WHERE view_name = ? AND snapshot_id = ?")) {
        update.setLong(1, snapshotId);
        update.setLong(2, now);
        update.setString(3, viewName);
        update.setLong(4, expected.getAsLong());
        return update.executeUpdate() == 1;
      }
    });
  }
}
