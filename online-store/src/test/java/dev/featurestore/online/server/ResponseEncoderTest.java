package dev.featurestore.online.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.data.EntityKey;
import dev.featurestore.api.data.FeatureRow;
import dev.featurestore.api.data.FeatureValues;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.Entity;
import dev.featurestore.api.definition.FeatureNaming;
import dev.featurestore.api.definition.FeatureRef;
import dev.featurestore.api.definition.FeatureSelection;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.definition.JoinKey;
import dev.featurestore.api.proto.ProtoColumns;
import dev.featurestore.online.spi.Projection;
import dev.featurestore.online.spi.RowColumns;
import dev.featurestore.proto.v1.FeatureStatus;
import dev.featurestore.proto.v1.GetOnlineFeaturesResponse;
import dev.featurestore.proto.v1.ViewRows;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link ResponseEncoder} against the message built the documented way, through {@link ProtoColumns.Writer} and the
 * generated builders: the same bytes for random rows of every value type, with missing rows, nulls, empty lists,
 * rows past the TTL and several views, rows held by name and by position (as the stores decode them).
 */
class ResponseEncoderTest {
  private static final long NOW = 1_800_000_000_000_000L;
  private static final Entity USER = Entity.of("user", JoinKey.of("user_id", ValueType.INT64));

  private static FeatureView view(String name, Duration ttl) {
    FeatureView.Builder builder = FeatureView.builder(name).entity("user");
    if (ttl != null) {
      builder.ttl(ttl);
    }
    for (ValueType type : ValueType.values()) {
      builder.feature(type.name().toLowerCase(java.util.Locale.ROOT), type);
    }
    return builder.build();
  }

  private static final FeatureView FRESH = view("fresh", Duration.ofHours(1));
  private static final FeatureView FOREVER = view("forever", null);
  private static final Definitions DEFINITIONS = new Definitions(List.of(USER), List.of(FRESH, FOREVER), List.of());

  @Test
  void encode_randomRowsOfEveryType_sameBytesAsTheBuilders() throws Exception {
    Random random = new Random(42);
    for (int trial = 0; trial < 300; trial++) {
      List<FeatureRef> refs = new ArrayList<>();
      for (FeatureView view : List.of(FRESH, FOREVER)) {
        for (ValueType type : ValueType.values()) {
          if (random.nextInt(3) > 0) {
            refs.add(FeatureRef.of(view.name(), type.name().toLowerCase(java.util.Locale.ROOT)));
          }
        }
      }
      if (refs.isEmpty()) {
        refs.add(FeatureRef.of("forever", "int64"));
      }
      FeatureSelection selection =
          DEFINITIONS.select(refs, random.nextBoolean() ? FeatureNaming.FULL : FeatureNaming.SHORT);
      int entities = 1 + random.nextInt(random.nextBoolean() ? 3 : 60);
      List<List<FeatureRow>> rowsByView = new ArrayList<>();
      List<RowColumns> readByView = new ArrayList<>();
      List<int[]> entityRowsByView = new ArrayList<>();
      for (FeatureView view : selection.views()) {
        // fewer distinct rows than entity rows, as when entity rows repeat a key
        List<FeatureRow> read = new ArrayList<>();
        for (int i = 1 + random.nextInt(entities); i > 0; i--) {
          read.add(random.nextInt(5) == 0 ? null : randomRow(view, i, random));
        }
        int[] entityRows = new int[entities];
        List<FeatureRow> rows = new ArrayList<>();
        for (int i = 0; i < entities; i++) {
          entityRows[i] = random.nextInt(read.size());
          rows.add(read.get(entityRows[i]));
        }
        rowsByView.add(rows);
        readByView.add(RowColumns.of(projection(selection, view), read));
        entityRowsByView.add(entityRows);
      }

      List<ResponseEncoder.ViewLayout> layouts = new ArrayList<>();
      entityRowsByView.forEach(rows -> layouts.add(new ResponseEncoder.ViewLayout(rows, null)));

      byte[] encoded = ResponseEncoder.encode(selection, readByView, layouts, entities, NOW);
      GetOnlineFeaturesResponse expected = reference(selection, rowsByView, null, entities, NOW);

      assertThat(GetOnlineFeaturesResponse.parseFrom(encoded)).isEqualTo(expected);
      assertThat(encoded).isEqualTo(expected.toByteArray());
    }
  }

