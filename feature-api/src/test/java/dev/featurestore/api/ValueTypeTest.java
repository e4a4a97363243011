package dev.featurestore.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.featurestore.api.error.InvalidRequestException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ValueTypeTest {

  @Test
  void parse_acceptsEnumNamesAndListSyntax() {
    assertThat(ValueType.parse("int64")).isEqualTo(ValueType.INT64);
    assertThat(ValueType.parse(" LIST<string> ")).isEqualTo(ValueType.STRING_LIST);
    assertThat(ValueType.parse("TIMESTAMP_LIST")).isEqualTo(ValueType.TIMESTAMP_LIST);
  }

  @Test
  void parse_unknownName_namesTheText() {
    assertThatThrownBy(() -> ValueType.parse("INTEGER"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("'INTEGER'");
  }

  @Test
  void elementAndListType_areInverse() {
    for (ValueType type : ValueType.values()) {
      if (!type.isList()) {
        assertThat(type.listType().elementType()).isEqualTo(type);
        assertThat(type.listType().isList()).isTrue();
      }
    }
  }

  @Test
  void coerce_widensWithoutLoss() {
    assertThat(ValueType.INT64.coerce(3, "f")).isEqualTo(3L);
    assertThat(ValueType.DOUBLE.coerce(1.5f, "f")).isEqualTo(1.5d);
    assertThat(ValueType.INT32.coerce(7L, "f")).isEqualTo(7);
    assertThat(ValueType.INT64_LIST.coerce(List.of(1, 2), "f")).isEqualTo(List.of(1L, 2L));
    Object bytes = ValueType.BYTES.coerce(new byte[] {1, 2}, "f");
    assertThat(bytes).isEqualTo(ByteBuffer.wrap(new byte[] {1, 2}));
  }

  @Test
  void coerce_lossyOrWrongValue_namesFieldAndTypes() {
    assertThatThrownBy(() -> ValueType.INT32.coerce(1L << 40, "clicks"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("'clicks'").hasMessageContaining("INT32");
    assertThatThrownBy(() -> ValueType.STRING.coerce(5, "name"))
        .hasMessage("Cannot use value for 'name': expected STRING but got Integer '5'");
    assertThatThrownBy(() -> ValueType.INT64_LIST.coerce(Arrays.asList(1L, null), "ids"))
        .hasMessageContaining("element 1");
  }

  @Test
  void accepts_onlyCanonicalRepresentation() {
    assertThat(ValueType.TIMESTAMP.accepts(5L)).isTrue();
    assertThat(ValueType.TIMESTAMP.accepts(5)).isFalse();
    assertThat(ValueType.FLOAT_LIST.accepts(List.of(1f, 2f))).isTrue();
    assertThat(ValueType.FLOAT_LIST.accepts(List.of(1d))).isFalse();
    assertThat(ValueType.BOOL.accepts(null)).isFalse();
  }
}
