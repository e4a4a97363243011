package dev.featurestore.api.proto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.Entity;
import dev.featurestore.api.definition.FeatureRef;
import dev.featurestore.api.definition.FeatureService;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.definition.JoinKey;
import dev.featurestore.api.definition.Source;
import dev.featurestore.api.error.InvalidRequestException;
import dev.featurestore.proto.v1.Value;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProtoRoundTripTest {

  @Test
  void values_everyType_roundTrip() {
    List<Object[]> samples = List.of(
        new Object[] {ValueType.BOOL, true},
        new Object[] {ValueType.INT32, 7},
        new Object[] {ValueType.INT64, 1L << 40},
        new Object[] {ValueType.FLOAT, 1.5f},
        new Object[] {ValueType.DOUBLE, 2.25d},
        new Object[] {ValueType.STRING, "héllo"},
        new Object[] {ValueType.BYTES, ByteBuffer.wrap(new byte[] {0, -1, 5})},
        new Object[] {ValueType.TIMESTAMP, 1_700_000_000_000_000L},
        new Object[] {ValueType.BOOL_LIST, List.of(true, false)},
        new Object[] {ValueType.INT32_LIST, List.of(1, 2)},
        new Object[] {ValueType.INT64_LIST, List.of(3L)},
        new Object[] {ValueType.FLOAT_LIST, List.of(0.5f)},
        new Object[] {ValueType.DOUBLE_LIST, List.of(0.25d, 4d)},
        new Object[] {ValueType.STRING_LIST, List.of("a", "b")},
        new Object[] {ValueType.BYTES_LIST, List.of(ByteBuffer.wrap(new byte[] {9}))},
        new Object[] {ValueType.TIMESTAMP_LIST, List.of(1L, 2L)});
    assertThat(samples).hasSize(ValueType.values().length);
    for (Object[] sample : samples) {
      ValueType type = (ValueType) sample[0];
      Value proto = ProtoValues.toProto(sample[1], type);
      assertThat(ProtoValues.typeOf(proto)).isEqualTo(type);
      assertThat(ProtoValues.fromProto(proto, type, "f")).as(type.name()).isEqualTo(sample[1]);
    }
    assertThat(ProtoValues.fromProto(ProtoValues.toProto(null, ValueType.INT64), ValueType.INT64, "f")).isNull();
  }

  @Test
  void fromProto_wrongType_namesFieldAndBothTypes() {
    Value text = Value.newBuilder().setStringVal("x").build();
    assertThatThrownBy(() -> ProtoValues.fromProto(text, ValueType.INT64, "user_id"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot use value for 'user_id': expected INT64 but got STRING");
    assertThat(ProtoValues.fromProto(Value.newBuilder().setInt32Val(4).build(), ValueType.INT64, "f")).isEqualTo(4L);
  }

  @Test
  void definitions_roundTrip() {
    Definitions defs = new Definitions(
        List.of(Entity.of("user", JoinKey.of("user_id", ValueType.INT64)).withDescription("people")),
        List.of(FeatureView.builder("stats").entity("user").feature("tags", ValueType.STRING_LIST)
            .ttl(Duration.ofHours(2)).source(Source.push()).tag("team", "risk").owner("o").description("d")
            .build()),
        List.of(FeatureService.of("svc", FeatureRef.allOf("stats"))));
    assertThat(ProtoDefinitions.fromProto(ProtoDefinitions.toProto(defs))).isEqualTo(defs);
  }
}
