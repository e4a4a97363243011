package dev.featurestore.registry;

import static dev.featurestore.registry.Fixtures.base;
import static dev.featurestore.registry.Fixtures.txn;
import static dev.featurestore.registry.Fixtures.txnWithAmountType;
import static dev.featurestore.registry.Fixtures.withView;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.error.IncompatibleChangeException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The same registry on a real PostgreSQL server (the machine's local one at 127.0.0.1:5432, user postgres, or
 * REGISTRY_IT_PG_HOST / REGISTRY_IT_PG_PORT / REGISTRY_IT_PG_USER), each test in a database of its own.
 */
class PostgresRegistryIT {
  private static final String HOST = env("REGISTRY_IT_PG_HOST", "127.0.0.1");
  private static final String PORT = env("REGISTRY_IT_PG_PORT", "5432");
  private static final String USER = env("REGISTRY_IT_PG_USER", "postgres");
  private static final RegistryOptions FAST = RegistryOptions.builder().refreshInterval(Duration.ofMillis(50)).build();

  private String database;
  private String url;
  private final List<Registry> opened = new ArrayList<>();

  @BeforeEach
  void createDatabase() {
    database = "registry_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12).toLowerCase(Locale.ROOT);
    try (Connection admin = adminConnection(); Statement statement = admin.createStatement()) {
      statement.execute("CREATE DATABASE " + database);
    } catch (SQLException e) {
      Assumptions.abort("PostgreSQL at " + HOST + ":" + PORT + " is not reachable: " + e.getMessage());
    }
    url = "jdbc:postgresql://" + HOST + ":" + PORT + "/" + database;
  }

  @AfterEach
  void dropDatabase() throws SQLException {
    opened.forEach(Registry::close);
    if (url != null) {
      try (Connection admin = adminConnection(); Statement statement = admin.createStatement()) {
        statement.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
      }
    }
  }

  private Registry open() {
    Registry registry = Registries.jdbc(url, USER, null, FAST);
    opened.add(registry);
    return registry;
  }

  @Test
  void apply_thenReopen_keepsVersionsAndHistory() {
    Registry first = open();
    RegistrySnapshot v1 = first.apply(base(), 0).snapshot();
    RegistrySnapshot v2 = first.apply(withView(base(), txn().toBuilder().owner("o@example.com").build()), 1)
        .snapshot();
    first.close();

    Registry reopened = open();

    assertThat(reopened.current()).isEqualTo(v2);
    assertThat(reopened.version(1)).isEqualTo(v1);
  }

  @Test
  void apply_incompatibleOrStale_refusedAndNothingWritten() {
    Registry registry = open();
    RegistrySnapshot v1 = registry.apply(base(), 0).snapshot();

    assertThatThrownBy(() -> registry.apply(withView(base(), txnWithAmountType(ValueType.BOOL)), 0))
        .isInstanceOf(IncompatibleChangeException.class)
        .hasMessage("Cannot apply definitions: feature view 'txn': feature 'amount' changes type from INT64 to "
            + "BOOL; declare a new feature or a new view instead");
    assertThatThrownBy(() -> registry.apply(withView(base(), txn().toBuilder().owner("x").build()), 5))
        .isInstanceOf(IncompatibleChangeException.class)
        .hasMessage("Cannot apply definitions: the registry is at version 1, not the expected 5");
    assertThat(registry.current()).isEqualTo(v1);
    assertThat(storedVersions()).containsExactly(1L);
  }

  @Test
  void twoRegistries_applyThroughOne_seenByOthersListener() {
    Registry writer = open();
    Registry reader = open();
    List<Long> seen = new CopyOnWriteArrayList<>();
    reader.onChange(snapshot -> seen.add(snapshot.version()));

    RegistrySnapshot v1 = writer.apply(base(), 0).snapshot();

    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(reader.current()).isEqualTo(v1));
    assertThat(seen).containsExactly(1L);
  }

  @Test
  void apply_anotherWriterTakesTheSameVersionFirst_refusedToReplanAndNothingLost() throws Exception {
    Registry registry = open();
    registry.apply(base(), 0);
    try (Connection rival = DriverManager.getConnection(url, USER, null)) {
      // A rival transaction holds version 2 uncommitted: the registry reads version 1 as the latest, inserts 2,
      // waits on the rival's row lock and finds the number taken once the rival commits.
      rival.setAutoCommit(false);
      try (PreparedStatement insert = rival.prepareStatement(
          "INSERT INTO registry_versions (version, applied_at_micros, definitions) VALUES (2, 0, ?)")) {
        insert.setBytes(1, DefinitionsCodec.encode(withView(base(), txn().toBuilder().owner("rival").build())));
        insert.executeUpdate();
      }
      CompletableFuture<ApplyResult> apply = CompletableFuture.supplyAsync(
          () -> registry.apply(withView(base(), txn().toBuilder().owner("mine").build()), 0));
      await().atMost(Duration.ofSeconds(10)).until(() -> waitingOnLock() > 0);
      rival.commit();

      assertThatThrownBy(() -> apply.get(10, TimeUnit.SECONDS))
          .cause()
          .isInstanceOf(IncompatibleChangeException.class)
          .hasMessage("Cannot apply definitions: another apply stored version 2 at the same time; "
              + "plan again against it and re-apply");
    }
    assertThat(storedVersions()).containsExactly(1L, 2L);
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(registry.current().definitions().requireView("txn").owner()).isEqualTo("rival"));

    ApplyResult retried = registry.apply(withView(base(), txn().toBuilder().owner("mine").build()), 2);
    assertThat(retried.snapshot().version()).isEqualTo(3);
  }

  private long waitingOnLock() throws SQLException {
    try (Connection admin = adminConnection();
        PreparedStatement select = admin.prepareStatement(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = ? AND wait_event_type = 'Lock'")) {
      select.setString(1, database);
      try (ResultSet rows = select.executeQuery()) {
        rows.next();
        return rows.getLong(1);
      }
    }
  }

  private List<Long> storedVersions() {
    try (Connection c = DriverManager.getConnection(url, USER, null);
        Statement statement = c.createStatement();
        ResultSet rows = statement.executeQuery("SELECT version FROM registry_versions ORDER BY version")) {
      List<Long> versions = new ArrayList<>();
      while (rows.next()) {
        versions.add(rows.getLong(1));
      }
      return versions;
    } catch (SQLException e) {
      throw new AssertionError(e);
    }
  }

  private static Connection adminConnection() throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://" + HOST + ":" + PORT + "/postgres", USER, null);
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}
