package dev.featurestore.online;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.data.EntityKey;
import dev.featurestore.api.data.EventTimeOrder;
import dev.featurestore.api.data.FeatureRow;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.error.InvalidRequestException;
import dev.featurestore.online.spi.Projection;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
