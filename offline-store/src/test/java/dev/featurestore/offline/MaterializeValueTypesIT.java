package dev.featurestore.offline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.data.EntityKey;
import dev.featurestore.api.data.FeatureRow;
import dev.featurestore.api.data.FeatureValues;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.Entity;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.definition.JoinKey;
import dev.featurestore.offline.IncrementalMaterializeResult.Kind;
import dev.featurestore.online.OnlineStores;
import dev.featurestore.online.RedisServerProcess;
import dev.featurestore.online.spi.OnlineStore;
import dev.featurestore.registry.Registries;
import dev.featurestore.registry.Registry;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Materialization of views with a feature of every value type (lists and nulls included), under a key of one integer
 * column and under a compound key, from real Iceberg tables into a real redis-server: what Redis holds per key is
 * the newest row of DESIGN.md's order (event, then created, then the later append, then the later row of an
 * append), with every value as it was appended. Timestamps come from a small range, so that every kind of tie
 * occurs.
 */
class MaterializeValueTypesIT {
  private static final long HOUR = 3_600_000_000L;
  private static final long BASE = 1_704_067_200_000_000L; // 2024-01-01T00:00:00Z
  private static final Entity MERCHANT = Entity.of("merchant", JoinKey.of("merchant_id", ValueType.STRING));

  @TempDir Path dir;
  private RedisServerProcess redis;
  private OfflineStore offline;
  private Registry registry;
  private OnlineStore online;

  @BeforeEach
  void open() {
    redis = RedisServerProcess.start();
    offline = OfflineStores.local(dir.resolve("warehouse"));
    registry = Registries.embedded(dir.resolve("registry"));
    online = OnlineStores.open(redis.uri());
  }

  @AfterEach
  void close() {
    online.close();
    registry.close();
    offline.close();
    redis.close();
  }

  @Test
  void materializeIncremental_everyValueTypeUnderIntegerKey_writesNewestRowWithItsValues() {
    FeatureView view = everyType("every_type", List.of("user"));
    assertMaterializesNewestRows(view, TestFiles.definitions(view), random -> EntityKey.of((long) random.nextInt(25)));
  }

  @Test
  void materializeIncremental_everyValueTypeUnderCompoundKey_writesNewestRowWithItsValues() {
    FeatureView view = everyType("pair_type", List.of("user", "merchant"));
    Definitions definitions = new Definitions(List.of(TestFiles.USER, MERCHANT), List.of(view), List.of());
    assertMaterializesNewestRows(view, definitions,
        random -> EntityKey.of((long) random.nextInt(5), "m" + random.nextInt(5)));
  }

  private void assertMaterializesNewestRows(FeatureView view, Definitions definitions,
      java.util.function.Function<Random, EntityKey> keys) {
    Random random = new Random(7);
    Map<EntityKey, FeatureRow> expected = new LinkedHashMap<>();
    // three appends, materialized after the second and the third: a full run, then an incremental one
    for (int append = 0; append < 3; append++) {
      List<FeatureRow> rows = new ArrayList<>();
      for (int i = 0; i < 120; i++) {
        EntityKey key = keys.apply(random);
        long event = BASE + random.nextInt(3) * HOUR;
        FeatureRow row = new FeatureRow(key, event, event + random.nextInt(2), values(view, random));
        rows.add(new FeatureRow(key, row.eventTimestampMicros(), row.createdTimestampMicros(),
            duplicateBuffers(view, row)));
        // a later row (later append, or later in the append) wins a full tie
        expected.merge(key, row, (held, incoming) -> incoming.eventTimestampMicros() != held.eventTimestampMicros()
            ? (incoming.eventTimestampMicros() > held.eventTimestampMicros() ? incoming : held)
            : (incoming.createdTimestampMicros() >= held.createdTimestampMicros() ? incoming : held));
      }
      offline.append(definitions, view.name(), rows, "append-" + append);
      if (append == 0) {
        continue;
      }

      IncrementalMaterializeResult result =
          offline.materializeIncremental(definitions, view.name(), online, registry, ProgressListener.NONE);

      assertThat(result.kind()).isEqualTo(append == 1 ? Kind.FULL : Kind.INCREMENTAL);
      assertThat(result.rowsScanned()).isEqualTo(append == 1 ? 240 : 120);
      List<EntityKey> written = new ArrayList<>(expected.keySet());
      assertThat(online.read(view, written).toCompletableFuture().join())
          .containsExactlyElementsOf(written.stream().map(expected::get).toList());
    }
  }

  private static FeatureView everyType(String name, List<String> entities) {
    FeatureView.Builder builder = FeatureView.builder(name).entities(entities);
    for (ValueType type : ValueType.values()) {
      builder.feature(type.name().toLowerCase(java.util.Locale.ROOT), type);
    }
    return builder.build();
  }

  /** Values of every feature of {@code view}, a fifth of them null, lists of zero to three elements. */
  private static FeatureValues values(FeatureView view, Random random) {
    Object[] values = new Object[view.features().size()];
    for (int f = 0; f < values.length; f++) {
      ValueType type = view.features().get(f).type();
      if (random.nextInt(5) == 0) {
        continue;
      }
      if (type.isList()) {
        List<Object> list = new ArrayList<>();
        for (int i = random.nextInt(4); i > 0; i--) {
          list.add(scalar(type.elementType(), random));
        }
        values[f] = List.copyOf(list);
      } else {
        values[f] = scalar(type, random);
      }
    }
    return FeatureValues.of(view, values);
  }

  /** The row's values with every ByteBuffer duplicated: appending reads the buffers it is given. */
  private static FeatureValues duplicateBuffers(FeatureView view, FeatureRow row) {
    Object[] values = new Object[view.features().size()];
    for (int f = 0; f < values.length; f++) {
      Object value = row.value(view.features().get(f).name());
      values[f] = value instanceof ByteBuffer buffer ? buffer.duplicate()
          : value instanceof List<?> list ? list.stream()
              .map(item -> item instanceof ByteBuffer buffer ? buffer.duplicate() : item).toList()
          : value;
    }
    return FeatureValues.of(view, values);
  }

  private static Object scalar(ValueType type, Random random) {
    return switch (type) {
      case BOOL -> random.nextBoolean();
      case INT32 -> random.nextInt();
      case INT64, TIMESTAMP -> random.nextLong() / 1024;
      case FLOAT -> random.nextFloat();
      case DOUBLE -> random.nextDouble();
      case STRING -> "s" + random.nextInt(1000) + "é";
      case BYTES -> ByteBuffer.wrap(new byte[] {(byte) random.nextInt(), 0, (byte) random.nextInt()});
      default -> throw new IllegalArgumentException("Cannot make a value: " + type + " is not a scalar type");
    };
  }
}
