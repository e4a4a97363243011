package dev.featurestore.registry;

import static dev.featurestore.registry.Fixtures.base;
import static dev.featurestore.registry.Fixtures.txn;
import static dev.featurestore.registry.Fixtures.txnWithAmountType;
import static dev.featurestore.registry.Fixtures.withEntity;
import static dev.featurestore.registry.Fixtures.withView;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.Entity;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.definition.JoinKey;
import dev.featurestore.api.error.IncompatibleChangeException;
import dev.featurestore.api.error.NotFoundException;
import dev.featurestore.registry.ObjectChange.Action;
import dev.featurestore.registry.ObjectChange.FieldChange;
import dev.featurestore.registry.ObjectChange.Kind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded registry on real SQLite files in a temporary directory. */
class SqliteRegistryIT {
  private static final RegistryOptions FAST = RegistryOptions.builder().refreshInterval(Duration.ofMillis(50)).build();

  @TempDir
  Path dir;

  private final List<Registry> opened = new ArrayList<>();

  private Registry open() {
    Registry registry = Registries.embedded(dir, FAST);
    opened.add(registry);
    return registry;
  }

  @AfterEach
  void closeAll() {
    opened.forEach(Registry::close);
  }

  @Test
  void embedded_missingDirectory_createsDatabaseFileAtVersionZero() {
    Path nested = dir.resolve("a/b");
    try (Registry registry = Registries.embedded(nested)) {
      assertThat(registry.current()).isEqualTo(RegistrySnapshot.empty());
      assertThat(Files.exists(nested.resolve(Registries.EMBEDDED_FILE))).isTrue();
    }
  }

  @Test
  void apply_firstDefinitions_storesVersionOneWithChanges() {
    Registry registry = open();

    ApplyResult result = registry.apply(base(), 0);

    assertThat(result.snapshot().version()).isEqualTo(1);
    assertThat(result.snapshot().definitions()).isEqualTo(base());
    assertThat(result.changes()).extracting(ObjectChange::action).containsOnly(Action.ADDED).hasSize(4);
    assertThat(registry.current()).isEqualTo(result.snapshot());
  }

  @Test
  void apply_sameDefinitionsAgain_returnsCurrentWithoutNewVersion() {
    Registry registry = open();
    RegistrySnapshot first = registry.apply(base(), 0).snapshot();

    ApplyResult again = registry.apply(base(), 1);

    assertThat(again.changes()).isEmpty();
    assertThat(again.snapshot()).isEqualTo(first);
    assertThat(registry.current().version()).isEqualTo(1);
    assertThatThrownBy(() -> registry.version(2))
        .isInstanceOf(NotFoundException.class)
        .hasMessage("Cannot find registry version 2: the latest version is 1");
  }

  @Test
  void apply_oneIncompatibleChangeAmongFineOnes_leavesPreviousVersionIntact() {
    Registry registry = open();
    RegistrySnapshot before = registry.apply(base(), 0).snapshot();
    FeatureView typeChanged = txnWithAmountType(ValueType.DOUBLE).toBuilder()
        .ttl(Duration.ofHours(1))
        .tag("tier", "gold")
        .build();
    FeatureView added = FeatureView.builder("clicks").entity("user").feature("count", ValueType.INT64).build();
    Definitions proposed = withView(withView(base(), typeChanged), added);

    assertThatThrownBy(() -> registry.apply(proposed, 0))
        .isInstanceOf(IncompatibleChangeException.class)
        .hasMessage("Cannot apply definitions: feature view 'txn': feature 'amount' changes type from INT64 to "
            + "DOUBLE; declare a new feature or a new view instead");

    assertThat(registry.current()).isEqualTo(before);
    assertThat(registry.version(1)).isEqualTo(before);
    assertThatThrownBy(() -> registry.version(2)).isInstanceOf(NotFoundException.class)
        .hasMessage("Cannot find registry version 2: the latest version is 1");
    try (Registry other = Registries.embedded(dir)) {
      assertThat(other.current()).isEqualTo(before);
    }
  }

