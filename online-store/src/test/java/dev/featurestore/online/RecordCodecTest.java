package dev.featurestore.online;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.data.EntityKey;
import dev.featurestore.api.data.EventTimeOrder;
import dev.featurestore.api.data.FeatureRow;
import dev.featurestore.api.data.FeatureValues;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.error.InvalidRequestException;
import dev.featurestore.online.spi.Projection;
import dev.featurestore.online.spi.RowColumns;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RecordCodecTest {
  private static final EntityKey KEY = EntityKey.of(42L);

  private static ByteBuffer bytes(String text) {
    return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)).asReadOnlyBuffer();
  }

  private static Object sample(ValueType type) {
    return switch (type) {
      case BOOL -> true;
      case INT32 -> -7;
      case INT64 -> Long.MIN_VALUE + 3;
      case FLOAT -> 1.5f;
      case DOUBLE -> -2.25e300;
      case STRING -> "héllo ✓";
      case BYTES -> bytes("\u0000\u00ffbin");
      case TIMESTAMP -> 1_767_225_600_000_000L;
      case BOOL_LIST -> List.of(true, false, true);
      case INT32_LIST -> List.of(1, Integer.MIN_VALUE, Integer.MAX_VALUE);
      case INT64_LIST -> List.of(-1L, Long.MAX_VALUE);
      case FLOAT_LIST -> List.of(0.5f, Float.NaN, Float.NEGATIVE_INFINITY);
      case DOUBLE_LIST -> List.of(3.0, -0.0);
      case STRING_LIST -> List.of("a", "", "ü");
      case BYTES_LIST -> List.of(bytes("x"), bytes(""));
      case TIMESTAMP_LIST -> List.of();
    };
  }

  @ParameterizedTest
  @EnumSource(ValueType.class)
  void decode_encodedValueOfEveryType_returnsEqualValue(ValueType type) {
    FeatureView view = FeatureView.builder("v").entity("user").feature("f", type).feature("other", type).build();
    FeatureRow row = new FeatureRow(KEY, 100, 200, Map.of("f", sample(type)));

    FeatureRow decoded = RecordCodec.decode(KEY, RecordCodec.encode(view, row), view);

    assertThat(decoded).isEqualTo(row);
    assertThat(decoded.value("other")).isNull();
  }

  @Test
  void decode_rowWithNullsOnly_keepsTimestampsAndNoValues() {
    FeatureView view = FeatureView.builder("v").entity("user").feature("a", ValueType.INT64).build();
    Map<String, Object> values = new HashMap<>();
    values.put("a", null);
    FeatureRow row = new FeatureRow(KEY, -5, Long.MAX_VALUE, values);

    FeatureRow decoded = RecordCodec.decode(KEY, RecordCodec.encode(view, row), view);

    assertThat(decoded.eventTimestampMicros()).isEqualTo(-5);
    assertThat(decoded.createdTimestampMicros()).isEqualTo(Long.MAX_VALUE);
    assertThat(decoded.values()).isEmpty();
  }

  @Test
  void decode_viewWithAddedAndRemovedFeatures_skipsUnknownAndReadsAbsentAsNull() {
    FeatureView before = FeatureView.builder("v").entity("user")
        .feature("gone", ValueType.STRING_LIST).feature("kept", ValueType.DOUBLE).feature("n", ValueType.INT32)
        .build();
    FeatureView after = FeatureView.builder("v").entity("user")
        .feature("kept", ValueType.DOUBLE).feature("added", ValueType.BYTES).feature("n", ValueType.INT64).build();
    byte[] record = RecordCodec.encode(before,
        new FeatureRow(KEY, 1, 2, Map.of("gone", List.of("x", "y"), "kept", 0.5, "n", 7)));

    FeatureRow decoded = RecordCodec.decode(KEY, record, after);

    assertThat(decoded.values()).containsOnly(Map.entry("kept", 0.5), Map.entry("n", 7L));
  }

  @Test
  void decode_projection_decodesOnlyIncludedFeaturesAndSkipsTheRest() {
    FeatureView view = FeatureView.builder("v").entity("user").feature("list", ValueType.STRING_LIST)
        .feature("a", ValueType.INT64).feature("text", ValueType.STRING).feature("b", ValueType.DOUBLE)
        .feature("bin", ValueType.BYTES).build();
    byte[] record = RecordCodec.encode(view, new FeatureRow(KEY, 1, 2,
        Map.of("list", List.of("x", "yz"), "a", 5L, "text", "héllo", "b", 0.25, "bin", bytes("raw"))));

    FeatureRow decoded = RecordCodec.decode(KEY, record, Projection.of(view, List.of("b", "a")));

    assertThat(decoded.values()).containsOnly(Map.entry("a", 5L), Map.entry("b", 0.25));
    assertThat(decoded.eventTimestampMicros()).isEqualTo(1);
    assertThat(decoded.createdTimestampMicros()).isEqualTo(2);
    assertThat(RecordCodec.decode(KEY, record, Projection.all(view)))
        .isEqualTo(RecordCodec.decode(KEY, record, view));
  }

  /** A record written by format 1 (name, tag and value per feature), as the codec wrote it before format 2. */
  private static final String FORMAT_ONE_RECORD = "80064748462040008006474846204001010904666c6167010105636f756e7402"
      + "fffffff905746f74616c03800000000000000305726174696f043fc000000573636f726505fe4ae0c41900844f046e616d65060a68c3a9"
      + "6c6c6f20e29c9304626c6f62070300ff62047365656e0800060a24181e40000474616773100301610002c3bc";

  @Test
  void decode_recordOfFormatOne_readsEveryValue() {
    FeatureView view = FeatureView.builder("v").entity("user")
        .feature("flag", ValueType.BOOL).feature("count", ValueType.INT32).feature("total", ValueType.INT64)
        .feature("ratio", ValueType.FLOAT).feature("score", ValueType.DOUBLE).feature("name", ValueType.STRING)
        .feature("blob", ValueType.BYTES).feature("seen", ValueType.TIMESTAMP)
        .feature("tags", ValueType.STRING_LIST).feature("missing", ValueType.INT64).build();
    byte[] record = HexFormat.of().parseHex(FORMAT_ONE_RECORD);

    FeatureRow decoded = RecordCodec.decode(KEY, record, view);

    assertThat(decoded.eventTimestampMicros()).isEqualTo(1_767_225_600_000_000L);
    assertThat(decoded.createdTimestampMicros()).isEqualTo(1_767_225_600_000_001L);
    assertThat(decoded.values()).containsOnly(Map.entry("flag", true), Map.entry("count", -7),
        Map.entry("total", Long.MIN_VALUE + 3), Map.entry("ratio", 1.5f), Map.entry("score", -2.25e300),
        Map.entry("name", "héllo ✓"), Map.entry("blob", ByteBuffer.wrap(new byte[] {0, (byte) 0xff, 'b'})),
        Map.entry("seen", 1_700_000_000_000_000L), Map.entry("tags", List.of("a", "", "ü")));
    assertThat(RecordCodec.decode(KEY, record, Projection.of(view, List.of("name", "seen"))).values())
        .containsOnly(Map.entry("name", "héllo ✓"), Map.entry("seen", 1_700_000_000_000_000L));
  }

  @Test
  void decode_recordUnderTwoDefinitionsInTurn_readsEachByItsOwnNames() {
    FeatureView first = FeatureView.builder("turns").entity("user")
        .feature("a", ValueType.INT64).feature("b", ValueType.STRING).build();
    FeatureView second = FeatureView.builder("turns").entity("user")
        .feature("b", ValueType.STRING).feature("c", ValueType.DOUBLE).feature("a", ValueType.INT64).build();
    byte[] written = RecordCodec.encode(first, new FeatureRow(KEY, 1, 1, Map.of("a", 3L, "b", "x")));
    byte[] rewritten = RecordCodec.encode(second, new FeatureRow(KEY, 2, 2, Map.of("a", 4L, "c", 0.5)));

    for (int round = 0; round < 2; round++) {
      assertThat(RecordCodec.decode(KEY, written, second).values())
          .containsOnly(Map.entry("a", 3L), Map.entry("b", "x"));
      assertThat(RecordCodec.decode(KEY, rewritten, first).values()).containsOnly(Map.entry("a", 4L));
      assertThat(RecordCodec.decode(KEY, written, first).values())
          .containsOnly(Map.entry("a", 3L), Map.entry("b", "x"));
    }
  }

  @Test
  void decode_valuesPastSixtyFourKibibytes_useWideOffsets() {
    FeatureView view = FeatureView.builder("v").entity("user").feature("big", ValueType.STRING)
        .feature("after", ValueType.INT64).build();
    String big = "x".repeat(70_000);
    FeatureRow row = new FeatureRow(KEY, 1, 2, Map.of("big", big, "after", 9L));

    FeatureRow decoded = RecordCodec.decode(KEY, RecordCodec.encode(view, row), view);

    assertThat(decoded).isEqualTo(row);
    assertThat(RecordCodec.decode(KEY, RecordCodec.encode(view, row), Projection.of(view, List.of("after")))
        .values()).containsOnly(Map.entry("after", 9L));
  }

  @Test
  void decode_unknownFormat_failsNamingIt() {
    FeatureView view = FeatureView.builder("v").entity("user").feature("a", ValueType.INT64).build();
    byte[] record = RecordCodec.encode(view, new FeatureRow(KEY, 1, 1, Map.of("a", 1L)));
    record[RecordCodec.HEADER_BYTES] = 9;

    assertThatThrownBy(() -> RecordCodec.decode(KEY, record, view))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("Cannot decode a record of view 'v': unknown format 9");
  }

  @Test
  void decodeColumns_recordsOfEveryTypeAndLayout_holdWhatDecodedRowsHold() {
    FeatureView.Builder current = FeatureView.builder("cols").entity("user");
    FeatureView.Builder older = FeatureView.builder("cols").entity("user").feature("dropped", ValueType.STRING);
    for (ValueType type : ValueType.values()) {
      current.feature(type.name().toLowerCase(Locale.ROOT), type);
      older.feature(type.name().toLowerCase(Locale.ROOT), type == ValueType.INT64 ? ValueType.INT32 : type);
    }
    FeatureView view = current.feature("added", ValueType.DOUBLE).build();
    FeatureView before = older.build();
    Random random = new Random(7);
    List<byte[]> records = new ArrayList<>();
    List<EntityKey> keys = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      FeatureView writer = i % 3 == 0 ? before : view;
      Map<String, Object> values = new HashMap<>();
      for (var feature : writer.features()) {
        if (random.nextInt(4) > 0) {
          values.put(feature.name(), sample(feature.type()));
        }
      }
      keys.add(EntityKey.of((long) i));
      records.add(random.nextInt(10) == 0 ? null
          : RecordCodec.encode(writer, new FeatureRow(EntityKey.of((long) i), i, i, values)));
    }
    keys.add(EntityKey.of(-1L));
    records.add(HexFormat.of().parseHex(FORMAT_ONE_RECORD));
    Projection projection = Projection.of(view, List.of("int64", "string", "bytes", "float", "double", "bool",
        "int32", "timestamp", "string_list", "added"));

    RowColumns columns = RecordCodec.decodeColumns(projection, records);
    RowColumns expected = RowColumns.of(projection, RecordCodec.decodeRows(keys, records, projection));

    assertThat(columns.size()).isEqualTo(records.size());
    for (int row = 0; row < records.size(); row++) {
      assertThat(columns.found(row)).as("row %d found", row).isEqualTo(expected.found(row));
      if (!expected.found(row)) {
        continue;
      }
      assertThat(columns.eventTimestampMicros(row)).isEqualTo(expected.eventTimestampMicros(row));
      for (int position = 0; position < view.features().size(); position++) {
        if (!projection.includes(position)) {
          continue;
        }
        ValueType type = view.features().get(position).type();
        String where = "row " + row + " feature " + view.features().get(position).name();
        assertThat(columns.present(row, position)).as(where).isEqualTo(expected.present(row, position));
        if (!expected.present(row, position)) {
          continue;
        }
        if (type.isList()) {
          assertThat(columns.list(row, position)).as(where).isEqualTo(expected.list(row, position));
        } else if (type == ValueType.STRING || type == ValueType.BYTES) {
          assertThat(bytesOf(columns, row, position)).as(where).isEqualTo(bytesOf(expected, row, position));
        } else {
          assertThat(columns.word(row, position)).as(where).isEqualTo(expected.word(row, position));
        }
      }
    }
  }

  private static byte[] bytesOf(RowColumns columns, int row, int position) {
    int offset = columns.bytesOffset(row, position);
    return Arrays.copyOfRange(columns.bytesArray(row, position), offset, offset + columns.bytesLength(row, position));
  }

  @Test
  void encode_valuesHeldByPositionForTheView_giveTheBytesOfTheSameValuesByName() {
    FeatureView view = FeatureView.builder("v").entity("user").feature("a", ValueType.INT64)
        .feature("b", ValueType.STRING).feature("c", ValueType.INT64).build();
    Map<String, Object> byName = new HashMap<>();
    byName.put("a", 7L);
    byName.put("c", 9);
    FeatureRow named = new FeatureRow(KEY, 100, 200, byName);
    FeatureRow positional = new FeatureRow(KEY, 100, 200, FeatureValues.of(view, new Object[] {7L, null, 9}));

    assertThat(RecordCodec.encode(view, positional)).isEqualTo(RecordCodec.encode(view, named));
  }

  @Test
  void encode_valuesHeldByPositionForAnotherView_failsNamingFeatureNotInView() {
    FeatureView view = FeatureView.builder("v").entity("user").feature("a", ValueType.INT64).build();
    FeatureView other = FeatureView.builder("w").entity("user").feature("b", ValueType.INT64).build();
    FeatureRow row = new FeatureRow(KEY, 1, 1, FeatureValues.of(other, new Object[] {1L}));

    assertThatThrownBy(() -> RecordCodec.encode(view, row))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot write a row of view 'v': 'b' is not a feature of it");
  }

  @Test
  void encode_featureNotInView_failsNamingIt() {
    FeatureView view = FeatureView.builder("v").entity("user").feature("a", ValueType.INT64).build();

    assertThatThrownBy(() -> RecordCodec.encode(view, new FeatureRow(KEY, 1, 1, Map.of("b", 1L))))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot write a row of view 'v': 'b' is not a feature of it");
  }

  @Test
  void encode_valueOfWrongType_failsNamingFeature() {
    FeatureView view = FeatureView.builder("v").entity("user").feature("a", ValueType.INT64).build();

    assertThatThrownBy(() -> RecordCodec.encode(view, new FeatureRow(KEY, 1, 1, Map.of("a", "text"))))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("'a'")
        .hasMessageContaining("INT64");
  }

  @Property(tries = 500)
  void supersedes_anyHeaders_agreesWithEventTimeOrder(
      @ForAll long event, @ForAll long created, @ForAll long storedEvent, @ForAll long storedCreated) {
    FeatureView view = FeatureView.builder("v").entity("user").feature("a", ValueType.INT64).build();
    byte[] incoming = RecordCodec.encode(view, new FeatureRow(KEY, event, created, Map.of()));
    byte[] stored = RecordCodec.encode(view, new FeatureRow(KEY, storedEvent, storedCreated, Map.of()));

    assertThat(RecordCodec.supersedes(incoming, stored))
        .isEqualTo(EventTimeOrder.supersedes(event, created, storedEvent, storedCreated));
    assertThat(RecordCodec.eventTimestamp(incoming)).isEqualTo(event);
    assertThat(RecordCodec.createdTimestamp(incoming)).isEqualTo(created);
  }

  @Test
  void encodeKey_equalKeys_giveEqualBytes() {
    byte[] first = RecordCodec.encodeKey(EntityKey.of(7L, "m", bytes("k")));
    byte[] second = RecordCodec.encodeKey(EntityKey.of(7L, "m", ByteBuffer.wrap("k".getBytes(StandardCharsets.UTF_8))));

    assertThat(first).isEqualTo(second);
  }

  @Test
  void encodeKey_differentTypesOrSplits_giveDifferentBytes() {
    assertThat(RecordCodec.encodeKey(EntityKey.of(1))).isNotEqualTo(RecordCodec.encodeKey(EntityKey.of(1L)));
    assertThat(RecordCodec.encodeKey(EntityKey.of("1"))).isNotEqualTo(RecordCodec.encodeKey(EntityKey.of(bytes("1"))));
    assertThat(RecordCodec.encodeKey(EntityKey.of("ab", "c")))
        .isNotEqualTo(RecordCodec.encodeKey(EntityKey.of("a", "bc")));
  }

  @Test
  void encodeKey_unsupportedValue_failsNamingIt() {
    assertThatThrownBy(() -> RecordCodec.encodeKey(EntityKey.of(1.5)))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot use entity key [1.5]: value '1.5' is not INT32, INT64, STRING or BYTES");
  }

  @Test
  void latestPerKey_sameKeyTwice_keepsWhatListOrderWouldLeave() {
    FeatureRow older = new FeatureRow(KEY, 10, 1, Map.of());
    FeatureRow newer = new FeatureRow(KEY, 20, 1, Map.of());
    FeatureRow tieLater = new FeatureRow(KEY, 20, 1, Map.of("a", 1L));
    FeatureRow other = new FeatureRow(EntityKey.of(1L), 5, 5, Map.of());

    assertThat(Batches.latestPerKey(List.of(newer, other, older, tieLater))).containsExactly(tieLater, other);
  }
}
