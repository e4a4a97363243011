package dev.featurestore.offline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.data.EntityKey;
import dev.featurestore.api.data.FeatureRow;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.error.InvalidRequestException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The log record payload: rows of every value type read back equal. */
class WalCodecTest {
  private static final FeatureView VIEW = FeatureView.builder("all_types").entity("user").entity("merchant")
      .feature("b", ValueType.BOOL).feature("i", ValueType.INT32).feature("l", ValueType.INT64)
      .feature("f", ValueType.FLOAT).feature("d", ValueType.DOUBLE).feature("s", ValueType.STRING)
      .feature("bytes", ValueType.BYTES).feature("t", ValueType.TIMESTAMP)
      .feature("ls", ValueType.STRING_LIST).feature("ld", ValueType.DOUBLE_LIST).feature("lb", ValueType.BYTES_LIST)
      .build();

  @Test
  void decode_encodedRows_equalTheRows() {
    FeatureRow full = new FeatureRow(EntityKey.of(42L, "m-1"), 1_000_000L, 2_000_000L, Map.ofEntries(
        Map.entry("b", true), Map.entry("i", 7), Map.entry("l", -3L), Map.entry("f", 1.5f), Map.entry("d", 2.25),
        Map.entry("s", "héllo"), Map.entry("bytes", ByteBuffer.wrap(new byte[] {1, 2, 3})),
        Map.entry("t", 1_700_000_000_000_000L), Map.entry("ls", List.of("a", "b")),
        Map.entry("ld", List.of(0.5, -1.0)), Map.entry("lb", List.of(ByteBuffer.wrap(new byte[] {9})))));
    FeatureRow sparse = new FeatureRow(EntityKey.of(43L, "m-2"), 5L, 6L, Map.of("i", 1));

    WalCodec.Entry entry = WalCodec.decode(WalCodec.encode(VIEW, List.of(full, sparse)));

    assertThat(entry.view()).isEqualTo("all_types");
    assertThat(entry.rows()).containsExactly(full, sparse);
  }

  @Test
  void encode_unknownFeature_refusedNamingIt() {
    FeatureRow row = new FeatureRow(EntityKey.of(1L, "m"), 1L, 1L, Map.of("nope", 1));

    assertThatThrownBy(() -> WalCodec.encode(VIEW, List.of(row)))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot log a push to view 'all_types': 'nope' is not a feature of it");
  }
}
