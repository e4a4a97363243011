package dev.featurestore.online.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.google.protobuf.ByteString;
import dev.featurestore.api.ValueType;
import dev.featurestore.api.error.InvalidRequestException;
import dev.featurestore.proto.v1.BytesList;
import dev.featurestore.proto.v1.DoubleList;
import dev.featurestore.proto.v1.FloatList;
import dev.featurestore.proto.v1.Int64List;
import dev.featurestore.proto.v1.Value;
import io.vertx.core.json.Json;
import java.io.StringWriter;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonValuesTest {
  private static Value convert(String json, ValueType type) {
    return JsonValues.toProto(Json.decodeValue(json), type, "push row 0 of view 'v'", "feature 'f'");
  }

  private static String write(Value value) throws Exception {
    StringWriter out = new StringWriter();
    try (JsonGenerator generator = new JsonFactory().createGenerator(out)) {
      JsonValues.write(value, generator);
    }
    return out.toString();
  }

  @Test
  void toProto_valueFittingDeclaredType_valueOfThatType() {
    assertThat(convert("7", ValueType.INT32)).isEqualTo(Value.newBuilder().setInt32Val(7).build());
    assertThat(convert("7", ValueType.INT64)).isEqualTo(Value.newBuilder().setInt64Val(7).build());
    assertThat(convert("7", ValueType.DOUBLE)).isEqualTo(Value.newBuilder().setDoubleVal(7).build());
    assertThat(convert("0.1", ValueType.FLOAT)).isEqualTo(Value.newBuilder().setFloatVal(0.1f).build());
    assertThat(convert("\"NaN\"", ValueType.DOUBLE)).isEqualTo(Value.newBuilder().setDoubleVal(Double.NaN).build());
    assertThat(convert("\"AP8=\"", ValueType.BYTES))
        .isEqualTo(Value.newBuilder().setBytesVal(ByteString.copyFrom(new byte[] {0, -1})).build());
    assertThat(convert("\"1970-01-01T01:00:00.000001+01:00\"", ValueType.TIMESTAMP))
        .isEqualTo(Value.newBuilder().setTimestampVal(1).build());
    assertThat(convert("[1, 2.5]", ValueType.DOUBLE_LIST))
        .isEqualTo(Value.newBuilder().setDoubleListVal(DoubleList.newBuilder().addValues(1).addValues(2.5)).build());
    assertThat(convert("[]", ValueType.FLOAT_LIST))
        .isEqualTo(Value.newBuilder().setFloatListVal(FloatList.getDefaultInstance()).build());
    assertThat(convert("null", ValueType.INT64)).isEqualTo(Value.getDefaultInstance());
  }

  @Test
  void toProto_valueNotFittingDeclaredType_valueOfItsOwnJsonKind() {
    assertThat(convert("3000000000", ValueType.INT32)).isEqualTo(Value.newBuilder().setInt64Val(3_000_000_000L).build());
    assertThat(convert("1e300", ValueType.FLOAT)).isEqualTo(Value.newBuilder().setDoubleVal(1e300).build());
    assertThat(convert("\"42\"", ValueType.INT64)).isEqualTo(Value.newBuilder().setStringVal("42").build());
    assertThat(convert("[1, 2.5]", ValueType.INT64_LIST))
        .isEqualTo(Value.newBuilder().setDoubleListVal(DoubleList.newBuilder().addValues(1).addValues(2.5)).build());
    assertThat(convert("[1, 2]", null))
        .isEqualTo(Value.newBuilder().setInt64ListVal(Int64List.newBuilder().addValues(1).addValues(2)).build());
  }

  @Test
  void toProto_valueWithoutWireForm_refusedNamingRowFieldAndValue() {
    assertThatThrownBy(() -> convert("{\"a\": 1}", ValueType.INT64))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot read push row 0 of view 'v': feature 'f' must be INT64 but is {\"a\":1}");
    assertThatThrownBy(() -> convert("[true, 1]", ValueType.BOOL_LIST))
        .hasMessage("Cannot read push row 0 of view 'v': feature 'f' must be BOOL_LIST but is [true,1]");
    assertThatThrownBy(() -> convert("[1, null]", ValueType.INT64_LIST))
        .hasMessage("Cannot read push row 0 of view 'v': feature 'f' must be INT64_LIST but is [1,null]");
    assertThatThrownBy(() -> JsonValues.toProto(new BigInteger("123456789012345678901234"), ValueType.INT64,
        "entity row 2", "join key 'k'"))
        .hasMessage("Cannot read entity row 2: join key 'k' must be INT64 but is 123456789012345678901234");
    assertThatThrownBy(() -> convert("[\"AQ==\", \"??\"]", ValueType.BYTES_LIST))
        .hasMessage("Cannot read push row 0 of view 'v': feature 'f' element 1 must be BYTES (base64) but is \"??\"");
    assertThatThrownBy(() -> convert("\"tomorrow\"", ValueType.TIMESTAMP))
        .hasMessage("Cannot read push row 0 of view 'v': feature 'f' must be TIMESTAMP (UTC microseconds or an"
            + " ISO-8601 instant) but is \"tomorrow\"");
  }

  @Test
  void toProto_undeclaredNameWithoutWireForm_null() {
    assertThat(convert("{\"a\": 1}", null)).isEqualTo(Value.getDefaultInstance());
  }

  @Test
  void timestamp_microsOrIsoOrNull_microsOrZero() {
    assertThat(JsonValues.timestamp(5L, "row", "event_timestamp")).isEqualTo(5);
    assertThat(JsonValues.timestamp("1970-01-01T00:00:01Z", "row", "event_timestamp")).isEqualTo(1_000_000);
    assertThat(JsonValues.timestamp(null, "row", "event_timestamp")).isZero();
    assertThatThrownBy(() -> JsonValues.timestamp(1.5, "push row 3 of view 'v'", "created_timestamp"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot read push row 3 of view 'v': created_timestamp must be UTC microseconds or an ISO-8601"
            + " instant but is 1.5");
  }

  @Test
  void write_everyKind_naturalJson() throws Exception {
    assertThat(write(Value.newBuilder().setFloatVal(0.1f).build())).isEqualTo("0.1");
    assertThat(write(Value.newBuilder().setDoubleVal(Double.NaN).build())).isEqualTo("\"NaN\"");
    assertThat(write(Value.newBuilder().setTimestampVal(12).build())).isEqualTo("12");
    assertThat(write(Value.newBuilder().setBytesListVal(BytesList.newBuilder()
        .addValues(ByteString.copyFrom(new byte[] {1}))).build())).isEqualTo("[\"AQ==\"]");
    assertThat(write(Value.getDefaultInstance())).isEqualTo("null");
  }

  @Test
  void object_nonObject_null() {
    assertThat(JsonValues.object(List.of())).isNull();
    assertThat(JsonValues.object(Map.of("a", 1))).containsEntry("a", 1);
  }
}