  @Test
  void encode_distinctKeys_viewsWithSharedKeysAnswerPerKeyAndReadBackAsPerRow() throws Exception {
    Random random = new Random(7);
    int compactViews = 0;
    for (int trial = 0; trial < 300; trial++) {
      FeatureSelection selection = DEFINITIONS.select(List.of(FeatureRef.of("fresh", "*"), FeatureRef.of("forever",
          "*")), FeatureNaming.FULL);
      int entities = 1 + random.nextInt(40);
      List<RowColumns> readByView = new ArrayList<>();
      List<ResponseEncoder.ViewLayout> layouts = new ArrayList<>();
      List<ResponseEncoder.ViewLayout> perRow = new ArrayList<>();
      List<List<FeatureRow>> entriesByView = new ArrayList<>();
      List<int[]> keyIndexByView = new ArrayList<>();
      for (FeatureView view : selection.views()) {
        // keys numbered in order of first use, as FeatureReader reads them: one user for all rows, or few, or many
        int keySpace = List.of(1, 3, entities).get(random.nextInt(3));
        int[] keyOfRow = new int[entities];
        Map<Integer, Integer> numbered = new HashMap<>();
        for (int i = 0; i < entities; i++) {
          keyOfRow[i] = numbered.computeIfAbsent(random.nextInt(keySpace), key -> numbered.size());
        }
        List<FeatureRow> read = new ArrayList<>();
        for (int k = 0; k < numbered.size(); k++) {
          read.add(random.nextInt(5) == 0 ? null : randomRow(view, k, random));
        }
        readByView.add(RowColumns.of(projection(selection, view), read));
        ResponseEncoder.ViewLayout layout = ResponseEncoder.ViewLayout.of(keyOfRow, read.size(), true);
        layouts.add(layout);
        perRow.add(ResponseEncoder.ViewLayout.of(keyOfRow, read.size(), false));
        boolean shared = read.size() < entities;
        compactViews += shared ? 1 : 0;
        assertThat(layout.keyIndex()).isEqualTo(shared ? keyOfRow : null);
        List<FeatureRow> entries = new ArrayList<>();
        for (int row : layout.readRows()) {
          entries.add(read.get(row));
        }
        entriesByView.add(entries);
        keyIndexByView.add(layout.keyIndex());
      }

      GetOnlineFeaturesResponse compact =
          GetOnlineFeaturesResponse.parseFrom(ResponseEncoder.encode(selection, readByView, layouts, entities, NOW));
      GetOnlineFeaturesResponse full =
          GetOnlineFeaturesResponse.parseFrom(ResponseEncoder.encode(selection, readByView, perRow, entities, NOW));

      assertThat(compact).isEqualTo(reference(selection, entriesByView, keyIndexByView, entities, NOW));
      assertThat(Served.results(compact)).isEqualTo(Served.results(full));
      assertThat(full.getViewsList()).allSatisfy(view -> assertThat(view.getKeyIndexCount()).isZero());
    }
    assertThat(compactViews).as("views answered per distinct key").isGreaterThan(100);
  }

  /** The features of {@code view} that {@code selection} reads, as FeatureReader projects them. */
  private static Projection projection(FeatureSelection selection, FeatureView view) {
    List<String> names = new ArrayList<>();
    for (FeatureSelection.Column column : selection.columnsOf(view.name())) {
      names.add(column.feature().name());
    }
    return Projection.of(view, names);
  }

