package dev.featurestore.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Materialization watermarks on both dialects: the embedded SQLite file, and a real PostgreSQL server (the local
 * one at 127.0.0.1:5432, as {@link PostgresRegistryIT}; skipped when none is reachable) in a database of its own.
 */
class WatermarksIT {
  private static final String PG_HOST = env("REGISTRY_IT_PG_HOST", "127.0.0.1");
  private static final String PG_PORT = env("REGISTRY_IT_PG_PORT", "5432");
  private static final String PG_USER = env("REGISTRY_IT_PG_USER", "postgres");

  @TempDir Path dir;
  private final List<Registry> opened = new ArrayList<>();
  private String pgDatabase;

  @AfterEach
  void closeAll() throws SQLException {
    opened.forEach(Registry::close);
    if (pgDatabase != null) {
      try (Connection admin = pgAdmin(); Statement statement = admin.createStatement()) {
        statement.execute("DROP DATABASE IF EXISTS " + pgDatabase + " WITH (FORCE)");
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgresql"})
  void watermark_beforeFirstRun_isEmpty(String dialect) {
    Registry registry = opener(dialect).get();

    assertThat(registry.watermark("txn")).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgresql"})
  void advanceWatermark_thenReopen_keepsSnapshotPerView(String dialect) {
    Supplier<Registry> open = opener(dialect);
    Registry first = open.get();
    assertThat(first.advanceWatermark("txn", OptionalLong.empty(), 11L)).isTrue();
    assertThat(first.advanceWatermark("txn", OptionalLong.of(11L), 12L)).isTrue();
    assertThat(first.advanceWatermark("clicks", OptionalLong.empty(), -5L)).isTrue();
    first.close();

    Registry reopened = open.get();

    assertThat(reopened.watermark("txn")).hasValueSatisfying(w -> {
      assertThat(w.viewName()).isEqualTo("txn");
      assertThat(w.snapshotId()).isEqualTo(12L);
    });
    assertThat(reopened.watermark("clicks")).hasValueSatisfying(w -> assertThat(w.snapshotId()).isEqualTo(-5L));
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgresql"})
  void advanceWatermark_staleExpectation_leavesItAndReturnsFalse(String dialect) {
    Supplier<Registry> open = opener(dialect);
    Registry a = open.get();
    Registry b = open.get();
    assertThat(a.advanceWatermark("txn", OptionalLong.empty(), 1L)).isTrue();

    boolean insertedAgain = b.advanceWatermark("txn", OptionalLong.empty(), 2L);
    assertThat(a.advanceWatermark("txn", OptionalLong.of(1L), 3L)).isTrue();
    boolean movedFromStale = b.advanceWatermark("txn", OptionalLong.of(1L), 4L);

    assertThat(insertedAgain).isFalse();
    assertThat(movedFromStale).isFalse();
    assertThat(b.watermark("txn")).hasValueSatisfying(w -> assertThat(w.snapshotId()).isEqualTo(3L));
  }

  private Supplier<Registry> opener(String dialect) {
    if (dialect.equals("sqlite")) {
      return () -> track(Registries.embedded(dir));
    }
    String database = "watermark_it_"
        + UUID.randomUUID().toString().replace("-", "").substring(0, 12).toLowerCase(Locale.ROOT);
    try (Connection admin = pgAdmin(); Statement statement = admin.createStatement()) {
      statement.execute("CREATE DATABASE " + database);
    } catch (SQLException e) {
      Assumptions.abort("PostgreSQL at " + PG_HOST + ":" + PG_PORT + " is not reachable: " + e.getMessage());
    }
    pgDatabase = database;
    String url = "jdbc:postgresql://" + PG_HOST + ":" + PG_PORT + "/" + database;
    return () -> track(Registries.jdbc(url, PG_USER, null));
  }

  private Registry track(Registry registry) {
    opened.add(registry);
    return registry;
  }

  private static Connection pgAdmin() throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://" + PG_HOST + ":" + PG_PORT + "/postgres", PG_USER, null);
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}
