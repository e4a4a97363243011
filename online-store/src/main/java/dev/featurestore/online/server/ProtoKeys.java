package dev.featurestore.online.server;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.data.EntityKey;
import dev.featurestore.api.definition.JoinKey;
import dev.featurestore.api.error.InvalidRequestException;
import dev.featurestore.api.proto.ProtoValues;
import dev.featurestore.proto.v1.Value;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** Wire values to entity keys and instants to microseconds, with messages that name the row and the key. */
final class ProtoKeys {
  private ProtoKeys() {}

  /**
   * The entity key of {@code joinKeys} from a row's wire keys; extra keys are ignored.
   *
   * @param where the row, for messages ("entity row 3"); only built when a key is wrong, so that a 500-row request
   *     does not format 500 strings
   * @throws InvalidRequestException naming the row and the key when one is missing or of another type
   */
  static EntityKey entityKey(List<JoinKey> joinKeys, Map<String, Value> keys, Supplier<String> where) {
    Object[] values = new Object[joinKeys.size()];
    for (int i = 0; i < values.length; i++) {
      JoinKey key = joinKeys.get(i);
      Value value = keys.get(key.name());
      if (value == null || value.getKindCase() == Value.KindCase.KIND_NOT_SET) {
        throw new InvalidRequestException(
            "Cannot read " + where.get() + ": join key '" + key.name() + "' (" + key.type() + ") is missing");
      }
      try {
        // already of the key's type: fromProto converts what it accepts and refuses the rest
        values[i] = ProtoValues.fromProto(value, key.type(), key.name());
      } catch (InvalidRequestException e) {
        throw new InvalidRequestException(
            "Cannot read " + where.get() + ": join key '" + key.name() + "' must be " + key.type() + " but is "
                + ProtoValues.typeOf(value), e);
      }
    }
    return EntityKey.of(values);
  }

  /**
   * The entity key of {@code joinKeys} from row {@code row} of a request's entity rows; extra keys are ignored. An
   * int64 value for an INT64 key and a string value for a STRING key are taken as they are; every other value goes
   * through {@link #entityKey(List, Map, Supplier)}'s conversions and messages.
   *
   * @throws InvalidRequestException naming the row ("entity row 3") and the key when one is missing or of another
   *     type
   */
  static EntityKey entityKey(List<JoinKey> joinKeys, OnlineRequest.EntityRows rows, int row) {
    Object[] values = new Object[joinKeys.size()];
    for (int i = 0; i < values.length; i++) {
      JoinKey key = joinKeys.get(i);
      Object sent = rows.value(row, key.name());
      if (sent instanceof Long && key.type() == ValueType.INT64
          || sent instanceof String && key.type() == ValueType.STRING) {
        values[i] = sent;
        continue;
      }
      Map<String, Value> one = sent == null ? Map.of() : Map.of(key.name(), OnlineRequest.EntityRows.toValue(sent));
      values[i] = entityKey(List.of(key), one, () -> "entity row " + row).values().get(0);
    }
    return EntityKey.of(values);
  }

  static long micros(Clock clock) {
    Instant now = clock.instant();
    return Math.addExact(Math.multiplyExact(now.getEpochSecond(), 1_000_000L), now.getNano() / 1_000);
  }
}
