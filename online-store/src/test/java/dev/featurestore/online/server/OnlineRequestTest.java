package dev.featurestore.online.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.featurestore.api.ValueType;
import dev.featurestore.api.data.EntityKey;
import dev.featurestore.api.definition.JoinKey;
import dev.featurestore.api.error.InvalidRequestException;
import dev.featurestore.proto.v1.EntityRow;
import dev.featurestore.proto.v1.FeatureList;
import dev.featurestore.proto.v1.GetOnlineFeaturesRequest;
import dev.featurestore.proto.v1.Int64List;
import dev.featurestore.proto.v1.Value;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Assume;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * {@link OnlineRequest#parse} against the generated parser on the same bytes: requests of every selection and key
 * value kind, parts sent twice (repeated map keys, a selection set twice, messages merged), unknown fields, and
 * truncated bytes.
 */
class OnlineRequestTest {
  private static final List<String> NAMES = List.of("user_id", "item_id", "");

  @Property(tries = 300)
  void parse_equalsTheGeneratedParser(@ForAll("parts") List<byte[]> parts) throws IOException {
    // a message's serializations concatenated are one message: the parts merged, later scalars and keys winning
    Assume.that(!switchesBackToFeatures(parts));
    byte[] bytes = concat(parts);
    assertSameRequest(OnlineRequest.parse(bytes), GetOnlineFeaturesRequest.parseFrom(bytes));
  }

  @Property(tries = 200)
  void parse_truncatedBytes_failsWhereTheGeneratedParserFails(
      @ForAll("parts") List<byte[]> parts, @ForAll("cuts") double cut) throws IOException {
    Assume.that(!switchesBackToFeatures(parts));
    byte[] whole = concat(parts);
    byte[] bytes = Arrays.copyOf(whole, (int) (whole.length * cut));
    GetOnlineFeaturesRequest expected;
    try {
      expected = GetOnlineFeaturesRequest.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      assertThatThrownBy(() -> OnlineRequest.parse(bytes)).isInstanceOf(InvalidProtocolBufferException.class);
      return;
    }
    assertSameRequest(OnlineRequest.parse(bytes), expected);
  }

  @Test
  void parse_stringThatIsNotUtf8_fails() {
    // a string_val (field 6) of the bytes C3 28, which are not UTF-8
    byte[] value = {(byte) 0x32, 2, (byte) 0xc3, (byte) 0x28};
    byte[] entry = concat(List.of(field(1, "user_id".getBytes(java.nio.charset.StandardCharsets.UTF_8)),
        field(2, value)));
    byte[] bytes = field(3, field(1, entry));
    assertThatThrownBy(() -> GetOnlineFeaturesRequest.parseFrom(bytes))
        .isInstanceOf(InvalidProtocolBufferException.class);
    assertThatThrownBy(() -> OnlineRequest.parse(bytes)).isInstanceOf(InvalidProtocolBufferException.class);
  }

  @Test
  void entityKey_takesInt64AndStringKeysAsSentAndConvertsOrRefusesTheRest() throws IOException {
    GetOnlineFeaturesRequest request = GetOnlineFeaturesRequest.newBuilder()
        .addEntities(row(Map.of("user_id", Value.newBuilder().setInt64Val(7).build())))
        .addEntities(row(Map.of("user_id", Value.newBuilder().setInt32Val(8).build())))
        .addEntities(row(Map.of("user_id", Value.newBuilder().setStringVal("9").build())))
        .addEntities(row(Map.of("item_id", Value.newBuilder().setInt64Val(1).build())))
        .build();
    OnlineRequest.EntityRows rows = OnlineRequest.parse(request.toByteArray()).entities();
    List<JoinKey> user = List.of(JoinKey.of("user_id", ValueType.INT64));

    assertThat(ProtoKeys.entityKey(user, rows, 0)).isEqualTo(EntityKey.of(7L));
    assertThat(ProtoKeys.entityKey(user, rows, 1)).as("int32 widened").isEqualTo(EntityKey.of(8L));
    assertThatThrownBy(() -> ProtoKeys.entityKey(user, rows, 2)).isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot read entity row 2: join key 'user_id' must be INT64 but is STRING");
    assertThatThrownBy(() -> ProtoKeys.entityKey(user, rows, 3)).isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot read entity row 3: join key 'user_id' (INT64) is missing");
    assertThat(ProtoKeys.entityKey(List.of(JoinKey.of("user_id", ValueType.STRING)), rows, 2))
        .isEqualTo(EntityKey.of("9"));
  }

  /**
   * Whether the selection goes from features to the service and back to features. The protobuf spec says the last
   * oneof member on the wire is used, merged only with earlier values of itself sent since; the generated Java
   * parser merges the new features with the ones sent before the service too. {@link OnlineRequest#parse} follows
   * the spec there, so such requests are left out of the comparison.
   */
  private static boolean switchesBackToFeatures(List<byte[]> parts) {
    int switches = 0;
    int last = 0;
    for (byte[] part : parts) {
      int kind = part.length == 0 ? 0 : part[0];
      if ((kind == 10 || kind == 18) && kind != last) {
        if (last != 0) {
          switches++;
        }
        last = kind;
      }
      if (switches >= 2 && kind == 10 && last == 10) {
        return true;
      }
    }
    return false;
  }

  private static void assertSameRequest(OnlineRequest parsed, GetOnlineFeaturesRequest expected) {
    OnlineRequest reference = OnlineRequest.of(expected);
    assertThat(parsed.selection()).isEqualTo(expected.getSelectionCase());
    assertThat(parsed.features()).isEqualTo(reference.features());
    assertThat(parsed.featureService()).isEqualTo(reference.featureService());
    assertThat(parsed.fullFeatureNames()).isEqualTo(expected.getFullFeatureNames());
    assertThat(parsed.distinctKeys()).isEqualTo(expected.getDistinctKeys());
    assertThat(parsed.entities().count()).isEqualTo(expected.getEntitiesCount());
    for (int row = 0; row < expected.getEntitiesCount(); row++) {
      Map<String, Value> keys = expected.getEntities(row).getKeysMap();
      for (String name : new TreeSet<>(NAMES)) {
        Object value = parsed.entities().value(row, name);
        assertThat(value == null ? null : OnlineRequest.EntityRows.toValue(value))
            .as("row %d, key '%s'", row, name).isEqualTo(keys.get(name));
      }
    }
  }

  @Provide
  Arbitrary<Double> cuts() {
    return Arbitraries.doubles().between(0, 1);
  }

  @Provide
  Arbitrary<List<byte[]>> parts() {
    Arbitrary<byte[]> selection = Arbitraries.oneOf(
        Arbitraries.strings().alpha().ofMaxLength(6).list().ofMaxSize(3).map(features ->
            GetOnlineFeaturesRequest.newBuilder()
                .setFeatures(FeatureList.newBuilder().addAllFeatures(features)).build().toByteArray()),
        Arbitraries.strings().alpha().ofMaxLength(6).map(service ->
            GetOnlineFeaturesRequest.newBuilder().setFeatureService(service).build().toByteArray()),
        Arbitraries.of(true, false).map(full ->
            GetOnlineFeaturesRequest.newBuilder().setFullFeatureNames(full).build().toByteArray()),
        Arbitraries.of(true, false).map(distinct ->
            GetOnlineFeaturesRequest.newBuilder().setDistinctKeys(distinct).build().toByteArray()));
    Arbitrary<byte[]> entities = rows().list().ofMaxSize(4).map(rows -> {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      rows.forEach(out::writeBytes);
      return out.toByteArray();
    });
    // field 5 length-delimited is unknown too: distinct_keys is a varint, and a field of another wire type is skipped
    Arbitrary<byte[]> unknown = Arbitraries.integers().between(5, 40).map(number ->
        field(number, new byte[] {1, 2, 3}));
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(3, selection), net.jqwik.api.Tuple.of(5, entities), net.jqwik.api.Tuple.of(1, unknown))
        .list().ofMaxSize(6);
  }

  /** An entity row as field 3, possibly of several serializations of EntityRow concatenated (keys repeated). */
  private static Arbitrary<byte[]> rows() {
    Arbitrary<Map<String, Value>> keys = Arbitraries.maps(Arbitraries.of(NAMES), values()).ofMaxSize(3);
    return keys.list().ofMinSize(1).ofMaxSize(2).map(maps -> {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      maps.forEach(map -> bytes.writeBytes(row(map).toByteArray()));
      return field(3, bytes.toByteArray());
    });
  }

  private static Arbitrary<Value> values() {
    return Arbitraries.oneOf(
        Arbitraries.longs().map(v -> Value.newBuilder().setInt64Val(v).build()),
        Arbitraries.strings().ofMaxLength(5).map(v -> Value.newBuilder().setStringVal(v).build()),
        Arbitraries.integers().map(v -> Value.newBuilder().setInt32Val(v).build()),
        Arbitraries.longs().map(v -> Value.newBuilder().setTimestampVal(v).build()),
        Arbitraries.longs().list().ofMaxSize(2).map(v ->
            Value.newBuilder().setInt64ListVal(Int64List.newBuilder().addAllValues(v)).build()),
        Combinators.combine(Arbitraries.longs(), Arbitraries.strings().ofMaxLength(3)).as((a, b) ->
            // two kinds of the oneof in one value: the last one sent wins
            Value.newBuilder().setInt64Val(a).build().toBuilder().setStringVal(b).build()),
        Arbitraries.just(Value.getDefaultInstance()));
  }

  private static EntityRow row(Map<String, Value> keys) {
    return EntityRow.newBuilder().putAllKeys(keys).build();
  }

  private static byte[] field(int number, byte[] payload) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      out.writeByteArray(number, payload);
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static byte[] concat(List<byte[]> parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    parts.forEach(out::writeBytes);
    return out.toByteArray();
  }
}
