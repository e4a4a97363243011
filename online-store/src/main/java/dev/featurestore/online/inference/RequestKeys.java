package dev.featurestore.online.inference;

import dev.featurestore.api.data.EntityKey;
import dev.featurestore.api.definition.JoinKey;
import dev.featurestore.api.error.InvalidRequestException;
import dev.featurestore.api.proto.ProtoValues;
import dev.featurestore.proto.v1.EntityRow;
import dev.featurestore.proto.v1.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The join keys of a predict request's rows, typed: each row's own keys plus the shared ones (the ranking form,
 * where the user's key is sent once and broadcast to every candidate row). Built once per request for exactly the
 * join keys the models need; messages name the row (or the shared keys) and the key.
 */
final class RequestKeys {
  /** Per needed key, its value in every row (a shared key's one value repeated). */
  private final Map<String, Object[]> columns;
  private final Set<String> shared;
  private final int size;

  private RequestKeys(Map<String, Object[]> columns, Set<String> shared, int size) {
    this.columns = columns;
    this.shared = shared;
    this.size = size;
  }

  /**
   * @throws InvalidRequestException naming the row and key when a key is missing, mistyped, or given both in a row
   *     and in the shared keys
   */
  static RequestKeys parse(List<EntityRow> entities, EntityRow shared, Collection<JoinKey> needed) {
    int size = entities.size();
    Map<String, Object[]> columns = new HashMap<>();
    Set<String> sharedKeys = new HashSet<>();
    for (JoinKey key : needed) {
      Object[] column = new Object[size];
      columns.put(key.name(), column);
      Value value = shared.getKeysMap().get(key.name());
      if (present(value)) {
        Arrays.fill(column, typed(key, value, "the shared keys"));
        sharedKeys.add(key.name());
      }
    }
    for (int i = 0; i < size; i++) {
      Map<String, Value> own = entities.get(i).getKeysMap();
      for (JoinKey key : needed) {
        Value value = own.get(key.name());
        if (present(value)) {
          if (sharedKeys.contains(key.name())) {
            throw new InvalidRequestException("Cannot read entity row " + i + ": join key '" + key.name()
                + "' is given both in the row and in the shared keys");
          }
          columns.get(key.name())[i] = typed(key, value, "entity row " + i);
        } else if (!sharedKeys.contains(key.name())) {
          throw new InvalidRequestException(
              "Cannot read entity row " + i + ": join key '" + key.name() + "' (" + key.type() + ") is missing");
        }
      }
    }
    return new RequestKeys(columns, sharedKeys, size);
  }

  int size() {
    return size;
  }

  /** The canonical value of a join key in a row (it was among the needed keys). */
  Object value(int row, String key) {
    return columns.get(key)[row];
  }

  /** Whether every one of {@code joinKeys} came in the shared keys, so that all rows have the same entity. */
  boolean allShared(List<JoinKey> joinKeys) {
    for (JoinKey key : joinKeys) {
      if (!shared.contains(key.name())) {
        return false;
      }
    }
    return true;
  }

  EntityKey entityKey(int row, List<JoinKey> joinKeys) {
    List<Object> values = new ArrayList<>(joinKeys.size());
    for (JoinKey key : joinKeys) {
      values.add(columns.get(key.name())[row]);
    }
    return new EntityKey(values);
  }

  private static boolean present(Value value) {
    return value != null && value.getKindCase() != Value.KindCase.KIND_NOT_SET;
  }

  private static Object typed(JoinKey key, Value value, String where) {
    try {
      return ProtoValues.fromProto(value, key.type(), key.name());
    } catch (InvalidRequestException e) {
      throw new InvalidRequestException("Cannot read " + where + ": join key '" + key.name() + "' must be "
          + key.type() + " but is " + ProtoValues.typeOf(value), e);
    }
  }
}