  @Test
  void apply_usedEntityJoinKeyChanged_refusedNamingEntityAndView() {
    Registry registry = open();
    registry.apply(base(), 0);
    Definitions proposed = withEntity(base(), Entity.of("user", JoinKey.of("user_key", ValueType.INT64)));

    assertThatThrownBy(() -> registry.apply(proposed, 0))
        .isInstanceOf(IncompatibleChangeException.class)
        .hasMessage("Cannot apply definitions: entity 'user': join keys change from [user_id: INT64] to "
            + "[user_key: INT64] while feature view 'txn' uses it; declare a new entity instead")
        .extracting(e -> ((IncompatibleChangeException) e).violations())
        .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST)
        .hasSize(1);
    assertThat(registry.current().version()).isEqualTo(1);
  }

  @Test
  void apply_allowedChange_storesNextVersionWithFieldChanges() {
    Registry registry = open();
    registry.apply(base(), 0);
    FeatureView longer = txn().toBuilder().ttl(Duration.ofDays(7)).build();

    ApplyResult result = registry.apply(withView(base(), longer), 1);

    assertThat(result.snapshot().version()).isEqualTo(2);
    assertThat(result.changes()).containsExactly(new ObjectChange(Action.CHANGED, Kind.FEATURE_VIEW, "txn",
        List.of(new FieldChange("ttl", "PT24H", "PT168H"))));
    assertThat(registry.current().definitions().requireView("txn").ttl()).isEqualTo(Duration.ofDays(7));
  }

  @Test
  void apply_staleExpectedVersion_refusedAndNothingWritten() {
    Registry registry = open();
    registry.apply(base(), 0);
    registry.apply(withView(base(), txn().toBuilder().owner("a@example.com").build()), 1);

    assertThatThrownBy(() -> registry.apply(withView(base(), txn().toBuilder().owner("b@example.com").build()), 1))
        .isInstanceOf(IncompatibleChangeException.class)
        .hasMessage("Cannot apply definitions: the registry is at version 2, not the expected 1");
    assertThat(registry.current().version()).isEqualTo(2);
    assertThat(registry.current().definitions().requireView("txn").owner()).isEqualTo("a@example.com");
  }

  @Test
  void reopen_sameDirectory_keepsVersionDefinitionsAndHistory() {
    Registry first = Registries.embedded(dir, FAST);
    RegistrySnapshot v1 = first.apply(base(), 0).snapshot();
    RegistrySnapshot v2 = first.apply(withView(base(), txn().toBuilder().tag("pii", "no").build()), 0).snapshot();
    first.close();

    Registry reopened = open();

    assertThat(reopened.current()).isEqualTo(v2);
    assertThat(reopened.current().appliedAt()).isAfterOrEqualTo(v1.appliedAt());
    assertThat(reopened.version(1)).isEqualTo(v1);
    assertThat(reopened.version(2)).isEqualTo(v2);
    assertThat(reopened.version(0)).isEqualTo(RegistrySnapshot.empty());
    assertThatThrownBy(() -> reopened.version(3))
        .isInstanceOf(NotFoundException.class)
        .hasMessage("Cannot find registry version 3: the latest version is 2");
  }

  @Test
  void plan_againstStoredVersion_writesNothing() {
    Registry registry = open();
    registry.apply(base(), 0);

    Plan plan = registry.plan(withView(base(), txnWithAmountType(ValueType.STRING)));

    assertThat(plan.baseVersion()).isEqualTo(1);
    assertThat(plan.violations()).containsExactly("feature view 'txn': feature 'amount' changes type from INT64 "
        + "to STRING; declare a new feature or a new view instead");
    assertThat(registry.current().version()).isEqualTo(1);
  }

  @Test
  void twoRegistriesOnOneFile_applyThroughOne_seenByOthersCurrentAndListener() {
    Registry writer = open();
    Registry reader = open();
    List<Long> seen = new CopyOnWriteArrayList<>();
    reader.onChange(snapshot -> seen.add(snapshot.version()));

    RegistrySnapshot v1 = writer.apply(base(), 0).snapshot();
    RegistrySnapshot v2 = writer.apply(withView(base(), txn().toBuilder().owner("x@example.com").build()), 0)
        .snapshot();

    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(reader.current()).isEqualTo(v2));
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(seen).containsExactly(1L, 2L));
    assertThat(reader.version(1)).isEqualTo(v1);
  }

  @Test
  void onChange_ownApply_notifiedBeforeApplyReturnsAndNotAfterRemoval() throws Exception {
    Registry registry = open();
    List<Long> seen = new CopyOnWriteArrayList<>();
    AutoCloseable handle = registry.onChange(snapshot -> seen.add(snapshot.version()));

    registry.apply(base(), 0);
    assertThat(seen).containsExactly(1L);

    handle.close();
    registry.apply(Definitions.EMPTY, 0);
    assertThat(seen).containsExactly(1L);
    assertThat(registry.current().version()).isEqualTo(2);
  }

  @Test
  void apply_concurrentFromTwoRegistries_everyVersionOnceNoneLost() throws Exception {
    Registry left = open();
    Registry right = open();
    List<Long> leftSeen = Collections.synchronizedList(new ArrayList<>());
    left.onChange(snapshot -> leftSeen.add(snapshot.version()));
    left.apply(base(), 0);
    int perWriter = 10;
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<List<Long>>> writers = new ArrayList<>();
      for (Registry registry : List.of(left, right)) {
        String name = registry == left ? "left" : "right";
        writers.add(pool.submit(() -> {
          List<Long> versions = new ArrayList<>();
          for (int i = 0; i < perWriter; i++) {
            FeatureView tagged = txn().toBuilder().tag("writer", name + i).build();
            versions.add(registry.apply(withView(base(), tagged), 0).snapshot().version());
          }
          return versions;
        }));
      }
      List<Long> stored = new ArrayList<>();
      for (Future<List<Long>> writer : writers) {
        stored.addAll(writer.get(60, TimeUnit.SECONDS));
      }

      List<Long> expected = java.util.stream.LongStream.rangeClosed(2, 1 + 2L * perWriter).boxed().toList();
      assertThat(stored).containsExactlyInAnyOrderElementsOf(expected);
      for (long version : expected) {
        assertThat(left.version(version).definitions().requireView("txn").tags()).containsKey("writer");
      }
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(leftSeen).hasSize(1 + 2 * perWriter));
      assertThat(leftSeen).isSorted().doesNotHaveDuplicates();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void close_thenApply_failsNamingClosedRegistry() {
    Registry registry = Registries.embedded(dir, FAST);
    registry.close();

    assertThatThrownBy(() -> registry.apply(base(), 0))
        .isInstanceOf(dev.featurestore.api.error.FeatureStoreException.class)
        .hasMessage("Cannot apply definitions: the registry is closed");
  }
}