  private static FeatureRow randomRow(FeatureView view, int key, Random random) {
    // a tenth of the rows older than the fresh view's hour: OUTSIDE_MAX_AGE there, PRESENT in the other view
    long event = random.nextInt(10) == 0 ? NOW - Duration.ofHours(2).toNanos() / 1000 : NOW - random.nextInt(1000);
    Map<String, Object> values = new HashMap<>();
    for (ValueType type : ValueType.values()) {
      if (random.nextInt(4) > 0) {
        values.put(type.name().toLowerCase(java.util.Locale.ROOT), randomValue(type, random));
      }
    }
    if (random.nextBoolean()) {
      // as the stores decode them: by position in the view, read by position by the encoder
      Object[] byPosition = new Object[view.features().size()];
      values.forEach((name, value) -> byPosition[view.indexOf(name)] = value);
      return new FeatureRow(EntityKey.of((long) key), event, event, FeatureValues.of(view, byPosition));
    }
    return new FeatureRow(EntityKey.of((long) key), event, event, values);
  }

  private static Object randomValue(ValueType type, Random random) {
    if (type.isList()) {
      List<Object> items = new ArrayList<>();
      int size = random.nextInt(4);
      for (int i = 0; i < size; i++) {
        items.add(randomValue(type.elementType(), random));
      }
      return List.copyOf(items);
    }
    return switch (type) {
      case BOOL -> random.nextBoolean();
      case INT32 -> random.nextBoolean() ? random.nextInt() : random.nextInt(100) - 50;
      case INT64, TIMESTAMP -> random.nextBoolean() ? random.nextLong() : (long) random.nextInt(300) - 150;
      case FLOAT -> random.nextFloat() * 1000 - 500;
      case DOUBLE -> random.nextGaussian() * 1e6;
      case STRING -> random.nextBoolean() ? "" : "välue-" + random.nextInt(1000) + "\uD83D\uDE00";
      case BYTES -> ByteBuffer.wrap(("b" + random.nextInt(100000)).getBytes(StandardCharsets.UTF_8));
      default -> throw new AssertionError(type);
    };
  }

  /**
   * The response as FeatureReader built it before ResponseEncoder: ProtoColumns.Writer and the builders, for each
   * view the rows of its entries and, where it answers per distinct key, its key index (null: one entry per row).
   */
  private static GetOnlineFeaturesResponse reference(FeatureSelection selection, List<List<FeatureRow>> rowsByView,
      List<int[]> keyIndexByView, int entityCount, long now) {
    GetOnlineFeaturesResponse.Builder response = GetOnlineFeaturesResponse.newBuilder().setEntityCount(entityCount);
    Map<String, Integer> viewIndex = new HashMap<>();
    List<FeatureView> views = selection.views();
    for (int v = 0; v < views.size(); v++) {
      viewIndex.put(views.get(v).name(), v);
      ViewRows.Builder timestamps = ViewRows.newBuilder().setFeatureView(views.get(v).name());
      for (FeatureRow row : rowsByView.get(v)) {
        timestamps.addEventTimestamps(row == null ? 0 : row.eventTimestampMicros());
      }
      int[] keyIndex = keyIndexByView == null ? null : keyIndexByView.get(v);
      if (keyIndex != null) {
        java.util.Arrays.stream(keyIndex).forEach(timestamps::addKeyIndex);
      }
      response.addViews(timestamps);
    }
    for (FeatureSelection.Column column : selection.columns()) {
      FeatureView view = column.view();
      response.addFeatureNames(column.outputName());
      response.addFeatureRefs(column.ref().toString());
      long oldestFresh = view.hasTtl() ? now - view.ttlMicros() : Long.MIN_VALUE;
      int index = viewIndex.get(view.name());
      ProtoColumns.Writer values = ProtoColumns.writer(column.feature().type(), index, rowsByView.get(index).size());
      for (FeatureRow row : rowsByView.get(index)) {
        if (row == null) {
          values.noValue(FeatureStatus.NOT_FOUND);
        } else if (row.eventTimestampMicros() < oldestFresh) {
          values.noValue(FeatureStatus.OUTSIDE_MAX_AGE);
        } else {
          Object feature = row.value(column.feature().name());
          if (feature == null) {
            values.noValue(FeatureStatus.NULL_VALUE);
          } else {
            values.value(feature);
          }
        }
      }
      response.addColumns(values.build());
    }
    return response.build();
  }
}
